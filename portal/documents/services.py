"""Every state change of the document register: mutate, audit, in the caller's transaction."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date
from functools import cache
from pathlib import Path
from typing import Iterator

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.core.i18n import local_today
from portal.auth import services as auth
from portal.auth.models import Service, Site, User, user_service
from portal.core.service import ConflictError, ServiceError
from portal.core import audit, files, integrity
from portal.core.db import utcnow
from portal.documents import copies, search
from portal.documents.labels import signer_label, status_label
from portal.documents.models import (
    APPROVED, CHECKED, DOC_TYPES, DRAFT, EFFECTIVE, SUBMITTED, SUPERSEDED, WITHDRAWN, Acknowledgement,
    ChangeRequest, Document, DocumentLink, RecordType, Review, Revision, Signature, document_service, document_site)
from portal.documents.parsed import SOP_SECTIONS
from portal.extensions import db

CODE_RE = re.compile(r"^(?P<ob>OB\.)?IN\.(?P<unit>[A-Z]+)\.TELK\.(?P<type>MNOP|PM|P|W|F|S)-(?P<num>\d{1,3})$", re.I)
REV_SUFFIX_RE = re.compile(r"\.REV\.?\d{1,3}$", re.I)
# Segments of letters, digits, dot, dash, underscore or parentheses, joined by "/" (SOP/CC/001, QP/OPS/12/2023).
VALID_CODE_RE = re.compile(r"^(?=.{2,80}$)[A-Za-z0-9][A-Za-z0-9._()\-]*(?:/[A-Za-z0-9][A-Za-z0-9._()\-]*)*$")
REVISION_NUMBER_RE = re.compile(r"^\d{2,3}$")

SIGNATURE_MEANINGS = {
    "prepared": "Disusun oleh: saya menyusun revisi ini",
    "checked": "Diperiksa oleh: isi revisi ini telah saya periksa",
    "approved": "Disetujui oleh: revisi ini disetujui untuk diberlakukan",
}


# ---------------------------------------------------------------- codes
def normalise_code(code: str) -> str:
    """A code as users write it, without spaces or a '.Rev.NN' suffix."""
    code = re.sub(r"\s+", "", code or "")
    return REV_SUFFIX_RE.sub("", code)


def file_stem(code: str) -> str:
    """A code as the start of a file name ("SOP/CC/001" -> "SOP-CC-001")."""
    return code.replace("/", "-")


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a document's code (the character rule, or an address that would open another page of
    the portal, e.g. "import/3" or "X/rev/01"), or None."""
    if not VALID_CODE_RE.match(code or ""):
        return _("A code uses letters, digits, dot, dash, underscore, parentheses or slashes between its parts "
                 "(2–80 characters), e.g. IN.OCC.TELK.P-10 or SOP/CC/001.")
    if "/" in code and not _routes_back(code):
        return _("%(code)s cannot be used as a code: its address would open another page of the portal.", code=code)
    return None


def _routes_back(code: str) -> bool:
    """True when the document's pages (its page, a revision, its PDF) are reached at the addresses built for it."""
    from flask import current_app
    from werkzeug.exceptions import HTTPException

    if "documents.show" not in current_app.view_functions:
        return True
    adapter = current_app.url_map.bind("localhost")
    for endpoint, values in (("documents.show", {"code": code}), ("documents.revision", {"code": code, "number": "00"}),
                             ("documents.current_pdf", {"code": code})):
        try:
            if adapter.match(adapter.build(endpoint, values), method="GET") != (endpoint, values):
                return False
        except HTTPException:
            return False
    return True


def read_code(code: str) -> dict:
    """The type, unit and direction a code following the house grammar says; empty for other codes."""
    match = CODE_RE.match(normalise_code(code))
    if not match:
        return {}
    return {"doc_type": match["type"].upper(), "unit": match["unit"].upper(), "outbound": bool(match["ob"])}


def get_document(code: str) -> Document | None:
    """The document with this code, whatever its case."""
    return db.session.scalar(select(Document).where(Document.code_key == normalise_code(code).upper()))


# ---------------------------------------------------------------- register
def _doc_snapshot(doc: Document) -> dict:
    return {
        "code": doc.code, "title": doc.title, "doc_type": doc.doc_type, "unit": doc.unit,
        "review_interval_months": doc.review_interval_months,
        "services": sorted(s.code for s in doc.services), "sites": sorted(s.code for s in doc.sites),
    }


def _apply_document_fields(doc: Document, data: dict) -> None:
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Enter the title."), "title")
    doc.title = title[:300]
    read = read_code(doc.code)
    doc_type = (data.get("doc_type") or read.get("doc_type") or "").upper()
    if read and doc_type != read["doc_type"]:
        raise ServiceError(_("The code says this is a %(type)s document.", type=DOC_TYPES[read["doc_type"]]), "doc_type")
    if doc_type not in DOC_TYPES:
        raise ServiceError(_("Choose the document type."), "doc_type")
    doc.doc_type = doc_type
    doc.unit = (data.get("unit") or read.get("unit") or "").strip().upper()[:20]
    doc.outbound = bool(read.get("outbound", data.get("outbound", False)))
    interval = data.get("review_interval_months", doc.review_interval_months or 24)
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        raise ServiceError(_("The review interval is a number of months."), "review_interval_months")
    if not 1 <= interval <= 120:
        raise ServiceError(_("The review interval is between 1 and 120 months."), "review_interval_months")
    doc.review_interval_months = interval
    if "service_ids" in data:
        ids = list(data["service_ids"] or [])
        doc.services = list(db.session.scalars(select(Service).where(Service.id.in_(ids)))) if ids else []
    if "site_ids" in data:
        ids = list(data["site_ids"] or [])
        doc.sites = list(db.session.scalars(select(Site).where(Site.id.in_(ids)))) if ids else []


def register_document(data: dict) -> Document:
    """Register a new document by its code; the first draft revision comes separately."""
    code = normalise_code(data.get("code", ""))
    if not code:
        raise ServiceError(_("Enter the document code."), "code")
    problem = code_problem(code)
    if problem:
        raise ServiceError(problem, "code")
    if get_document(code) is not None:
        raise ServiceError(_("The code %(code)s is already registered.", code=code), "code")
    read = read_code(code)
    doc = Document(code=code.upper() if read else code, code_key=code.upper(), title="", doc_type="")
    _apply_document_fields(doc, data)
    db.session.add(doc)
    db.session.flush()
    audit.record("document.registered", doc, new=_doc_snapshot(doc))
    return doc


def update_document(doc: Document, data: dict, reason: str = "") -> Document:
    """Change a document's register data (title, type, scope, review interval)."""
    before = _doc_snapshot(doc)
    _apply_document_fields(doc, data)
    after = _doc_snapshot(doc)
    old = {k: v for k, v in before.items() if after[k] != v}
    if old:
        audit.record("document.updated", doc, old=old, new={k: after[k] for k in old}, reason=reason)
    return doc


def set_links(doc: Document, links: list[tuple[str, str, str]]) -> None:
    """Replace a document's links with (kind, target_code, label) triples."""
    doc.links = [DocumentLink(kind=k, target_code=normalise_code(c) if c else "", label=l[:300]) for k, c, l in links]


# ---------------------------------------------------------------- revision content
def _next_number(doc: Document) -> str:
    numbers = [int(r.number) for r in doc.revisions if r.number.isdigit()]
    return f"{(max(numbers) + 1) if numbers else 0:02d}"


def empty_sections(doc_type: str) -> list[dict]:
    """The sections a new revision starts with: the 13 of an SOP, or one chapter."""
    if doc_type in ("P", "W"):
        return [{"number": str(n), "title": t, "body": ""} for n, t in SOP_SECTIONS.items()]
    return [{"number": "1", "title": "", "body": ""}]


def content_hash(rev: Revision) -> str:
    """SHA-256 of everything a signature vouches for: code, number, date, sections, records, change, file."""
    payload = {
        "code": rev.document.code,
        "number": rev.number,
        "effective_date": rev.effective_date.isoformat() if rev.effective_date else None,
        "change": rev.change_description,
        "sections": rev.sections,
        "meta": rev.meta,
        "records": [[r.code, r.name, r.retention, r.owner] for r in rev.records],
        "file": rev.file_sha256,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def signed_hash(rev: Revision) -> str | None:
    """The content hash the revision's latest signature vouches for (None when it is not signed)."""
    sig = rev.signature("approved") or rev.signature("checked") or rev.signature("prepared")
    return sig.content_hash if sig is not None and sig.content_hash else None


def integrity_warning(rev: Revision) -> str | None:
    """A red warning when the signed content of `rev` was changed behind the portal's back (recorded once)."""
    expected = signed_hash(rev)
    if expected is None:
        return None
    found = content_hash(rev)
    return None if found == expected else integrity.mismatch(rev, expected, found)


def check_all_signed() -> Iterator[str]:
    """Recheck every signed revision against its signatures (for `flask audit verify`); one line per mismatch."""
    stmt = (select(Revision).options(selectinload(Revision.signatures), selectinload(Revision.records),
                                     joinedload(Revision.document).lazyload("*"))
            .where(Revision.status != DRAFT).order_by(Revision.id).execution_options(yield_per=500))
    for rev in db.session.scalars(stmt):
        if integrity_warning(rev):
            yield f"revision {rev.document.code} rev {rev.number} (id {rev.id}): content differs from its signatures"


def new_draft(doc: Document, by: User, change_request: ChangeRequest | None = None) -> Revision:
    """Start the next revision as a draft, copying the content of the current one."""
    if doc.withdrawn_at is not None:
        raise ServiceError(_("This document has been withdrawn."))
    open_draft = next((r for r in doc.revisions if r.status in (DRAFT, SUBMITTED, CHECKED, APPROVED)), None)
    if open_draft is not None:
        raise ServiceError(_("Revision %(n)s is already in progress; finish or discard it first.", n=open_draft.number))
    base = doc.current
    base_records = list(base.records) if base is not None else []  # loaded before the new revision joins the session
    rev = Revision(document=doc, number=_next_number(doc), status=DRAFT, created_by=by)
    if base is not None:
        rev.sections_json, rev.meta_json = base.sections_json, base.meta_json
        rev.records = [RecordType(position=r.position, code=r.code, name=r.name, retention=r.retention, owner=r.owner)
                       for r in base_records]
    else:
        rev.sections = empty_sections(doc.doc_type)
    db.session.add(rev)
    db.session.flush()
    audit.record("revision.drafted", rev, new={"document": doc.code, "number": rev.number,
                                               "change_request": change_request.id if change_request else None})
    return rev


def _require_editable(rev: Revision) -> None:
    if rev.status != DRAFT:
        raise ServiceError(_("Only a draft can be changed; this revision is %(status)s.",
                             status=status_label(rev.status).lower()))


CONFLICT = _l("This draft was changed in another window since this page was opened; nothing was saved here. "
              "Copy what you typed, then reload the page.")


def _flush_draft() -> None:
    """Write a draft's changes; a save that lost a race with another (its row version moved on) is a conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise ConflictError(str(CONFLICT)) from None


def save_draft(rev: Revision, data: dict, seen_version: int | None = None) -> Revision:
    """Save the content of a draft: sections, records table, change description, effective date.

    `seen_version` is the version the user's editor was showing: a save made on an older one is refused
    (ConflictError), so a second window never silently overwrites the first."""
    _require_editable(rev)
    if seen_version is not None and seen_version != rev.row_version:
        raise ConflictError(str(CONFLICT))
    before, version = content_hash(rev), rev.row_version
    if "effective_date" in data:
        eff = data["effective_date"]
        if eff is not None and not isinstance(eff, date):
            raise ServiceError(_("Enter a valid date."), "effective_date")
        rev.effective_date = eff
    if "change_description" in data:
        rev.change_description = (data["change_description"] or "").strip()
    if "sections" in data:
        sections = []
        # The cells of an imported table stay with a section whose text was not changed (they show it as a table).
        imported = {(s.get("number"), s.get("body")): s["rows"] for s in rev.sections if s.get("rows")}
        for s in data["sections"]:
            number, title, body = (s.get("number") or "").strip(), (s.get("title") or "").strip(), (s.get("body") or "").rstrip()
            if not (number or title or body):
                continue
            section = {"number": number[:12], "title": title[:200], "body": body}
            if (number[:12], body) in imported:
                section["rows"] = imported[(number[:12], body)]
            sections.append(section)
        rev.sections = sections
    if "records" in data:
        rows = []
        for i, r in enumerate(data["records"]):
            name = (r.get("name") or "").strip()
            code = normalise_code(r.get("code") or "")
            if not (name or code):
                continue
            if not name:
                raise ServiceError(_("Row %(n)d of the records table needs a name.", n=i + 1), "records")
            rows.append(RecordType(position=len(rows), code=code, name=name[:300], retention=(r.get("retention") or "").strip()[:80],
                                   owner=(r.get("owner") or "").strip()[:160]))
        rev.records = rows
    if "meta" in data:
        rev.meta = data["meta"]
    _flush_draft()
    after = content_hash(rev)
    if after != before:
        if rev.row_version == version:  # only the records table changed: the revision row still gets a new version
            flag_modified(rev, "sections_json")
            _flush_draft()
        audit.record("revision.edited", rev, old={"content_hash": before}, new={"content_hash": after})
    return rev


# ---------------------------------------------------------------- original files
ORIGINAL_KINDS = ("pdf", "docx")


def sniff_file(data: bytes, filename: str) -> tuple[str, str] | None:
    """(extension, mime type) of a PDF or DOCX whose bytes match its name, or None."""
    try:
        return files.check_upload(data, filename, ORIGINAL_KINDS)
    except files.FileRefused:
        return None


def attach_file(rev: Revision, data: bytes, filename: str) -> Revision:
    """Store the original file of a draft under the documents folder with a random name.

    Its bytes must be what its extension says (a PDF, or a Word .docx without macros that unpacks within limits);
    the file it replaces is deleted once the change is committed."""
    _require_editable(rev)
    limit = current_app.config.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
    if not data:
        raise ServiceError(_("The file is empty."), "file")
    if len(data) > limit:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)), "file")
    try:
        ext, mime = files.check_upload(data, filename, ORIGINAL_KINDS)
    except files.FileRefused as exc:
        raise ServiceError(exc.message, "file") from None
    stored = f"{secrets.token_hex(16)}.{ext}"
    files.write_atomic(Path(current_app.config["DOCUMENTS_FOLDER"]) / "originals", stored, data)
    old = {"file": rev.file_name, "sha256": rev.file_sha256} if rev.file_sha256 else None
    replaced = rev.file_path
    rev.file_name = files.safe_download_name(filename, ext, fallback=f"{rev.document.code}.Rev.{rev.number}")
    rev.file_path = f"originals/{stored}"
    rev.file_sha256 = hashlib.sha256(data).hexdigest()
    rev.file_size = len(data)
    rev.file_mime = mime
    if replaced and not db.session.scalar(select(Revision.id).where(Revision.file_path == replaced,
                                                                     Revision.id != rev.id).limit(1)):
        files.remove_after_commit(Path(current_app.config["DOCUMENTS_FOLDER"]) / replaced)
    audit.record("revision.file_attached", rev, old=old, new={"file": rev.file_name, "sha256": rev.file_sha256,
                                                               "size": rev.file_size, "replaced": bool(replaced)})
    return rev


def file_path(rev: Revision) -> Path:
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / rev.file_path


# ---------------------------------------------------------------- signatures and lifecycle
def _verify_password(user: User, password: str, rev: Revision, role: str) -> None:
    auth.confirm_password(user, password, _("The password is not correct; the revision was not signed."),
                          lambda: audit.record("revision.signature_refused", rev, new={"role": role, "why": "password"},
                                               actor=user))


def _sign(rev: Revision, user: User, role: str, password: str) -> Signature:
    existing = rev.signature(role)
    if existing is not None:
        raise ServiceError(_("This revision has already been signed as %(role)s.", role=signer_label(role)))
    already = next((sig for sig in rev.signatures if sig.user_id == user.id), None)
    if already is not None and current_app.config.get("DOCUMENTS_DISTINCT_SIGNERS", True):
        raise ServiceError(_("You already signed this revision; preparing, checking and approving need three "
                             "different people."), "password")
    _verify_password(user, password, rev, role)
    if already is not None:  # allowed for a very small site by configuration: the exception stays on record
        audit.record("revision.signer_exception", rev, new={"role": role, "also_signed_as": already.role})
    sig = Signature(role=role, user_id=user.id, name=user.full_name, position=user.position, signed_at=utcnow(),
                    signed_on=utcnow().date(), meaning=SIGNATURE_MEANINGS[role], content_hash=content_hash(rev))
    rev.signatures.append(sig)
    db.session.flush()
    return sig


def submit(rev: Revision, user: User, password: str) -> Revision:
    """The author signs as preparer; the draft is locked and waits for the checker."""
    _require_editable(rev)
    problems = []
    if rev.effective_date is None:
        problems.append(_("an effective date"))
    if not rev.change_description:
        problems.append(_("a description of the change"))
    if not any(s["body"].strip() for s in rev.sections):
        problems.append(_("some content"))
    if problems:
        raise ServiceError(_("Before submitting, the revision needs %(what)s.", what=", ".join(problems)))
    _sign(rev, user, "prepared", password)
    rev.status = SUBMITTED
    rev.returned_reason, rev.returned_by, rev.returned_at = "", "", None  # the author has answered the return
    audit.record("revision.submitted", rev, old={"status": DRAFT}, new={"status": SUBMITTED, "content_hash": content_hash(rev)})
    return rev


def check(rev: Revision, user: User, password: str) -> Revision:
    """The checker signs; the revision goes to approval."""
    if rev.status != SUBMITTED:
        raise ServiceError(_("Only a submitted revision can be checked."))
    _sign(rev, user, "checked", password)
    rev.status = CHECKED
    audit.record("revision.checked", rev, old={"status": SUBMITTED}, new={"status": CHECKED})
    return rev


def approve(rev: Revision, user: User, password: str, today: date | None = None) -> Revision:
    """The approver signs; the revision becomes effective now or on its date."""
    if rev.status != CHECKED:
        raise ServiceError(_("Only a checked revision can be approved."))
    _sign(rev, user, "approved", password)
    rev.status = APPROVED
    audit.record("revision.approved", rev, old={"status": CHECKED}, new={"status": APPROVED})
    today = today or local_today()
    if rev.effective_date and rev.effective_date <= today:
        make_effective(rev)
    return rev


def return_to_draft(rev: Revision, user: User, reason: str) -> Revision:
    """The checker or approver sends the revision back; its signatures are void."""
    if rev.status not in (SUBMITTED, CHECKED):
        raise ServiceError(_("Only a revision waiting for check or approval can be returned."))
    if not (reason or "").strip():
        raise ServiceError(_("Say what must change."), "reason")
    voided = [s.role for s in rev.signatures]
    old_status = rev.status
    rev.signatures = []
    rev.status = DRAFT
    rev.returned_reason, rev.returned_by, rev.returned_at = reason.strip(), user.full_name, utcnow()
    audit.record("revision.returned", rev, old={"status": old_status, "signatures": voided}, new={"status": DRAFT}, reason=reason)
    return rev


def discard_draft(rev: Revision, reason: str) -> None:
    """Throw away a draft that was never submitted."""
    _require_editable(rev)
    audit.record("revision.discarded", rev, old={"number": rev.number, "document": rev.document.code}, reason=reason)
    db.session.delete(rev)


def body_text(rev: Revision) -> str:
    """The revision's text for searching: section titles and bodies, records."""
    parts = [f"{s['number']} {s['title']}\n{s['body']}" for s in rev.sections]
    parts += [f"{r.code} {r.name} {r.retention} {r.owner}" for r in rev.records]
    return "\n".join(parts)


def make_effective(rev: Revision) -> Revision:
    """Make an approved revision the current one; the previous one is superseded in the same transaction."""
    if rev.status != APPROVED:
        raise ServiceError(_("Only an approved revision can become effective."))
    doc = rev.document
    previous = doc.current
    now = utcnow()
    if previous is not None:
        previous.status = SUPERSEDED
        previous.ended_at = now
        db.session.flush()  # the old one stops being effective before the new one starts (unique index)
        audit.record("revision.superseded", previous, old={"status": EFFECTIVE}, new={"status": SUPERSEDED, "by": rev.number})
        copies.withdraw_copies_of(previous, f"superseded by revision {rev.number}")
    rev.status = EFFECTIVE
    rev.effective_since = now
    doc.last_reviewed_on = rev.effective_date
    db.session.flush()
    search.index_document(doc.id, doc.code, doc.title, body_text(rev))
    audit.record("revision.effective", rev, old={"status": APPROVED}, new={"status": EFFECTIVE, "effective_date": rev.effective_date})
    if current_app.config.get("PDF_PREPARE_ON_EFFECTIVE", True):
        from portal.documents import paper  # paper reads services: imported here, not at the top

        paper.prepare(rev)  # the PDF staff will print is rendered in the background now, not when the first asks
    return rev


def activate_due(today: date | None = None) -> list[Revision]:
    """Make effective every approved revision whose date has come."""
    today = today or local_today()
    due = list(db.session.scalars(select(Revision).where(Revision.status == APPROVED, Revision.effective_date <= today)))
    for rev in due:
        make_effective(rev)
    return due


def withdraw(doc: Document, reason: str) -> Document:
    """Withdraw a document: no revision stays effective; it stays readable, marked obsolete."""
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the withdrawal."), "reason")
    if doc.withdrawn_at is not None:
        raise ServiceError(_("This document is already withdrawn."))
    now = utcnow()
    current = doc.current
    for rev in doc.revisions:
        if rev.status in (DRAFT, SUBMITTED, CHECKED, APPROVED):
            raise ServiceError(_("Revision %(n)s is in progress; discard it or finish it first.", n=rev.number))
    if current is not None:
        current.status = WITHDRAWN
        current.ended_at = now
        copies.withdraw_copies_of(current, "document withdrawn")
    doc.withdrawn_at = now
    doc.withdrawn_reason = reason.strip()
    search.remove_document(doc.id)
    audit.record("document.withdrawn", doc, old={"status": EFFECTIVE}, new={"status": WITHDRAWN}, reason=reason)
    return doc


# ---------------------------------------------------------------- reading and acknowledgement
def readers_query(rev: Revision):
    """Active users who must read an effective revision: those of its services and sites (all when unset)."""
    doc = rev.document
    return _readers([s.id for s in doc.sites], [s.id for s in doc.services])


def _readers(site_ids: list[int], service_ids: list[int]):
    stmt = select(User).where(User.active.is_(True))
    if site_ids:
        stmt = stmt.where(User.site_id.in_(site_ids))
    if service_ids:
        stmt = stmt.where(User.id.in_(select(user_service.c.user_id).where(user_service.c.service_id.in_(service_ids))))
    return stmt


def must_read(rev: Revision, user: User) -> bool:
    """Whether this user is among the readers of the revision."""
    return rev.status == EFFECTIVE and db.session.scalar(
        readers_query(rev).where(User.id == user.id).with_only_columns(User.id)) is not None


def reading_state(rev: Revision, user: User) -> tuple[bool, bool]:
    """(must the user read this revision, has the user confirmed it) in one statement."""
    must = readers_query(rev).where(User.id == user.id).with_only_columns(User.id).exists()
    done = select(Acknowledgement.id).where(Acknowledgement.revision_id == rev.id, Acknowledgement.user_id == user.id).exists()
    must_read, acknowledged = db.session.execute(select(must, done)).one()
    return rev.status == EFFECTIVE and bool(must_read), bool(acknowledged)


def reading_state_of(rev_id: int, site_ids: list[int], service_ids: list[int], user: User) -> tuple[bool, bool]:
    """`reading_state` of an effective revision known by its id and its document's sites and services (the SOP page
    served from the fragment cache has no Revision object): one statement."""
    parameters = {"rev_id": rev_id, "user_id": user.id}
    if site_ids:
        parameters["site_ids"] = site_ids
    if service_ids:
        parameters["service_ids"] = service_ids
    must_read, acknowledged = db.session.execute(_reading_state_statement(bool(site_ids), bool(service_ids)),
                                                 parameters).one()
    return bool(must_read), bool(acknowledged)


@cache
def _reading_state_statement(by_site: bool, by_service: bool):
    """`reading_state_of`'s statement, built once per shape (building it cost more than running it)."""
    user_id = bindparam("user_id")
    must = select(User.id).where(User.active.is_(True), User.id == user_id)
    if by_site:
        must = must.where(User.site_id.in_(bindparam("site_ids", expanding=True)))
    if by_service:
        must = must.where(User.id.in_(select(user_service.c.user_id).where(
            user_service.c.service_id.in_(bindparam("service_ids", expanding=True)))))
    done = select(Acknowledgement.id).where(Acknowledgement.revision_id == bindparam("rev_id"),
                                            Acknowledgement.user_id == user_id)
    return select(must.exists(), done.exists())


def has_acknowledged(rev: Revision, user: User) -> bool:
    return db.session.scalar(select(Acknowledgement.id).where(Acknowledgement.revision_id == rev.id,
                                                              Acknowledgement.user_id == user.id)) is not None


def acknowledge(rev: Revision, user: User) -> Acknowledgement:
    """Record that the user has read the current revision."""
    if rev.status != EFFECTIVE:
        raise ServiceError(_("Only the current revision can be acknowledged."))
    if has_acknowledged(rev, user):
        raise ServiceError(_("You have already confirmed reading this revision."))
    ack = Acknowledgement(revision_id=rev.id, user_id=user.id)
    db.session.add(ack)
    db.session.flush()
    audit.record("revision.acknowledged", rev, new={"user": user.username})
    return ack


def unread_query(user: User):
    """Effective revisions this user must read and has not acknowledged, as a query to refine."""
    acked = select(Acknowledgement.revision_id).where(Acknowledgement.user_id == user.id)
    site_ok = or_(~Document.sites.any(), Document.sites.any(Site.id == user.site_id))
    svc_ids = sorted(user.service_ids)
    service_ok = or_(~Document.services.any(), Document.services.any(Service.id.in_(svc_ids))) if svc_ids else ~Document.services.any()
    return (select(Revision).join(Document).where(Revision.status == EFFECTIVE, Revision.id.not_in(acked), site_ok,
                                                  service_ok))


def unread_count(user: User):
    """How many revisions `unread_query(user)` holds, as a scalar subquery (the home page's number), computed from
    the small sides: every effective revision (a count on an index), less those of documents restricted to other
    sites or services (from the link tables), less those the user has acknowledged among the rest (from the user's
    acknowledgements). The same number, without testing four EXISTS on every revision of the register."""
    return _unread_count(user.site_id, user.id, sorted(user.service_ids) or None)


def unread_parameters(user: User) -> dict:
    """The values of `unread_count_expression(...)`'s parameters for this user: their id, site and services, and how
    many revisions in force their site and services must read — a number of the register alone, kept until the
    register changes (`core.fragments.memo`), so the home page counts only the user's own acknowledgements."""
    from portal.core import fragments

    service_ids = sorted(user.service_ids)
    must = fragments.memo("documents", ("documents.must_read", user.site_id, tuple(service_ids)),
                          lambda: int(db.session.scalar(_must_read_statement(bool(service_ids)), {
                              "reader_site_id": user.site_id, "reader_service_ids": service_ids}) or 0))
    return {"reader_id": user.id, "reader_site_id": user.site_id, "reader_service_ids": service_ids,
            "reader_must_total": must}


@cache
def _must_read_statement(with_services: bool):
    """How many effective revisions readers of a site (and services) must read: every effective revision less those
    of documents restricted to other sites or services."""
    site_id = bindparam("reader_site_id")
    service_ids = bindparam("reader_service_ids", expanding=True) if with_services else None
    effective, of_excluded, _excluded = _scope_counts(site_id, service_ids)
    return select(effective - of_excluded)


@cache
def unread_count_expression(with_services: bool):
    """`unread_count` for the home page, built once per shape: the revisions the user's site and services must read
    (`reader_must_total`, from `unread_parameters`) less the user's acknowledgements of revisions in force within
    them — tested per acknowledgement by the document's links, so it costs what the user has read, not the size of
    the register (tests/documents/test_home_counts.py holds it equal to the reading list)."""
    from sqlalchemy import and_, or_

    user_id, site_id = bindparam("reader_id"), bindparam("reader_site_id")
    doc_id = Revision.document_id
    site_ok = or_(~select(document_site.c.document_id).where(document_site.c.document_id == doc_id).exists(),
                  select(document_site.c.document_id).where(document_site.c.document_id == doc_id,
                                                             document_site.c.site_id == site_id).exists())
    linked_services = select(document_service.c.document_id).where(document_service.c.document_id == doc_id)
    if with_services:
        service_ok = or_(~linked_services.exists(), linked_services.where(
            document_service.c.service_id.in_(bindparam("reader_service_ids", expanding=True))).exists())
    else:
        service_ok = ~linked_services.exists()
    # From the user's acknowledgements (the only table in the FROM: SQLite, without statistics, started from every
    # revision in force when the revision was joined), each probing its revision and the document's links by key.
    acked = (select(func.count()).select_from(Acknowledgement)
             .where(Acknowledgement.user_id == user_id,
                    select(Revision.id).where(Revision.id == Acknowledgement.revision_id, Revision.status == EFFECTIVE,
                                              and_(site_ok, service_ok)).exists())
             .scalar_subquery())
    return bindparam("reader_must_total") - acked


def _scope_counts(site_id, service_ids):
    """(effective revisions, those of documents excluded for the site and services, the excluded documents)."""
    from sqlalchemy import case

    site_excluded = (select(document_site.c.document_id).group_by(document_site.c.document_id)
                     .having(func.sum(case((document_site.c.site_id == site_id, 1), else_=0)) == 0))
    if service_ids is not None:
        service_excluded = (select(document_service.c.document_id).group_by(document_service.c.document_id)
                            .having(func.sum(case((document_service.c.service_id.in_(service_ids), 1), else_=0)) == 0))
    else:
        service_excluded = select(document_service.c.document_id).distinct()
    excluded = site_excluded.union(service_excluded).subquery()
    effective = select(func.count()).select_from(Revision).where(Revision.status == EFFECTIVE).scalar_subquery()
    # Each count starts from its small side (the only table in its FROM) and probes revision by key.
    of_excluded = (select(func.count()).select_from(excluded).where(
        select(Revision.id).where(Revision.document_id == excluded.c.document_id, Revision.status == EFFECTIVE).exists())
        .scalar_subquery())
    return effective, of_excluded, excluded


def _unread_count(site_id, user_id, service_ids):
    """`unread_count` for a site, a user and their services (values; no services: None)."""
    effective, of_excluded, excluded = _scope_counts(site_id, service_ids)
    acked = (select(func.count()).select_from(Acknowledgement).where(
        Acknowledgement.user_id == user_id,
        select(Revision.id).where(Revision.id == Acknowledgement.revision_id, Revision.status == EFFECTIVE,
                                  Revision.document_id.not_in(select(excluded.c.document_id))).exists())
        .scalar_subquery())
    return effective - of_excluded - acked


def unread_for(user: User, limit: int | None = None) -> list[Revision]:
    """Effective revisions this user must read and has not yet acknowledged, newest first (one statement)."""
    stmt = (unread_query(user).options(contains_eager(Revision.document).lazyload("*"))
            .order_by(Revision.effective_since.desc(), Revision.id.desc()))
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def reading_status(rev: Revision) -> list[dict]:
    """For each reader of the revision: user, site and when they acknowledged (None when not yet)."""
    acks = dict(db.session.execute(select(Acknowledgement.user_id, Acknowledgement.acknowledged_at)
                                   .where(Acknowledgement.revision_id == rev.id)).all())
    users = db.session.scalars(readers_query(rev).order_by(User.site_id, User.full_name))
    return [{"user": u, "site": u.site, "acknowledged_at": acks.get(u.id)} for u in users]


# ---------------------------------------------------------------- change requests
def propose_change(doc: Document, user: User, proposal: str, reason: str) -> ChangeRequest:
    """Anyone proposes a change to a document, with a reason."""
    if not (proposal or "").strip():
        raise ServiceError(_("Describe the change you propose."), "proposal")
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the change."), "reason")
    cr = ChangeRequest(document=doc, proposer=user, proposal=proposal.strip(), reason=reason.strip())
    db.session.add(cr)
    db.session.flush()
    audit.record("change_request.proposed", cr, new={"document": doc.code, "proposal": cr.proposal, "reason": cr.reason})
    return cr


def accept_change_request(cr: ChangeRequest, by: User) -> Revision:
    """Turn a change request into a new draft of its document."""
    if cr.status != "open":
        raise ServiceError(_("This change request has already been decided."))
    rev = new_draft(cr.document, by, change_request=cr)
    if not rev.change_description:
        rev.change_description = cr.proposal
    cr.status, cr.decided_by, cr.decided_at, cr.revision = "accepted", by, utcnow(), rev
    audit.record("change_request.accepted", cr, old={"status": "open"}, new={"status": "accepted", "revision": rev.number})
    return rev


def reject_change_request(cr: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    """Refuse a change request, telling the proposer why."""
    if cr.status != "open":
        raise ServiceError(_("This change request has already been decided."))
    if not (reason or "").strip():
        raise ServiceError(_("Tell the proposer why the request is rejected."), "reason")
    cr.status, cr.decided_by, cr.decided_at, cr.decision_reason = "rejected", by, utcnow(), reason.strip()
    audit.record("change_request.rejected", cr, old={"status": "open"}, new={"status": "rejected"}, reason=reason)
    return cr


def mark_outcome_seen(cr: ChangeRequest) -> None:
    """The proposer has seen the decision (it leaves their home page)."""
    if not cr.seen_by_proposer and cr.status != "open":
        cr.seen_by_proposer = True
        audit.record("change_request.outcome_seen", cr, new={"seen": True})


# ---------------------------------------------------------------- periodic review
def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def review_due(doc: Document) -> date | None:
    """When the document's next periodic review is due."""
    base = doc.last_reviewed_on or (doc.current.effective_date if doc.current else None)
    return add_months(base, doc.review_interval_months) if base else None


def overdue_reviews(today: date | None = None) -> list[tuple[Document, date]]:
    """Documents in force whose review date has passed, oldest first."""
    from portal.documents import queries

    return queries.overdue_reviews(today or local_today())


def record_review(doc: Document, user: User, password: str, outcome: str, notes: str) -> Review:
    """Record a signed periodic review: no change needed, or revise (opens a change request)."""
    if outcome not in ("no_change", "revise"):
        raise ServiceError(_("Choose the outcome of the review."), "outcome")
    if outcome == "revise" and not (notes or "").strip():
        raise ServiceError(_("Say what must be revised."), "notes")
    current = doc.current
    if current is None:
        raise ServiceError(_("Only a document in force can be reviewed."))
    auth.confirm_password(user, password, _("The password is not correct; the review was not signed."))
    review = Review(document=doc, revision_id=current.id, reviewer_id=user.id, reviewer_name=user.full_name,
                    reviewer_position=user.position, outcome=outcome, notes=(notes or "").strip(), content_hash=content_hash(current))
    db.session.add(review)
    old = doc.last_reviewed_on
    doc.last_reviewed_on = local_today()
    db.session.flush()
    audit.record("document.reviewed", doc, old={"last_reviewed_on": old},
                 new={"last_reviewed_on": doc.last_reviewed_on, "outcome": outcome, "revision": current.number}, reason=notes)
    if outcome == "revise":
        propose_change(doc, user, notes, _("Periodic review"))
    return review
