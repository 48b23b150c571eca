"""What capa puts on the home page: the owner's overdue corrective actions, and for those who record effectiveness
checks the NCs waiting for one. Counts with a link, counted with the other modules' numbers in one statement."""
from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.inbox import Counts, InboxItem, provider


@provider
def capa_work(user) -> list[InboxItem] | Counts:
    from portal.core.i18n import local_today

    acts, verifies = user.can("capa.act"), user.can("capa.verify")
    if not acts and not verifies:
        return []
    columns = _columns(verifies)

    def items(values) -> list[InboxItem]:
        late, mine = int(values[0] or 0), int(values[1] or 0)
        out = []
        if late:
            out.append(InboxItem(title=_("%(n)d corrective action(s) of yours are overdue", n=late),
                                 url=url_for("capa.index", owner="me", overdue=1), kind="overdue"))
        elif mine:
            out.append(InboxItem(title=_("%(n)d corrective action(s) of yours are open", n=mine),
                                 url=url_for("capa.index", owner="me"), kind="due"))
        if verifies and int(values[2] or 0):
            out.append(InboxItem(title=_("%(n)d nonconformity(ies) wait for their effectiveness check", n=int(values[2])),
                                 url=url_for("capa.index", status="verifying"), kind="sign"))
        return out

    return Counts(columns, items, {"capa_user_id": user.id, "capa_today": local_today()}, key=("capa", verifies))


@cache
def _columns(verifies: bool) -> list:
    """Built once per shape, the user and the day as bound parameters."""
    from portal.capa.models import VERIFYING, Action, Nonconformity
    from portal.capa.services import overdue

    user_id = bindparam("capa_user_id")
    columns = [select(func.count(Action.id)).where(Action.owner_id == user_id, overdue(bindparam("capa_today"))),
               select(func.count(Action.id)).where(Action.owner_id == user_id, Action.status != "done")]
    if verifies:
        columns.append(select(func.count(Nonconformity.id)).where(Nonconformity.status == VERIFYING))
    return columns
