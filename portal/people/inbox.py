"""What the people module puts on the home page: contracts ending soon (60, 30 and 7 days), as counts with a link."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.core.i18n import local_today
from portal.core.inbox import InboxItem, provider
from portal.people import permissions, services
from portal.people.queries import ENDING_WINDOWS


@provider
def contracts_ending(user) -> list[InboxItem]:
    """HR sees every contract ending soon; a supervisor those of their site. One count, the shortest window named."""
    if not (user.can("people.manage") or user.can("people.site")):
        return []
    today = local_today()
    scope = permissions.staff_scope(user)
    n, soon = services.contracts_ending(scope, today, ENDING_WINDOWS[-1], ENDING_WINDOWS[0])
    if not n:
        return []
    detail = _("%(n)d of them within 7 days.", n=soon) if soon else ""
    return [InboxItem(title=_("%(n)d employment contract(s) end within 60 days", n=n),
                      url=url_for("people.index", ending=60), detail=detail, kind="due")]


@provider
def extensions_to_decide(user) -> list[InboxItem]:
    """A manager sees how many contract evaluations wait for their signed decision."""
    if not user.can("people.approve_extension"):
        return []
    n = services.extensions_waiting(permissions.staff_scope(user))
    if not n:
        return []
    return [InboxItem(title=_("%(n)d contract evaluation(s) to decide", n=n), url=url_for("people.extensions"), kind="sign")]
