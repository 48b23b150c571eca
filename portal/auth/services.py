"""Every state change of people, sessions, sites and services: mutate, audit, in one transaction."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, bindparam, cast, func, select, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.models import ApiToken, LoginAttempt, Service, Site, User, UserSession
from portal.core import audit
from portal.core.service import ServiceError, refusal
from portal.core.db import utcnow
from portal.core.unit import begin_writing
from portal.extensions import db

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,59}$")
# A fixed hash to compare against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


# ---------------------------------------------------------------- passwords
def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        return _("The password must be at least %(n)d characters long.", n=minimum)
    if len(password) > 256:
        return _("The password is too long.")
    return None


def hash_password(password: str) -> str:
    """The scrypt hash of a password."""
    return generate_password_hash(password, method="scrypt")


def _check_new_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field)


# ---------------------------------------------------------------- users
def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "position": user.position,
        "site": user.site.code if user.site else None,
        "roles": sorted(user.roles),
        "services": sorted(s.code for s in user.services),
        "locale": user.locale,
        "active": user.active,
    }


def _apply_user_fields(user: User, data: dict) -> None:
    for name in ("full_name", "email", "position", "locale"):
        if name in data:
            setattr(user, name, (data[name] or "").strip())
    if "site_id" in data:
        site = db.session.get(Site, data["site_id"])
        if site is None:
            raise ServiceError(_("Choose a site."), "site_id")
        user.site = site
    if "roles" in data:
        if not data["roles"]:
            raise ServiceError(_("Choose at least one role."), "roles")
        user.set_roles(list(data["roles"]))
    if "service_ids" in data:
        ids = list(data["service_ids"] or [])
        user.services = list(db.session.scalars(select(Service).where(Service.id.in_(ids)))) if ids else []
    if not user.full_name:
        raise ServiceError(_("Enter the full name."), "full_name")


def username_problem(username: str) -> str | None:
    """Why a new user name is not acceptable (its form, or taken), or None."""
    username = normalise_username(username)
    if not USERNAME_RE.match(username):
        return _("A user name is 2–60 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter.")
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        return _("The user name %(name)s is already taken.", name=username)
    return None


def create_user(data: dict, password: str) -> User:
    """Create a user who must change the given initial password at first login."""
    username = normalise_username(data.get("username", ""))
    problem = username_problem(username)
    if problem:
        raise ServiceError(problem, "username")
    _check_new_password(password)
    user = User(username=username, full_name="", password_hash=hash_password(password))
    user.must_change_password = data.get("must_change_password", True)
    user.password_changed_at = utcnow()
    _apply_user_fields(user, {"locale": "id", **data})
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, new=_user_snapshot(user))
    return user


def update_user(user: User, data: dict, reason: str = "") -> User:
    """Change a user's details, roles, site or services."""
    before = _user_snapshot(user)
    _apply_user_fields(user, data)
    after = _user_snapshot(user)
    old = {k: v for k, v in before.items() if after[k] != v}
    new = {k: after[k] for k in old}
    if new:
        audit.record("user.updated", user, old=old, new=new, reason=reason)
    return user


def end_sessions(user: User, reason: str, except_id: int | None = None) -> int:
    """End every open session of a user; returns how many were open."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    return db.session.execute(stmt).rowcount or 0


def deactivate_user(user: User, reason: str, by: User | None = None) -> None:
    """Deactivate a user and end their open sessions at once."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for deactivating this user."), "reason")
    if by is not None and by.id == user.id:
        raise ServiceError(_("You cannot deactivate your own account."), "reason")
    if not user.active:
        raise ServiceError(_("This user is already inactive."), "reason")
    user.active = False
    ended = end_sessions(user, "deactivated")
    audit.record("user.deactivated", user, old={"active": True}, new={"active": False, "sessions_ended": ended}, reason=reason)


def reactivate_user(user: User, reason: str) -> None:
    """Let a deactivated user sign in again."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for reactivating this user."), "reason")
    if user.active:
        raise ServiceError(_("This user is already active."), "reason")
    user.active = True
    audit.record("user.reactivated", user, old={"active": False}, new={"active": True}, reason=reason)


def reset_password(user: User, new_password: str, reason: str = "") -> None:
    """Set a temporary password the user must change at next login; ends their sessions."""
    _check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    ended = end_sessions(user, "password_reset")
    audit.record("user.password_reset", user, new={"must_change_password": True, "sessions_ended": ended}, reason=reason)


def change_own_password(user: User, current: str, new: str, keep_session_id: int | None) -> None:
    """A user changes their own password; their other sessions end."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(_("The current password is not correct."), "current_password")
    _check_new_password(new, "new_password")
    if check_password_hash(user.password_hash, new):
        raise ServiceError(_("Choose a password different from the current one."), "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    ended = end_sessions(user, "password_changed", except_id=keep_session_id)
    audit.record("user.password_changed", user, new={"other_sessions_ended": ended})


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Unknown language."), "locale")
    if user.locale != locale:
        audit.record("user.locale_changed", user, old={"locale": user.locale}, new={"locale": locale})
        user.locale = locale


# ---------------------------------------------------------------- login throttling
@dataclass
class LoginResult:
    user: User | None
    error: str | None = None
    locked_minutes: int = 0


def _failures_since(column, value, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(column == value, LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    ) or 0


def _last_success(username: str) -> datetime | None:
    return db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.success.is_(True))
    )


def lock_state(username: str, address: str) -> int:
    """Minutes until this account or address may try again, or 0 when it is not locked."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    now = utcnow()
    since = now - window
    last_ok = _last_success(username)
    account_since = max(since, last_ok) if last_ok else since
    by_account = _failures_since(LoginAttempt.username, username, account_since)
    by_address = _failures_since(LoginAttempt.client_address, address, since)
    if by_account < cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"] and by_address < cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        return 0
    newest = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            (LoginAttempt.username == username) | (LoginAttempt.client_address == address),
            LoginAttempt.success.is_(False),
        )
    ) or now
    remaining = (newest + window - now).total_seconds()
    return max(1, int(remaining // 60) + (1 if remaining % 60 else 0))


def _request_address() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "")[:64] if has_request_context() else ""


def signing_lock(user: User) -> int:
    """Minutes until this user may try a signature password again: signing failures count with the sign-in
    failures, under the same lock (0 when not locked)."""
    return lock_state(user.username, _request_address())


def count_signing_failure(user: User) -> None:
    """Count a wrong signature password as a failed sign-in of this account (the caller keeps it on record)."""
    db.session.add(LoginAttempt(username=user.username, client_address=_request_address(), success=False))


def confirm_password(user: User, password: str, refused_message: str, write=None) -> None:
    """A signature's password check: refused while the account is locked; a wrong password counts as a failed
    sign-in (same lock) and, with `write` (e.g. its audit event), stays on record although the change is undone."""
    minutes = signing_lock(user)
    if minutes:
        raise ServiceError(_("Too many wrong passwords. Try again in %(n)d minutes.", n=minutes), "password")
    if not check_password_hash(user.password_hash, password or ""):
        def keep():
            if write is not None:
                write()
            count_signing_failure(user)

        raise refusal(refused_message, "password", keep)


def authenticate(username: str, password: str, address: str) -> LoginResult:
    """Check a sign-in attempt against the throttle and the password; records the attempt and audits it."""
    username = normalise_username(username)[:60]
    address = (address or "")[:64]
    minutes = lock_state(username, address)
    if minutes:
        begin_writing()
        audit.record("auth.login_blocked", ("user", username), new={"username": username, "minutes": minutes})
        return LoginResult(None, _("Too many failed attempts. Try again in %(n)d minutes.", n=minutes), minutes)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    # Read and hashed without the write lock (the sign-in post starts as a reading request on SQLite,
    # core.unit.reads_first): only now does it wait for its turn to write.
    begin_writing()
    if ok and user is not None and not user.active:
        db.session.add(LoginAttempt(username=username, client_address=address, success=False))
        audit.record("auth.login_failed", user, new={"username": username, "why": "inactive"})
        return LoginResult(None, _("This account has been deactivated. Contact the administrator."))
    if not ok or user is None:
        db.session.add(LoginAttempt(username=username, client_address=address, success=False))
        audit.record("auth.login_failed", user or ("user", username), new={"username": username, "why": "password"})
        db.session.flush()
        minutes = lock_state(username, address)
        if minutes:
            return LoginResult(None, _("Too many failed attempts. Try again in %(n)d minutes.", n=minutes), minutes)
        return LoginResult(None, _("The user name or password is not correct."))
    db.session.add(LoginAttempt(username=username, client_address=address, success=True))
    return LoginResult(user)


# ---------------------------------------------------------------- sessions
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, address: str, user_agent: str) -> tuple[str, UserSession]:
    """Open a new server-side session; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_token_hash(token), user_id=user.id, client_address=(address or "")[:64], user_agent=(user_agent or "")[:255]
    )
    db.session.add(row)
    user.previous_login_at, user.last_login_at = user.last_login_at, utcnow()
    db.session.flush()
    audit.record("auth.login", user, new={"session": row.id}, actor=user)
    return token, row


def find_session(token: str | None) -> UserSession | None:
    """The session row for a cookie token, open or not."""
    if not token:
        return None
    from portal.core import fragments

    row = db.session.execute(_session_statement(), {"token_hash": _token_hash(token)}).first()
    if row is None:
        return None
    found, roles, service_ids, *tokens = row
    found.user.signed_in_as(roles, service_ids)
    fragments.remember_tokens(tokens)
    return found


@cache
def _session_statement():
    """The session, its user and the user's site, role names and service ids in one statement, with the shared
    fragments' tokens (core/fragments.py: read here, before any data, they save a statement — a round trip on
    PostgreSQL): every request pays it, so it is built once (with a bound parameter) and SQLAlchemy neither rebuilds
    its options nor recomputes its cache key. The roles and services come as two comma-separated columns rather than
    as joined collections (`User.signed_in_as`): turning the joined rows into UserRole and Service objects cost the
    ORM a third more than the rest of the statement (≈ 60 µs a request on SQLite)."""
    from portal.auth.models import UserRole, user_service
    from portal.core import fragments

    roles = select(func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id).scalar_subquery()
    services = (select(func.aggregate_strings(cast(user_service.c.service_id, String), ","))
                .where(user_service.c.user_id == User.id).scalar_subquery())
    return (select(UserSession, roles, services, *fragments.token_columns())
            .join(UserSession.user).options(contains_eager(UserSession.user))
            .where(UserSession.token_hash == bindparam("token_hash")))


def service_names(user: User) -> list[str]:
    """The names of the user's services, in the order of their codes (what "Your access" shows), from every service's
    id and name kept until the services change (`core.fragments.memo`): the signed-in user carries their service ids
    only (`User.signed_in_as`)."""
    from portal.core import fragments

    every = fragments.memo("documents", ("auth.service_names",), lambda: tuple(
        tuple(row) for row in db.session.execute(select(Service.id, Service.name).order_by(Service.code))))
    mine = user.service_ids
    return [name for service_id, name in every if service_id in mine]


def session_is_idle(row: UserSession) -> bool:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return utcnow() - row.last_seen_at > idle


def session_is_too_old(row: UserSession) -> bool:
    """A session ends after SESSION_MAX_HOURS however active it is (a stolen cookie does not live for ever)."""
    return utcnow() - row.created_at > timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def end_session(row: UserSession, reason: str, actor: User | None = None) -> None:
    """End one session (logout, idle timeout)."""
    if row.ended_at is not None:
        return
    row.ended_at = utcnow()
    row.ended_reason = reason
    action = "auth.logout" if reason == "logout" else "auth.session_ended"
    audit.record(action, row.user, new={"session": row.id, "reason": reason}, actor=actor or row.user)


def touch_due(row: UserSession) -> bool:
    """Whether the session's last activity is older than a minute (and so worth writing)."""
    return utcnow() - row.last_seen_at > timedelta(seconds=60)


def touch_session(row: UserSession) -> None:
    """Note activity; written at most once a minute to keep requests cheap."""
    now = utcnow()
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now


# ---------------------------------------------------------------- sites and services
SITE_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")


def _site_snapshot(site: Site) -> dict:
    return {"code": site.code, "name": site.name, "timezone": site.timezone, "is_head_office": site.is_head_office, "active": site.active}


def save_site(site: Site | None, data: dict, reason: str = "") -> Site:
    """Create or change a site."""
    from portal.auth.models import TIMEZONES

    code = (data.get("code") or "").strip().upper()
    if not SITE_CODE_RE.match(code):
        raise ServiceError(_("A code is 1–20 capital letters, digits, dash or underscore."), "code")
    clash = db.session.scalar(select(Site.id).where(func.upper(Site.code) == code))
    if clash and (site is None or clash != site.id):
        raise ServiceError(_("The code %(code)s is already used.", code=code), "code")
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Enter the name."), "name")
    if data.get("timezone") not in TIMEZONES:
        raise ServiceError(_("Choose a time zone."), "timezone")
    creating = site is None
    before = {} if creating else _site_snapshot(site)
    site = site or Site()
    site.code, site.name, site.timezone = code, name, data["timezone"]
    site.is_head_office = bool(data.get("is_head_office"))
    site.active = bool(data.get("active", True))
    db.session.add(site)
    db.session.flush()
    after = _site_snapshot(site)
    if creating:
        audit.record("site.created", site, new=after, reason=reason)
    else:
        old = {k: v for k, v in before.items() if after[k] != v}
        if old:
            audit.record("site.updated", site, old=old, new={k: after[k] for k in old}, reason=reason)
    return site


def _service_snapshot(service: Service) -> dict:
    return {"code": service.code, "name": service.name, "direction": service.direction, "active": service.active}


def save_service(service: Service | None, data: dict, reason: str = "") -> Service:
    """Create or change a service line."""
    code = (data.get("code") or "").strip().upper()
    if not SITE_CODE_RE.match(code):
        raise ServiceError(_("A code is 1–20 capital letters, digits, dash or underscore."), "code")
    clash = db.session.scalar(select(Service.id).where(func.upper(Service.code) == code))
    if clash and (service is None or clash != service.id):
        raise ServiceError(_("The code %(code)s is already used.", code=code), "code")
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Enter the name."), "name")
    if data.get("direction") not in ("inbound", "outbound"):
        raise ServiceError(_("Choose inbound or outbound."), "direction")
    creating = service is None
    before = {} if creating else _service_snapshot(service)
    service = service or Service()
    service.code, service.name, service.direction = code, name, data["direction"]
    service.active = bool(data.get("active", True))
    db.session.add(service)
    db.session.flush()
    after = _service_snapshot(service)
    if creating:
        audit.record("service.created", service, new=after, reason=reason)
    else:
        old = {k: v for k, v in before.items() if after[k] != v}
        if old:
            audit.record("service.updated", service, old=old, new={k: after[k] for k in old}, reason=reason)
    return service


# ---------------------------------------------------------------- API tokens
def token_expiry(expires_on: date) -> datetime:
    """The moment (UTC) a token chosen to expire on `expires_on` stops working: the end of that day, portal time."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    end = datetime.combine(expires_on + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def create_api_token(user: User, name: str, expires_on: date | None = None) -> str:
    """A new API token for the user, valid until the end of `expires_on` (default API_TOKEN_DAYS from today, at
    most API_TOKEN_MAX_DAYS); the raw value is shown once and only its hash is kept."""
    from portal.core.i18n import local_today

    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Name the token (e.g. the tool that will use it)."), "name")
    today, longest = local_today(), current_app.config["API_TOKEN_MAX_DAYS"]
    expires_on = expires_on or today + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    if expires_on <= today:
        raise ServiceError(_("Choose a date after today."), "expires_on")
    if expires_on > today + timedelta(days=longest):
        raise ServiceError(_("A token may be valid for at most %(n)d days; choose an earlier date.", n=longest),
                           "expires_on")
    raw = "pm_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:80], token_hash=_token_hash(raw), expires_at=token_expiry(expires_on))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, new={"name": token.name, "user": user.username,
                                                  "expires_at": token.expires_at.isoformat(timespec="seconds")})
    return raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", token, new={"name": token.name})


def user_for_token(raw: str) -> User | None:
    """The active user behind a valid API token (not revoked, not expired)."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(raw or ""), ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active or not token.user.can("auth.api_tokens"):
        return None
    if token.expired:
        from flask import g, has_request_context

        if has_request_context():
            g.api_token_expired = True  # the 401 says why
        return None
    token.last_used_at = utcnow()
    return token.user
