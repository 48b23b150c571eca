"""The append-only audit trail: one table, hash-chained rows, written in the caller's transaction."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import utcnow
from portal.extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    """One thing that happened: who, when (UTC), what, to which object, old and new values, why."""

    __tablename__ = "audit_event"
    # The id is assigned by record() as last id + 1, so a forked chain fails on the primary key.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(120), default="")
    old_values: Mapped[str] = mapped_column(Text, default="")
    new_values: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"

    @property
    def old(self) -> dict:
        return json.loads(self.old_values) if self.old_values else {}

    @property
    def new(self) -> dict:
        return json.loads(self.new_values) if self.new_values else {}

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and every stored field of this row."""
        payload = json.dumps(
            [
                self.prev_hash,
                self.id,
                self.created_at.isoformat(timespec="microseconds"),
                self.actor_id,
                self.actor_name,
                self.action,
                self.object_type,
                self.object_id,
                self.old_values,
                self.new_values,
                self.reason,
                self.client_address,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def _dump(values: dict | None) -> str:
    if not values:
        return ""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=_default)


def _object_ref(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    return type(obj).__name__.lower(), str(getattr(obj, "id", "") or "")


def _lock_chain() -> None:
    # PostgreSQL: serialise writers of the chain until commit. SQLite has one writer anyway.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(740051)"))


def record(
    action: str,
    obj: Any = None,
    *,
    old: dict | None = None,
    new: dict | None = None,
    reason: str = "",
    actor: Any = None,
) -> AuditEvent:
    """Append one audit event to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    object_type, object_id = _object_ref(obj)
    if object_type and not object_id:
        db.session.flush()  # a new object gets its id first
        object_type, object_id = _object_ref(obj)
    address = ""
    if has_request_context():
        address = (request.remote_addr or "")[:64]
    _lock_chain()
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        old_values=_dump(old),
        new_values=_dump(new),
        reason=reason or "",
        client_address=address,
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    return event


def changes(obj: Any, fields: list[str], new_values: dict) -> tuple[dict, dict]:
    """The old and new values of the fields that new_values would change on obj."""
    old, new = {}, {}
    for name in fields:
        if name in new_values and getattr(obj, name) != new_values[name]:
            old[name] = getattr(obj, name)
            new[name] = new_values[name]
    return old, new


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows() -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    yield from db.session.scalars(stmt)


def verify_chain() -> VerifyResult:
    """Walk the chain from the first row; report the first row whose link or hash does not hold."""
    expected_prev, expected_id, checked = GENESIS, 1, 0
    for row in _rows():
        if row.id != expected_id:
            return VerifyResult(checked, row.id, f"missing row(s) before id {row.id}")
        if row.prev_hash != expected_prev:
            return VerifyResult(checked, row.id, "previous-hash link does not match")
        if row.compute_hash() != row.hash:
            return VerifyResult(checked, row.id, "row content does not match its hash")
        expected_prev, expected_id, checked = row.hash, row.id + 1, checked + 1
    return VerifyResult(checked)


SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]


def append_only_ddl(dialect: str) -> list[str]:
    """The statements that make the database itself refuse UPDATE and DELETE on audit_event."""
    return POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


def drop_append_only_ddl(dialect: str) -> list[str]:
    """The statements that undo append_only_ddl (migration downgrade only)."""
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event",
            "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
            "DROP FUNCTION IF EXISTS audit_event_append_only()",
        ]
    return ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]


def exported(filters: dict) -> None:
    """Note that the audit trail was exported with these filters."""
    record("audit.exported", None, new={"filters": filters})
