"""The append-only audit trail: one table, hash-chained rows, written in the caller's transaction.

Tamper evidence has three layers:
- every row carries the SHA-256 of its content and of the previous row (`hash`, `prev_hash`), so a changed or
  removed row breaks the chain;
- every row carries an HMAC-SHA256 of its hash (`mac`) with a key that is not in the database (AUDIT_HMAC_KEY
  or the key file instance/audit_key), so a rewritten chain that was re-hashed end to end is still found;
- anchors of the chain head (count, last id, last hash, time, HMAC) are appended to a file outside the database
  (`write_anchor()`, `flask audit anchor`, every backup), so deleting the newest rows is found too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Iterator, NamedTuple

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, String, Text, func, insert, literal_column, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import core_execute, reading_session, utcnow
from portal.core.unit import begin_writing
from portal.extensions import db

GENESIS = "0" * 64
KEY_FILE_NAME = "audit_key"
_log = logging.getLogger("portal.audit")


# --- the HMAC key (never stored in the database) -------------------------------------------------------------------

def load_key(config: dict, instance_path: str, *, create: bool) -> bytes | None:
    """The audit HMAC key: AUDIT_HMAC_KEY (any secret string), else the key file instance/audit_key.

    With create=True (demo, debug, tests) a missing key file is created with 32 random bytes, mode 0600.
    """
    configured = config.get("AUDIT_HMAC_KEY")
    if configured:
        return configured.encode("utf-8") if isinstance(configured, str) else bytes(configured)
    key_file = Path(config.get("AUDIT_HMAC_KEY_FILE") or Path(instance_path) / KEY_FILE_NAME)
    if not key_file.exists():
        if not create:
            return None
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    key = key_file.read_bytes()
    if len(key) < 16:
        raise RuntimeError(f"The audit key file {key_file} is too short (at least 16 bytes).")
    return key


def init_app(app) -> None:
    """Resolve the audit key at start-up: required in production, created in demo/debug/test mode."""
    lenient = bool(app.config.get("PORTAL_DEMO") or app.debug or app.testing)
    key = load_key(app.config, app.instance_path, create=lenient)
    if key is None:
        raise RuntimeError("AUDIT_HMAC_KEY (or the key file instance/audit_key) must be set in production "
                           "(see README, 'Audit trail integrity').")
    app.extensions["portal_audit_key"] = key


def hmac_key() -> bytes:
    key = current_app.extensions.get("portal_audit_key")
    if key is None:
        init_app(current_app)
        key = current_app.extensions["portal_audit_key"]
    return key


def row_mac(row_id: int, row_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of a row's id and hash (the hash already covers every field and the previous hash)."""
    message = f"audit_event:{row_id}:{row_hash}".encode("ascii")
    return hmac.new(key or hmac_key(), message, hashlib.sha256).hexdigest()


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
    # HMAC of id and hash with the key outside the database; NULL only for rows written before the key existed.
    mac: Mapped[str | None] = mapped_column(String(64))

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


# The chain's head. Built once: a statement built per call had its cache key computed on every audit event.
_LAST_EVENT = select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
# PostgreSQL: the chain's lock (pg_advisory_xact_lock(740051), held until commit: writers of the chain take turns)
# and then its head, in one round trip (migration d8b3f1a6c2e4: the function reads the head with a snapshot taken
# after the lock is granted). SQLite has one writer at a time anyway.
_LOCKED_HEAD = text("SELECT id, hash FROM audit_chain_head()")


def _chain_head():
    """The last event's id and hash (None on an empty chain), the chain locked until commit on PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        begin_writing(expire=False)  # a reading request (autocommit) must hold the lock until its INSERT commits
        head = core_execute(_LOCKED_HEAD).first()
        return head if head is not None and head.id is not None else None
    return core_execute(_LAST_EVENT).first()


class Head(NamedTuple):
    id: int
    hash: str


def head_returning():
    """On PostgreSQL, a column for the RETURNING of the one-row write that the event will record (an UPDATE): it
    takes the chain's lock and reads its head once the row is written and locked, in the write's own round trip.
    Pass what it returned to `record(head=...)`. None on SQLite (one writer at a time: `record` reads the head).

    The locks are taken in the same order as a write followed by `record`, the row first and then the chain: RETURNING
    is computed for a row after it was updated, never before, and not at all for a row the WHERE no longer matches
    (an UPDATE that finds nothing takes no lock of the chain). `audit_chain_head()` reads the head with a snapshot
    taken after its lock was granted, as it does on its own."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return _HEAD_COLUMN


_HEAD_COLUMN = literal_column("audit_chain_head()").label("chain_head")


def _returned_head(value) -> Head | None:
    """The head as `head_returning()` returned it: psycopg reads the function's row as a tuple of texts."""
    if value is None or value[0] is None:
        return None
    return Head(int(value[0]), value[1])


_READ = object()  # record(): no head given, read it


def record(
    action: str,
    obj: Any = None,
    *,
    old: dict | None = None,
    new: dict | None = None,
    reason: str = "",
    actor: Any = None,
    head: Any = _READ,
) -> AuditEvent:
    """Append one audit event to the current transaction (the caller commits).

    `head` is what the write before it returned of `head_returning()` (PostgreSQL): the chain is then locked already
    and its head read; by default `record` locks and reads it itself."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    object_type, object_id = _object_ref(obj)
    if object_type and not object_id:
        db.session.flush()  # a new object gets its id first
        object_type, object_id = _object_ref(obj)
    address = ""
    if has_request_context():
        address = (request.remote_addr or "")[:64]
    last = _chain_head() if head is _READ else _returned_head(head)
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
    event.mac = row_mac(event.id, event.hash)
    # Written with one INSERT, not through the session's unit of work (the event is never changed, and nothing reads
    # it back from the session): a flush of its own cost an autosave about a tenth of its time. The object returned
    # is the row as written, outside the session.
    stmt, columns = _insert_statement()
    core_execute(stmt, {column: getattr(event, column) for column in columns})
    return event


@cache
def _insert_statement():
    """The audit row's INSERT and every column it writes (all of the table's), built once."""
    return insert(AuditEvent.__table__), tuple(column.key for column in AuditEvent.__table__.columns)


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
    unsigned: int = 0  # rows written before the key existed: "no MAC (before key)"
    anchors: int = 0  # anchors checked
    last_id: int = 0
    last_hash: str = GENESIS
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_id is None


# --- anchors: the chain head, appended to a file outside the database --------------------------------------------

def anchors_path() -> Path:
    configured = current_app.config.get("AUDIT_ANCHORS_FILE")
    if configured:
        return Path(configured)
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / "audit" / "anchors.jsonl"


def chain_head(bind: Any = None) -> tuple[int, int, str]:
    """(row count, last id, last hash) as seen by bind (a session or connection; default db.session)."""
    bind = bind if bind is not None else db.session
    last = bind.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    count = bind.execute(select(func.count()).select_from(AuditEvent)).scalar() or 0
    return count, (last.id if last else 0), (last.hash if last else GENESIS)


def _anchor_message(anchor: dict) -> bytes:
    fields = [anchor.get("v"), anchor.get("at"), anchor.get("count"), anchor.get("last_id"), anchor.get("last_hash"),
              anchor.get("reason", "")]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def anchor_mac(anchor: dict, key: bytes | None = None) -> str:
    return hmac.new(key or hmac_key(), _anchor_message(anchor), hashlib.sha256).hexdigest()


def make_anchor(count: int, last_id: int, last_hash: str, reason: str = "") -> dict:
    anchor = {"v": 1, "at": utcnow().isoformat(timespec="seconds") + "Z", "count": count, "last_id": last_id,
              "last_hash": last_hash, "reason": reason}
    anchor["mac"] = anchor_mac(anchor)
    return anchor


def append_anchor(anchor: dict, path: Path | None = None) -> None:
    """Append one line to the anchors file (O_APPEND, fsync'ed)."""
    path = path or anchors_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(anchor, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_anchor(bind: Any = None, *, reason: str = "") -> dict:
    """Anchor the committed chain head outside the database; returns the anchor written.

    Without `bind` it reads the committed chain on a connection of its own (never anchors rows that could
    still roll back). The anchor is also logged, so a log collector keeps a second copy.
    """
    if bind is None:
        with reading_session() as session:
            count, last_id, last_hash = chain_head(session)
    else:
        count, last_id, last_hash = chain_head(bind)
    anchor = make_anchor(count, last_id, last_hash, reason)
    append_anchor(anchor)
    _log.info("audit anchor", extra={"audit_anchor": anchor})
    return anchor


def read_anchors(path: Path | None = None) -> tuple[list[dict], list[str]]:
    """The anchors in the file, and the problems found in its lines (unreadable line, wrong MAC)."""
    path = path or anchors_path()
    anchors, problems = [], []
    if not path.exists():
        return anchors, problems
    key = hmac_key()
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                anchor = json.loads(line)
                int(anchor["last_id"]), int(anchor["count"]), str(anchor["last_hash"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"anchor line {number} is unreadable")
                continue
            if not hmac.compare_digest(str(anchor.get("mac", "")), anchor_mac(anchor, key)):
                problems.append(f"anchor line {number} ({anchor.get('at')}) has a wrong MAC (forged or another key)")
                continue
            anchor["line"] = number
            anchors.append(anchor)
    return anchors, problems


def _describe(anchor: dict) -> str:
    return (f"anchor of {anchor.get('at')} (line {anchor.get('line')}: {anchor['count']} events up to id "
            f"{anchor['last_id']})")


def _rows(bind: Any = None) -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    yield from (bind if bind is not None else db.session).scalars(stmt)


def verify_chain(bind: Any = None, *, anchors_file: Path | None = None) -> VerifyResult:
    """Walk the chain from the first row; report the first row whose link, hash, MAC or anchor does not hold.

    Checks every row's link to the previous one, its hash, its HMAC with the key outside the database, and
    every anchor in the anchors file: the anchored row must exist with the anchored hash and the anchored count.
    """
    key = hmac_key()
    anchors, anchor_problems = read_anchors(anchors_file)
    if anchor_problems:
        return VerifyResult(0, 0, "; ".join(anchor_problems))
    by_id: dict[int, list[dict]] = {}
    for anchor in anchors:
        by_id.setdefault(int(anchor["last_id"]), []).append(anchor)
    expected_prev, expected_id, checked, unsigned, signed_seen = GENESIS, 1, 0, 0, False
    result = VerifyResult(0, anchors=len(anchors))

    def broken(row_id: int, problem: str) -> VerifyResult:
        result.checked, result.broken_id, result.problem, result.unsigned = checked, row_id, problem, unsigned
        return result

    for anchor in by_id.get(0, []):
        if int(anchor["count"]) != 0 or anchor["last_hash"] != GENESIS:
            return broken(0, f"{_describe(anchor)} is inconsistent")
    for row in _rows(bind):
        if row.id != expected_id:
            return broken(row.id, f"missing row(s) before id {row.id}")
        if row.prev_hash != expected_prev:
            return broken(row.id, "previous-hash link does not match")
        if row.compute_hash() != row.hash:
            return broken(row.id, "row content does not match its hash")
        if row.mac:
            if not hmac.compare_digest(row.mac, row_mac(row.id, row.hash, key)):
                return broken(row.id, "MAC does not match (row rewritten, or another key)")
            signed_seen = True
        elif signed_seen:
            return broken(row.id, "no MAC on a row written after the key existed")
        else:
            unsigned += 1
        for anchor in by_id.get(row.id, []):
            if anchor["last_hash"] != row.hash:
                return broken(row.id, f"hash differs from the {_describe(anchor)}")
            if int(anchor["count"]) != checked + 1:
                return broken(row.id, f"event count differs from the {_describe(anchor)}")
        expected_prev, expected_id, checked = row.hash, row.id + 1, checked + 1
    last_id = expected_id - 1
    beyond = [a for a in anchors if int(a["last_id"]) > last_id]
    if beyond:
        newest = max(beyond, key=lambda a: int(a["last_id"]))
        return broken(last_id + 1, f"missing tail: the {_describe(newest)} names rows the trail no longer has "
                                   f"(it ends at id {last_id})")
    result.checked, result.unsigned, result.last_id, result.last_hash = checked, unsigned, last_id, expected_prev
    if unsigned:
        result.notes.append(f"{unsigned} event(s) have no MAC (before key)")
    if not anchors:
        result.notes.append("no anchors yet (run `flask audit anchor`)")
    return result


SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    # INSERT OR REPLACE / UPSERT would replace a row without an UPDATE or (by default) a DELETE trigger firing:
    # an insert may only append after the last id.
    "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
    "WHEN NEW.id IS NULL OR NEW.id <= (SELECT coalesce(max(id), 0) FROM audit_event) "
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
    return ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete",
            "DROP TRIGGER IF EXISTS audit_event_no_replace"]


def exported(filters: dict) -> None:
    """Note that the audit trail was exported with these filters."""
    from portal.core.unit import begin_writing

    begin_writing()
    record("audit.exported", None, new={"filters": filters})
