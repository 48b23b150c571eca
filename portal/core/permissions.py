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

# Named permissions and their grants to roles, registered by each module (see core/modules.py).
PERMISSIONS: dict[str, object] = {}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {role: frozenset() for role in ROLES}
_by_module: dict[str, tuple[dict[str, object], dict[str, set[str]]]] = {}


def register(module: str, permissions: dict[str, object], grants: dict[str, set[str]]) -> None:
    """Declare a module's permissions and which roles hold them (idempotent: a module re-registers the same)."""
    for role, perms in grants.items():
        if role not in ROLES:
            raise ValueError(f"module {module}: unknown role {role!r}")
        unknown = set(perms) - set(permissions) - set(PERMISSIONS)
        if unknown:
            raise ValueError(f"module {module}: role {role} is granted unknown permissions {sorted(unknown)}")
    _by_module[module] = (dict(permissions), {r: set(p) for r, p in grants.items()})
    PERMISSIONS.clear()
    for perms, _grants in _by_module.values():
        PERMISSIONS.update(perms)
    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    for _perms, module_grants in _by_module.values():
        for role, perms in module_grants.items():
            merged[role] |= perms
    ROLE_PERMISSIONS.clear()
    ROLE_PERMISSIONS.update({role: frozenset(perms) for role, perms in merged.items()})
    _unions.clear()


def granted_by(module: str) -> dict[str, set[str]]:
    """The grants one module declared: role -> permissions."""
    return _by_module.get(module, ({}, {}))[1]


_unions: dict[frozenset[str], frozenset[str]] = {}  # role set -> its permissions; cleared when grants change


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of the given roles (computed once per role set: `user.can` asks it often)."""
    key = frozenset(roles)
    found = _unions.get(key)
    if found is None:
        out: set[str] = set()
        for role in key:
            out |= ROLE_PERMISSIONS.get(role, frozenset())
        found = _unions[key] = frozenset(out)
    return found


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


def check_policies(app) -> None:
    """Refuse to start when a route requires a permission no module declared."""
    for endpoint, view in app.view_functions.items():
        policy = getattr(view, "policy", None)
        if policy is not None and policy.kind == "permission" and policy.permission not in PERMISSIONS:
            raise RuntimeError(f"route {endpoint} requires unknown permission {policy.permission!r}")


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
