"""What the people module puts on the home page: contracts ending soon (60, 30 and 7 days), as counts with a link."""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.core.i18n import local_today
from portal.core.inbox import Counts, InboxItem, kept_counts, provider
from portal.people import permissions, services
from portal.people.queries import ENDING_WINDOWS


@provider
def contracts_ending(user) -> list[InboxItem]:
    """HR sees every contract ending soon; a supervisor those of their site: one line per reminder window (60, 30 and
    7 days before the end; each person once, in the shortest window that holds their end): one statement when the
    staff or their contracts changed since the last visit of the day, none otherwise."""
    if not (user.can("people.manage") or user.can("people.site")):
        return []
    scope = permissions.staff_scope_kind(user)  # never "led": these users manage people or see their site
    today = local_today()
    params = {"people_today": today, "people_user_id": user.id, "people_site_id": user.site_id,
              **{f"people_until_{days}": today + timedelta(days=days) for days in ENDING_WINDOWS}}
    # The numbers change with the staff and their contracts only, and the day: kept while neither changed (the
    # "people" area of core/fragments.py, whose token the database replaces on every write to those tables).
    key = ("people.ending", scope, today) + ((user.id, user.site_id) if scope != "all" else ())
    values = kept_counts("people", key, _columns(scope), params)
    out, before = [], 0
    for days, total in zip(ENDING_WINDOWS, values):  # shortest first
        n = int(total or 0) - before
        before = int(total or 0)
        if n:
            out.append(InboxItem(title=_("%(n)d employment contract(s) end within %(days)d days", n=n, days=days),
                                 url=url_for("people.index", ending=days), kind="due"))
    return out


@cache
def _columns(scope_kind: str) -> list:
    """One count per reminder window, built once per shape of scope, the user, the site and the days as bound
    parameters."""
    from portal.people.models import Staff

    scope = permissions.bound_staff_scope(scope_kind, bindparam("people_user_id"), bindparam("people_site_id"))
    out = []
    for days in ENDING_WINDOWS:
        stmt = (select(func.count(Staff.id)).select_from(Staff)
                .where(services.ending_clause(bindparam("people_today"), days, bindparam(f"people_until_{days}"))))
        out.append(stmt.where(scope) if scope is not None else stmt)
    return out


@provider
def extensions_to_decide(user) -> list[InboxItem] | Counts:
    """A manager sees how many contract evaluations wait for their signed decision (counted with the other modules'
    numbers in one statement, built once per shape of scope)."""
    if not user.can("people.approve_extension"):
        return []
    scope = permissions.staff_scope_kind(user)

    def items(values) -> list[InboxItem]:
        n = int(values[0] or 0)
        if not n:
            return []
        return [InboxItem(title=_("%(n)d contract evaluation(s) to decide", n=n), url=url_for("people.extensions"),
                          kind="sign")]

    return Counts(_extension_columns(scope), items, {"people_user_id": user.id, "people_site_id": user.site_id},
                  key=("people.extensions", scope))


@cache
def _extension_columns(scope_kind: str) -> list:
    """The contract evaluations waiting for a decision among the people of one of `permissions.staff_scope`'s shapes,
    the user and site bound."""
    from portal.people.models import PROPOSED, ContractExtension, Staff, StaffContract

    scope = permissions.bound_staff_scope(scope_kind, bindparam("people_user_id"), bindparam("people_site_id"))
    stmt = (select(func.count(ContractExtension.id)).join(StaffContract, StaffContract.id == ContractExtension.contract_id)
            .join(Staff, Staff.id == StaffContract.staff_id).where(ContractExtension.status == PROPOSED))
    return [stmt.where(scope) if scope is not None else stmt]
