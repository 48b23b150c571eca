"""Users with roles, their site and services; login sessions and attempts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import TimestampMixin, utcnow
from portal.core.permissions import ROLES, permissions_for
from portal.extensions import db

TIMEZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class Site(TimestampMixin, db.Model):
    """A location: head office ("Pusat") or an area."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    is_head_office: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Site {self.code}>"

    @property
    def tz_label(self) -> str:
        return TIMEZONES.get(self.timezone, self.timezone)


class Service(TimestampMixin, db.Model):
    """A contact-center service line ("layanan"), e.g. 147 or TAM CT-0 PraNPC."""

    __tablename__ = "service"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(10), default="inbound")  # inbound | outbound
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Service {self.code}>"


user_service = Table(
    "user_service",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class User(TimestampMixin, db.Model):
    """A person who signs in. Never deleted: deactivated, so the audit trail keeps its names."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(160), default="")
    position: Mapped[str] = mapped_column(String(120), default="")  # "Jabatan"
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    last_login_at: Mapped[datetime | None]
    previous_login_at: Mapped[datetime | None]  # the sign-in before the current one, shown as "last sign-in"

    site: Mapped[Site] = relationship(lazy="joined")
    # Loaded when used; a list of users that shows them asks with selectinload. The signed-in user's role names and
    # service ids come with the session in one statement instead (auth.services.find_session, `signed_in_as`): the
    # questions every request asks (`roles`, `can`, `service_ids`) are answered from those, without the objects.
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", order_by=UserRole.role)
    services: Mapped[list[Service]] = relationship(secondary=user_service, order_by=Service.code)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    # Roles and permissions
    def signed_in_as(self, roles: str | None, service_ids: str | None) -> None:
        """Take the role names and service ids read with the session (comma-separated, as the database aggregated
        them), so that `roles` and `service_ids` need neither relationship. A change of either relationship in this
        request drops them (the listeners below)."""
        self.__dict__[_ROLES] = tuple(sorted(roles.split(","))) if roles else ()
        self.__dict__[_SERVICE_IDS] = frozenset(int(i) for i in service_ids.split(",")) if service_ids else frozenset()

    @property
    def roles(self) -> list[str]:
        known = self.__dict__.get(_ROLES)
        if known is not None:
            return list(known)
        return [r.role for r in self.role_rows]

    def set_roles(self, roles: list[str]) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(roles) - have)]

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles)

    def can(self, permission: str | None) -> bool:
        return permission is not None and permission in self.permissions

    @property
    def service_ids(self) -> set[int]:
        known = self.__dict__.get(_SERVICE_IDS)
        if known is not None:
            return set(known)
        return {s.id for s in self.services}


_ROLES, _SERVICE_IDS = "_signed_in_roles", "_signed_in_service_ids"


def _forget(name: str):
    def listener(target, *_args, **_kw):
        target.__dict__.pop(name, None)
    return listener


for _event in ("append", "remove", "bulk_replace"):  # a collection assigned whole fires bulk_replace
    event.listen(User.role_rows, _event, _forget(_ROLES))
    event.listen(User.services, _event, _forget(_SERVICE_IDS))


class UserSession(db.Model):
    """A signed-in browser session; the cookie carries its token, the database its hash."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str] = mapped_column(String(30), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} ended={self.ended_reason or '-'}>"


class LoginAttempt(db.Model):
    """One sign-in attempt; failures counted per account and per address limit guessing."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(60))
    client_address: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool]

    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "client_address", "at"),
    )

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.username} {self.client_address} ok={self.success}>"


class ApiToken(db.Model):
    """A personal token for the read-only JSON API; only its hash is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Chosen at creation (API_TOKEN_DAYS by default, at most API_TOKEN_MAX_DAYS ahead); refused from this moment on.
    expires_at: Mapped[datetime]

    user: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.name} user={self.user_id}>"

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()
