"""The record lifecycle: create on the form revision in force, save drafts, submit, approve (lock), return, amend;
retention, legal holds and disposal. Services flush and audit; the caller commits."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Date, Integer, String, bindparam, func, literal, select, union_all, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import contains_eager, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.core.i18n import local_today
from portal.auth import services as auth
from portal.auth.models import Service, Site, User
from portal.core.service import ConflictError, ServiceError
from portal.core import audit, integrity, permissions
from portal.core.db import core_execute, utcnow
from portal.documents import services as documents
from portal.documents.models import EFFECTIVE, FORM_SCHEMA_SQL, Document, RecordType, Revision
from portal.extensions import db
from portal.records import retention, schema as schemas
from portal.records.permissions import can_amend, can_approve, can_edit, can_view  # noqa: F401 (re-exported)
from portal.records.models import (APPROVED, DISPOSED, DRAFT, SUBMITTED, Contract, Disposal, Record, RecordSignature,
                                   RecordVersion)

MEANINGS = {"submitted": "Dibuat dan diserahkan (saya menyatakan isi rekaman ini benar)",
            "approved": "Diperiksa dan disetujui"}


class RecordInvalid(ServiceError):
    """Submitted data that does not satisfy the form's schema: errors by field name."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("The record has %(n)d error(s); see the marked fields.", n=len(errors)))
        self.errors = errors


# ---------------------------------------------------------------- forms
def schema_of(rev: Revision | None) -> dict | None:
    return (rev.meta.get("form_schema") if rev is not None else None) or None


def online_forms() -> list[tuple[Document, Revision]]:
    """Form documents whose revision in force carries a field schema."""
    stmt = (select(Revision).join(Document).options(contains_eager(Revision.document).joinedload(Document.services))
            .where(Document.doc_type == "F", Revision.status == EFFECTIVE, Document.withdrawn_at.is_(None),
                   sql_text(f"revision.{FORM_SCHEMA_SQL}"))  # forms on paper are not loaded at all (a partial index holds the others)
            .order_by(Document.code_key))
    return [(rev.document, rev) for rev in db.session.scalars(stmt).unique() if schema_of(rev)]


@dataclass(frozen=True)
class FormInForce:
    """A form that can be filled online, as lists and the home page show it: no ORM objects."""
    code: str
    title: str
    number: str  # of the revision in force
    schema: dict
    service_ids: frozenset


def forms_in_force() -> tuple[FormInForce, ...]:
    """`online_forms()` as narrow rows, in one statement: the list of forms to fill and the home page's forms due
    need the code, title, revision number, schema and services, not the documents and revisions themselves. Kept
    until the register changes (`core.fragments.memo`: the documents area's token); the schemas are read-only."""
    from portal.core import fragments

    return fragments.memo("documents", ("records.forms_in_force",), _forms_in_force)


def _forms_in_force() -> tuple[FormInForce, ...]:
    found: dict[int, list] = {}
    for doc_id, code, title, number, meta_json, service_id in db.session.execute(_forms_in_force_statement()):
        entry = found.get(doc_id)
        if entry is None:
            schema = (json.loads(meta_json or "{}").get("form_schema")) or None
            entry = found[doc_id] = [code, title, number, schema, set()]
        if service_id is not None:
            entry[4].add(service_id)
    return tuple(FormInForce(code, title, number, schema, frozenset(ids))
                 for code, title, number, schema, ids in found.values() if schema)


@cache
def _forms_in_force_statement():
    from portal.documents.models import document_service

    return (select(Document.id, Document.code, Document.title, Revision.number, Revision.meta_json,
                   document_service.c.service_id)
            .join(Revision, Revision.document_id == Document.id)
            .outerjoin(document_service, document_service.c.document_id == Document.id)
            .where(Document.doc_type == "F", Revision.status == EFFECTIVE, Document.withdrawn_at.is_(None),
                   sql_text(f"revision.{FORM_SCHEMA_SQL}"))  # the same condition as online_forms (its partial index)
            .order_by(Document.code_key, document_service.c.service_id))


def services_for(user: User, doc: Document) -> list[Service]:
    """The services a user may open a record of this form for: their own (every one with scope.all_sites),
    narrowed to the form's services when the form names some."""
    stmt = select(Service).where(Service.active.is_(True)).order_by(Service.name)
    if not user.can("scope.all_sites"):
        stmt = stmt.where(Service.id.in_(sorted(user.service_ids) or [0]))
    form_services = [s.id for s in doc.services]
    if form_services:
        stmt = stmt.where(Service.id.in_(form_services))
    return list(db.session.scalars(stmt))


def form_in_force(code: str) -> tuple[Document, Revision]:
    doc = documents.get_document(code)
    if doc is None or doc.doc_type != "F":
        raise ServiceError(_("There is no form with the code %(code)s.", code=code))
    rev = doc.current
    if rev is None or not schema_of(rev) or doc.withdrawn_at is not None:
        raise ServiceError(_("The form %(code)s has no revision in force that can be filled online.", code=doc.code))
    return doc, rev


def retention_for(form_code: str) -> tuple[str, str]:
    """(retention, owner) of this form in the records table of the procedure in force that produces it."""
    stmt = (select(RecordType).join(Revision).where(Revision.status == EFFECTIVE,
                                                     db.func.upper(RecordType.code) == form_code.upper()).limit(1))
    row = db.session.scalar(stmt)
    return (row.retention, row.owner) if row else ("", "")


def staff_choices(site_id: int) -> list[User]:
    """Who a staff picker offers: active people of the record's site."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.site_id == site_id).order_by(User.full_name)))


def staff_lookup(record: Record) -> dict[int, User]:
    """The people a record names (by id), wherever they work today."""
    ids = set()
    for f in schemas.fields(schema_of(record.form_revision) or {}):
        values = [record.data.get(f["key"])] if f["type"] != "table" else [
            row.get(c["key"]) for row in record.data.get(f["key"]) or [] for c in f["columns"] if c["type"] == "staff"]
        if f["type"] in ("staff", "table"):
            ids |= {int(v) for v in values if isinstance(v, str) and v.isdigit()}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def content_hash(record: Record, data: dict | None = None) -> str:
    """The hash a signature seals: the record's header and `data` (its own data when None)."""
    payload = {"form": record.form_code, "form_revision": record.form_revision.number if record.form_revision else None,
               "site": record.site_id, "service": record.service_id, "period": [record.period_start.isoformat(),
               record.period_end.isoformat()], "version": record.version,
               "data": record.data if data is None else data}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def integrity_warning(record: Record) -> str | None:
    """A red warning when a signed record's content was changed behind the portal's back (recorded once)."""
    if record.status not in (SUBMITTED, APPROVED):
        return None
    sig = record.signature("approved") or record.signature("submitted")
    expected = sig.content_hash if sig is not None and sig.content_hash else record.content_hash
    found = content_hash(record)
    return None if found == expected else integrity.mismatch(record, expected, found)


def check_all_signed() -> Iterator[str]:
    """Recheck every submitted or approved record against its signatures (for `flask audit verify`)."""
    stmt = (select(Record).options(selectinload(Record.signatures))
            .where(Record.status.in_([SUBMITTED, APPROVED])).order_by(Record.id).execution_options(yield_per=500))
    for record in db.session.scalars(stmt):
        if integrity_warning(record):
            yield f"record {record.number} (id {record.id}): content differs from its signatures"


# ---------------------------------------------------------------- lifecycle
def create(form_code: str, user: User, site_id, service_id, period_start, period_end=None) -> Record:
    """A new draft record of the form in force; header errors are raised with the field they concern."""
    doc, rev = form_in_force(form_code)
    site = db.session.get(Site, site_id) if site_id else None
    if site is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if not permissions.can_see_site(user, site.id):
        raise ServiceError(_("You may only create records for your own site."), "site_id")
    service = None
    if service_id:
        service = db.session.get(Service, service_id)
        if service is None:
            raise ServiceError(_("Choose a service from the list."), "service_id")
        if service.id not in {s.id for s in services_for(user, doc)}:
            raise ServiceError(_("You may only create records for the services you cover."), "service_id")
    schema = schema_of(rev) or {}
    if service is None and any(f["type"] == "service" for f in schemas.fields(schema)):
        raise ServiceError(_("Choose the service: this form records it."), "service_id")
    if not isinstance(period_start, date):
        raise ServiceError(_("Enter the start of the period."), "period_start")
    period_end = period_end or period_start
    if period_end < period_start:
        raise ServiceError(_("The period cannot end before it starts."), "period_end")
    if (period_end - period_start).days > 366:
        raise ServiceError(_("A record covers at most one year; check the end of the period."), "period_end")
    if period_start > local_today():
        raise ServiceError(_("A record cannot be about a period that has not started yet."), "period_start")
    text, _owner = retention_for(doc.code)
    record = Record(form_document_id=doc.id, form_revision_id=rev.id, form_code=doc.code, site_id=site.id,
                    service_id=service.id if service else None, period_start=period_start, period_end=period_end,
                    status=DRAFT, version=1, created_by_id=user.id, retention_text=text)
    record.data = schemas.fill_header(schema, {}, _pair(service), _pair(site))
    db.session.add(record)
    db.session.flush()
    record.content_hash = content_hash(record)
    audit.record("record.created", record, new={"form": doc.code, "form_revision": rev.number, "site": site.code,
                                                "service": service.code if service else None,
                                                "period": f"{period_start} .. {period_end}"}, actor=user)
    return record


def _pair(obj) -> tuple[str, str] | None:
    return (obj.code, obj.name) if obj is not None else None


def with_header(record: Record, data: dict) -> dict:
    """What was posted, with the fields that repeat the header (service, site) taken from the header."""
    return schemas.fill_header(schema_of(record.form_revision) or {}, data, _pair(record.service), _pair(record.site))


def locked_fields(record: Record) -> set[str]:
    """The keys of the record's fields that repeat its header, shown locked."""
    return schemas.locked_keys(schema_of(record.form_revision) or {}, _pair(record.service), _pair(record.site))


def save_draft(record: Record, user: User, data: dict, seen_version: int | None = None) -> bool:
    """Keep what the user typed (valid or not: validation happens at submission). True when something changed.

    `seen_version` is the version the user's page was showing: a save made on an older one is refused."""
    if not can_edit(user, record):
        raise ServiceError(_("Only the author can change a draft record."))
    if seen_version is not None and seen_version != record.row_version:
        raise ConflictError(str(documents.CONFLICT))
    old = record.data
    data = with_header(record, data)
    if old == data:
        return False
    # One UPDATE of the four columns an autosave changes, checked against the version read, instead of the session's
    # unit of work (which cost a changing autosave a sixth of its time: the flush's sorting, history and bookkeeping).
    # The object is then told the values as the database holds them (nothing left for the session to write).
    values = {"data_json": Record.dump_data(data), "content_hash": content_hash(record, data),
              "row_version": record.row_version + 1, "updated_at": utcnow()}
    # On PostgreSQL the UPDATE also locks the audit chain and returns its head (audit.head_returning): one round
    # trip fewer, the locks in the same order (the row, then the chain).
    head_column = audit.head_returning()
    written = core_execute(_draft_update(head_column),
                           {**values, "record_id": record.id, "seen_version": record.row_version})
    if written.rowcount != 1:  # changed (or deleted) since it was read: nothing written, the chain not locked
        raise ConflictError(str(documents.CONFLICT))
    chain = {} if head_column is None else {"head": written.scalar_one()}
    for name, value in values.items():
        set_committed_value(record, name, value)
    changed = sorted(k for k in set(old) | set(data) if old.get(k) != data.get(k))
    audit.record("record.draft_saved", record, new={"fields": changed, "content_hash": record.content_hash}, actor=user,
                 **chain)
    return True


@cache
def _draft_update(returning=None):
    table = Record.__table__
    statement = (update(table)
                 .where(table.c.id == bindparam("record_id"), table.c.row_version == bindparam("seen_version"))
                 .values({name: bindparam(name) for name in ("data_json", "content_hash", "row_version", "updated_at")}))
    return statement if returning is None else statement.returning(returning)


def _check_password(user: User, password: str, record: Record, role: str) -> None:
    auth.confirm_password(user, password, _("The password is not correct; the record was not signed."),
                          lambda: audit.record("record.signature_refused", record, new={"role": role, "why": "password"},
                                               actor=user))


def _sign(record: Record, user: User, role: str) -> RecordSignature:
    sig = RecordSignature(record_id=record.id, version=record.version, role=role, user_id=user.id, name=user.full_name,
                          position=user.position, signed_at=utcnow(), meaning=MEANINGS[role],
                          content_hash=record.content_hash)
    record.signatures.append(sig)
    return sig


def submit(record: Record, user: User, password: str, data: dict | None = None) -> Record:
    """The author signs; the data must satisfy the schema (errors raised by field, nothing stored but the draft)."""
    if not can_edit(user, record):
        raise ServiceError(_("Only the author can submit a draft record."))
    if data is not None:
        save_draft(record, user, data)
    errors = schemas.validate(schema_of(record.form_revision), record.data,
                              {u.id for u in staff_choices(record.site_id)})
    if errors:
        raise RecordInvalid(errors)
    _check_password(user, password, record, "submitted")
    record.content_hash = content_hash(record)
    _sign(record, user, "submitted")
    record.status = SUBMITTED
    record.submitted_at = utcnow()
    record.return_reason = ""
    audit.record("record.submitted", record, old={"status": DRAFT},
                 new={"status": SUBMITTED, "version": record.version, "content_hash": record.content_hash}, actor=user)
    return record


def approve(record: Record, user: User, password: str) -> Record:
    """The supervisor signs; the version is locked and archived as PDF/A."""
    if record.status != SUBMITTED:
        raise ServiceError(_("Only a submitted record can be approved."))
    if record.created_by_id == user.id:
        raise ServiceError(_("You filled this record, so someone else must approve it."))
    if not (user.can("records.approve") and can_view(user, record)):
        raise ServiceError(_("You may not approve records of this site or service."))
    _check_password(user, password, record, "approved")
    if content_hash(record) != record.content_hash:
        raise ServiceError(_("The record changed after it was submitted; it cannot be approved."))
    _sign(record, user, "approved")
    record.status = APPROVED
    record.approved_at = utcnow()
    version = RecordVersion(record_id=record.id, version=record.version, data_json=record.data_json,
                            content_hash=record.content_hash, amendment_reason=record.amendment_reason,
                            approved_at=record.approved_at)
    record.versions.append(version)
    db.session.flush()
    audit.record("record.approved", record, old={"status": SUBMITTED},
                 new={"status": APPROVED, "version": record.version, "content_hash": record.content_hash}, actor=user)
    if current_app.config.get("RECORDS_ARCHIVE_PDF", True):
        from portal.records import paper

        paper.archive_record_version(record, version)
    return record


def return_to_draft(record: Record, user: User, reason: str) -> Record:
    """The approver sends a submitted record back to its author, with the reason."""
    reason = (reason or "").strip()
    if record.status != SUBMITTED or not (user.can("records.approve") and can_view(user, record)):
        raise ServiceError(_("Only a submitted record can be returned, by its approver."))
    if not reason:
        raise ServiceError(_("Say why the record goes back."), "reason")
    sig = record.signature("submitted")
    if sig is not None:
        record.signatures.remove(sig)
    record.status = DRAFT
    record.return_reason = reason
    audit.record("record.returned", record, old={"status": SUBMITTED}, new={"status": DRAFT}, reason=reason, actor=user)
    return record


def amend(record: Record, user: User, reason: str) -> Record:
    """Open a new version of a locked record; the locked versions stay as they were."""
    reason = (reason or "").strip()
    if not can_amend(user, record):
        raise ServiceError(_("Only an approved record can be amended, by its author or an approver."))
    if record.legal_hold:
        raise ServiceError(_("The record is under a legal hold; it cannot be amended."))
    if not reason:
        raise ServiceError(_("An amendment needs a reason."), "reason")
    old_version = record.version
    record.version = old_version + 1
    record.status = DRAFT
    record.amendment_reason = reason
    record.content_hash = content_hash(record)
    audit.record("record.amendment_opened", record, old={"status": APPROVED, "version": old_version},
                 new={"status": DRAFT, "version": record.version}, reason=reason, actor=user)
    return record


def discard(record: Record, user: User) -> None:
    """A first draft nobody signed can be thrown away by its author (the audit trail keeps that it existed)."""
    if not can_edit(user, record) or record.version != 1:
        raise ServiceError(_("Only the author's first draft can be discarded."))
    audit.record("record.discarded", record, old={"form": record.form_code, "status": DRAFT}, actor=user)
    db.session.delete(record)
    db.session.flush()


# ---------------------------------------------------------------- retention and disposal
def contract_end(record: Record) -> date | None:
    """End of the client contract that covers the record's service (the latest, when several do)."""
    stmt = select(Contract).where((Contract.service_id == record.service_id) | Contract.service_id.is_(None))
    contracts = list(db.session.scalars(stmt))
    if not contracts or any(c.ends_on is None for c in contracts):
        return None
    return max(c.ends_on for c in contracts)


def disposal_due(record: Record) -> date | None:
    rule = retention.parse(record.retention_text)
    return retention.disposal_date(rule, record.period_end, contract_end(record) if rule.kind == "contract" else None)


def may_dispose(record: Record, today: date | None = None) -> bool:
    today = today or local_today()
    return record.status == APPROVED and retention.may_dispose(disposal_due(record), today, record.legal_hold)


def _contract_ends():
    """end_for(service_id): the end of the contracts covering a service, as contract_end() (the contracts read once)."""
    contracts = list(db.session.scalars(select(Contract)))

    def end_for(service_id):
        covering = [c for c in contracts if c.service_id == service_id or c.service_id is None]
        if not covering or any(c.ends_on is None for c in covering):
            return None
        return max(c.ends_on for c in covering)

    return end_for


def _past_retention(today: date) -> list[tuple[int, date, bool]]:
    """(record id, disposal date, legal hold) of every approved record past its retention, oldest first.

    Two statements whatever the number of records: the narrow columns the rule needs, and the contracts once."""
    end_for = _contract_ends()

    rows = db.session.execute(select(Record.id, Record.retention_text, Record.period_end, Record.service_id, Record.legal_hold)
                              .where(Record.status == APPROVED).order_by(Record.period_end, Record.id)).all()
    out = []
    for record_id, text, period_end, service_id, held in rows:
        rule = retention.parse(text)
        due = retention.disposal_date(rule, period_end, end_for(service_id) if rule.kind == "contract" else None)
        if due is not None and due <= today:
            out.append((record_id, due, held))
    return out


def count_disposable(today: date | None = None) -> int:
    """How many records past retention wait for disposal (held ones not counted): the same rule as _past_retention,
    applied once per (retention text, service, period end) with the records of each counted by the database, so
    the home page's number costs the days and services of the register, not its records (one statement; the
    contracts only when a group's rule follows one)."""
    from portal.core.db import core_execute

    today = today or local_today()
    end_for = None
    total = 0
    for text, service_id, period_end, n, is_kept in core_execute(_disposable_statement(), {"today": today}).all():
        if is_kept:
            total += n
            continue
        if isinstance(period_end, str):  # SQLite answers a UNION's column as text
            period_end = date.fromisoformat(period_end[:10])
        rule = retention.parse(text)
        if rule.kind == "contract" and end_for is None:
            end_for = _contract_ends()
        due = retention.disposal_date(rule, period_end, end_for(service_id) if rule.kind == "contract" else None)
        if due is not None and due <= today:
            total += n
    return total


@cache
def _disposable_statement():
    """count_disposable's statement, built once (the day as a bound parameter). Records of a fixed retention period
    carry their disposal date (Record.disposal_due_on): a range of the (status, disposal_due_on) index. The others
    ("Selama PKS", rows written in bulk) by groups, in the same statement."""
    from sqlalchemy import bindparam

    kept = (select(literal(None, String).label("text"), literal(None, Integer).label("service_id"),
                   literal(None, Date).label("period_end"), func.count().label("n"), literal(1).label("kept"))
            .select_from(Record)
            .where(Record.status == APPROVED, Record.disposal_due_on <= bindparam("today", type_=Date),
                   Record.legal_hold.is_(False)))
    rest = (select(Record.retention_text, Record.service_id, Record.period_end, func.count(), literal(0))
            .where(Record.status == APPROVED, Record.disposal_due_on.is_(None), Record.legal_hold.is_(False))
            .group_by(Record.retention_text, Record.service_id, Record.period_end))
    return union_all(kept, rest)


def disposal_queue(today: date | None = None, limit: int = 500) -> list[tuple[Record, date]]:
    """Locked records past their retention, oldest first (held ones are listed apart); at most `limit`."""
    due = _past_retention(today or local_today())[:limit]
    if not due:
        return []
    records = {r.id: r for r in db.session.scalars(select(Record).options(lazyload(Record.signatures))
                                                   .where(Record.id.in_([record_id for record_id, *_rest in due])))}
    return [(records[record_id], day) for record_id, day, _held in due]


def set_hold(record: Record, user: User, hold: bool, reason: str) -> Record:
    reason = (reason or "").strip()
    if not user.can("records.hold"):
        raise ServiceError(_("You may not place or lift legal holds."))
    if record.status == DISPOSED:
        raise ServiceError(_("The record was already disposed of."))
    if not reason:
        raise ServiceError(_("A legal hold needs a reason."), "reason")
    if record.legal_hold == hold:
        return record
    record.legal_hold = hold
    record.hold_reason = reason if hold else ""
    audit.record("record.hold_placed" if hold else "record.hold_lifted", record, old={"legal_hold": not hold},
                 new={"legal_hold": hold}, reason=reason, actor=user)
    return record


def dispose(records: list[Record], user: User, password: str, method: str, notes: str = "",
            today: date | None = None, *, witness: User | None = None, witness_password: str = "") -> Disposal:
    """Dispose of records past retention with the approver's and a witness's signatures: each keeps a stub
    (metadata, hash, history), its content and archived PDFs are destroyed, and a record of destruction is produced.
    All or nothing: one record not yet due (or held) refuses the whole batch."""
    today = today or local_today()
    if not user.can("records.dispose"):
        raise ServiceError(_("You may not approve disposals."))
    if not records:
        raise ServiceError(_("Choose the records to dispose of."), "records")
    method = (method or "").strip()
    if not method:
        raise ServiceError(_("Say how the records are destroyed."), "method")
    for record in records:
        if record.status != APPROVED:
            raise ServiceError(_("Record %(n)s is not a locked record.", n=record.number), "records")
        if record.legal_hold:
            raise ServiceError(_("Record %(n)s is under a legal hold.", n=record.number), "records")
        due = disposal_due(record)
        if not retention.may_dispose(due, today, record.legal_hold):
            raise ServiceError(_("Record %(n)s must be kept until %(date)s.", n=record.number,
                                 date=due.isoformat() if due else _("an unknown date")), "records")
    if witness is None:
        raise ServiceError(_("Choose the witness."), "witness_id")
    if witness.id == user.id or not witness.active:
        raise ServiceError(_("The witness must be another active user."), "witness_id")
    ids = [r.id for r in records]
    auth.confirm_password(user, password, _("The password is not correct; nothing was disposed of."),
                          lambda: audit.record("records.disposal_refused", None, new={"why": "password", "records": ids},
                                               actor=user))
    try:
        auth.confirm_password(
            witness, witness_password, _("The witness's password is not correct; nothing was disposed of."),
            lambda: audit.record("records.disposal_refused", None,
                                 new={"why": "password", "role": "witness", "records": ids}, actor=witness))
    except ServiceError as exc:
        exc.field = "witness_password"
        raise
    manifest = [{"id": r.id, "number": r.number, "form": r.form_code, "site": r.site.code, "site_name": r.site.name,
                 "service": r.service.code if r.service else "", "period": f"{r.period_start} .. {r.period_end}",
                 "versions": r.version, "content_hash": r.content_hash, "retention": r.retention_text,
                 "due": disposal_due(r).isoformat()} for r in records]
    disposal = Disposal(approved_by_id=user.id, approved_by_name=user.full_name, approved_by_position=user.position,
                        approved_at=utcnow(), method=method, notes=(notes or "").strip(),
                        manifest_json=json.dumps(manifest, ensure_ascii=False), witness_id=witness.id,
                        witness_name=witness.full_name, witness_position=witness.position, witnessed_at=utcnow())
    db.session.add(disposal)
    db.session.flush()
    from portal.records import paper

    for record in records:
        for version in record.versions:
            paper.destroy_archive(version)
            version.data_json = "{}"
        record.data = {}
        record.status = DISPOSED
        record.disposed_at = utcnow()
        record.disposal_id = disposal.id
        audit.record("record.disposed", record, old={"status": APPROVED}, new={"status": DISPOSED, "disposal": disposal.id,
                                                                                "content_hash": record.content_hash}, actor=user)
    audit.record("records.disposal_approved", disposal, new={"records": len(records), "method": method,
                                                             "witness": witness.username}, actor=user)
    audit.record("records.disposal_witnessed", disposal, new={"witness": witness.username, "records": len(records)},
                 actor=witness)
    return disposal


def disposal_lines(batch: Disposal) -> list[dict]:
    """The manifest of a record of destruction as people read it: site names (also for manifests written before
    they carried them, in one statement), the period and the end of retention as dates."""
    lines = [dict(m) for m in batch.manifest]
    missing = {m.get("site") for m in lines if not m.get("site_name")}
    names = dict(db.session.execute(select(Site.code, Site.name).where(Site.code.in_(missing))).all()) if missing else {}
    for m in lines:
        m["site_name"] = m.get("site_name") or names.get(m.get("site"), m.get("site", ""))
        start, _sep, end = (m.get("period") or "").partition(" .. ")
        m["period_start"], m["period_end"] = _day(start), _day(end)
        m["due_on"] = _day(m.get("due"))
    return lines


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def witness_choices(user: User) -> list[tuple[int, str]]:
    """The users who may witness a disposal approved by `user`: every other active user, by name (one statement)."""
    rows = db.session.execute(select(User.id, User.full_name, User.position)
                              .where(User.active.is_(True), User.id != user.id).order_by(User.full_name)).all()
    return [(r.id, f"{r.full_name} — {r.position}" if r.position else r.full_name) for r in rows]


# ---------------------------------------------------------------- contracts
def save_contract(contract: Contract | None, data: dict, user: User) -> Contract:
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("The contract needs a name."), "name")
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ServiceError(_("The contract cannot end before it starts."), "ends_on")
    creating = contract is None
    if creating:
        contract = Contract(name=name)
        db.session.add(contract)
    old = {"name": contract.name, "service_id": contract.service_id, "starts_on": contract.starts_on,
           "ends_on": contract.ends_on} if not creating else None
    contract.name, contract.service_id, contract.starts_on, contract.ends_on = name, data.get("service_id") or None, starts, ends
    db.session.flush()
    audit.record("contract.created" if creating else "contract.updated", contract, old=old,
                 new={"name": name, "service_id": contract.service_id, "starts_on": starts, "ends_on": ends}, actor=user)
    return contract


def disposal_printed(batch: Disposal) -> None:
    """Note that the record of destruction was printed."""
    from portal.core.unit import begin_writing

    begin_writing()
    audit.record("records.disposal_printed", batch)
