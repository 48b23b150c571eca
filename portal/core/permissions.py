"""Roles, named permissions and route policies, all in one place.

Every route declares a policy: @public, @login_required (any signed-in user) or
@require("<permission>"). A route without a declared policy is refused at run time
(deny by default) and by a test that walks the URL map.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Callable, Iterable

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import login_manager

# Role codes are the demo user names, too.
ROLES: dict[str, object] = {
    "agent": _l("Agent"),
    "tl": _l("Team Leader"),
    "spv": _l("Supervisor"),
    "qco": _l("Quality Control Officer"),
    "qa": _l("Quality Assurance"),
    "trainer": _l("Trainer"),
    "hr": _l("HR Recruitment"),
    "dc": _l("Document Controller"),
    "qmr": _l("Quality Management Representative"),
    "manager": _l("Manager"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
}

PERMISSIONS: dict[str, object] = {
    "users.manage": _l("Create, edit and deactivate users; reset passwords"),
    "org.manage": _l("Manage sites and services"),
    "audit.view": _l("Read the audit trail"),
    "audit.export": _l("Export the audit trail to Excel"),
    "scope.all_sites": _l("See records of every site and service"),
    "documents.read": _l("Read controlled documents"),
    "documents.draft": _l("Register documents, draft and submit revisions"),
    "documents.check": _l("Check submitted revisions"),
    "documents.approve": _l("Approve checked revisions"),
    "documents.manage": _l("Withdraw documents, decide change requests"),
    "documents.review": _l("Record periodic reviews of documents"),
    "documents.reports": _l("See who has read what; export the master list"),
    "documents.copies": _l("Register controlled copies and confirm their withdrawal"),
    "records.fill": _l("Fill forms online and submit records"),
    "records.read": _l("Read the records of one's site and services"),
    "records.approve": _l("Approve or return submitted records"),
    "records.export": _l("Export records to Excel and PDF bundles"),
    "records.hold": _l("Place and lift legal holds on records"),
    "records.dispose": _l("Approve the disposal of records past retention"),
    "records.manage": _l("Manage client contracts (retention \"Selama PKS\")"),
}

READ = {"documents.read"}
FILL = {"records.fill", "records.read"}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset(READ),
    "tl": frozenset(READ | FILL),
    "spv": frozenset(READ | FILL | {"documents.check", "records.approve"}),
    "qco": frozenset(READ | FILL),
    "qa": frozenset(READ | FILL | {"documents.check"}),
    "trainer": frozenset(READ | FILL),
    "hr": frozenset(READ | FILL),
    "dc": frozenset(READ | {"scope.all_sites", "documents.draft", "documents.manage", "documents.review", "documents.reports",
                            "documents.copies", "records.read", "records.export", "records.manage"}),
    "qmr": frozenset(READ | {"audit.view", "audit.export", "scope.all_sites", "documents.check", "documents.approve",
                             "documents.manage", "documents.review", "documents.reports", "documents.copies",
                             "records.read", "records.export", "records.hold", "records.dispose", "records.manage"}),
    "manager": frozenset(READ | {"scope.all_sites", "documents.check", "documents.approve", "documents.reports",
                                 "records.read", "records.approve", "records.export"}),
    "auditor": frozenset(READ | {"audit.view", "audit.export", "scope.all_sites", "documents.reports", "records.read",
                                 "records.export"}),
    "admin": frozenset(READ | {"users.manage", "org.manage", "audit.view", "audit.export", "scope.all_sites"}),
}

assert set(ROLE_PERMISSIONS) == set(ROLES)
assert all(p in PERMISSIONS for perms in ROLE_PERMISSIONS.values() for p in perms)


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of the given roles."""
    out: set[str] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(out)


@dataclass(frozen=True)
class Policy:
    kind: str  # "public" | "login" | "permission"
    permission: str | None = None

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        return self.kind == "login" or user.can(self.permission)


def _attach(view: Callable, policy: Policy) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if policy.kind != "public" and not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not policy.allows(current_user):
            abort(403)
        return view(*args, **kwargs)

    wrapper.policy = policy  # type: ignore[attr-defined]
    return wrapper


def public(view: Callable) -> Callable:
    """Open to anyone, signed in or not."""
    return _attach(view, Policy("public"))


def login_required(view: Callable) -> Callable:
    """Open to every signed-in user."""
    return _attach(view, Policy("login"))


def require(permission: str) -> Callable[[Callable], Callable]:
    """Open to signed-in users whose roles grant the named permission."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        return _attach(view, Policy("permission", permission))

    return decorator


# Endpoints served by Flask itself.
BUILTIN_PUBLIC = {"static"}


def policy_of(endpoint: str | None) -> Policy | None:
    """The declared policy of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint in BUILTIN_PUBLIC:
        return Policy("public")
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "policy", None)


def deny_undeclared() -> None:
    """before_request hook: refuse any route that declares no policy."""
    if request.endpoint is None:
        return  # 404/405 handled by Flask
    if policy_of(request.endpoint) is None:
        current_app.logger.error("route without policy refused: %s", request.endpoint)
        abort(403)


# Object-level checks shared by views and templates.
def can_see_site(user, site_id: int | None) -> bool:
    """A user sees objects of their own site, or of every site with scope.all_sites."""
    if not user.is_authenticated:
        return False
    return user.can("scope.all_sites") or (site_id is not None and site_id == user.site_id)


def can_see_scope(user, site_id: int | None, service_ids: Iterable[int]) -> bool:
    """A user sees an object of a site and services when both the site and one service are theirs."""
    if not user.is_authenticated:
        return False
    if user.can("scope.all_sites"):
        return True
    wanted = set(service_ids)
    return site_id == user.site_id and (not wanted or bool(wanted & user.service_ids))
