"""Register documents read from files (`flask documents import PATH`), all or nothing per file; the caller commits."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import Service, Site
from portal.core.service import ServiceError
from portal.core import audit, files
from portal.core.db import utcnow
from portal.documents import search, services
from portal.documents.models import (
    APPROVED, CHECKED, DRAFT, EFFECTIVE, SUBMITTED, SUPERSEDED, RecordType, Revision, Signature)
from portal.documents.parsed import ParsedDocument
from portal.documents.readers import FORMATS, ReadError, extension_of, read_bytes
from portal.extensions import db

# Which services a document applies to, read from its code and title when the register has no other word on it.
OUTBOUND_SERVICES = ["TAM-ADDON", "TAM-WIFI", "TAM-CT0"]
INBOUND_SERVICES = ["147", "108", "SOSMED"]
MIMES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
         "odt": "application/vnd.oasis.opendocument.text", "txt": "text/plain", "md": "text/markdown"}
STAMP_SITES = {"PUSAT": "PUSAT", "MALANG": "MLG", "BANDUNG": "BDG", "SEMARANG": "SMG", "BOGOR": "BGR",
               "MEDAN": "MDN", "TANGERANG": "TNG", "MAKASSAR": "MKS"}


@dataclass
class ImportResult:
    source: str
    code: str = ""
    status: str = ""  # imported | filled | draft | skipped | conflict | refused
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    revision: str = ""
    format: str = ""
    unsupported: bool = False  # a file of a type the importer does not read


def _services_for(parsed: ParsedDocument) -> list[Service]:
    codes = OUTBOUND_SERVICES if parsed.code.upper().startswith("OB.") else []
    title = parsed.title.upper()
    if "CT-0" in title or "PRANPC" in title:
        codes = ["TAM-CT0"]
    if not codes:
        return []  # inbound SOPs and manuals apply to every service
    return list(db.session.scalars(select(Service).where(Service.code.in_(codes))))


def _sites_for(parsed: ParsedDocument) -> list[Site]:
    """Sites holding a controlled copy according to the stamps; none means every site."""
    codes = {STAMP_SITES[w] for stamp in parsed.copy_stamps if stamp.upper().startswith("CONTROLLED")
             for w in stamp.upper().split() if w in STAMP_SITES}
    if not codes or codes == {"PUSAT"}:
        return []
    codes.add("PUSAT")
    return list(db.session.scalars(select(Site).where(Site.code.in_(sorted(codes)))))


def _meta(parsed: ParsedDocument) -> dict:
    return {
        "references": parsed.references, "purpose": parsed.purpose, "scope": parsed.scope, "parties": parsed.parties,
        "policy": parsed.policy, "definitions": parsed.definitions, "indicators": parsed.indicators,
        "work_instructions": parsed.work_instructions, "applications": parsed.applications, "notes": parsed.notes,
        "copy_stamps": parsed.copy_stamps,
    }


def _links(parsed: ParsedDocument) -> list[tuple[str, str, str]]:
    links = []
    for item in parsed.work_instructions:
        code, _, label = item.partition(" ")
        links.append(("work_instruction", code if "." in code else "", item))
    kinds = {"F": "form", "S": "standard", "W": "work_instruction"}
    for r in parsed.records:
        kind = kinds.get(services.read_code(r.code).get("doc_type", ""), "record")
        links.append((kind, r.code, f"{r.code} {r.name}".strip()))
    for ref in parsed.references:
        links.append(("reference", "", ref))
    for app in parsed.applications:
        links.append(("application", "", app))
    return links



def store_original(data: bytes, ext: str) -> tuple[str, str]:
    """Keep a file's bytes under DOCUMENTS_FOLDER/originals/<sha256>.<ext>; returns (relative path, sha256)."""
    sha = hashlib.sha256(data).hexdigest()
    if ext not in MIMES:
        raise ServiceError(_("Unsupported file type."), "file")
    folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "originals"
    target = folder / f"{sha}.{ext}"
    if not target.exists():
        # Atomic (a reader never sees half a file), and removed again if this file's import is rolled back.
        files.write_atomic(folder, target.name, data)
    return f"originals/{target.name}", sha


def _attach_original(rev: Revision, original: tuple[bytes, str] | None) -> None:
    if not original:
        return
    data, filename = original
    ext = extension_of(filename)
    rev.file_path, rev.file_sha256 = store_original(data, ext)
    rev.file_name = Path(filename).name[:255]
    rev.file_size = len(data)
    rev.file_mime = MIMES[ext]


def _sections_of(parsed: ParsedDocument) -> list[dict]:
    return [{"number": s.number, "title": s.title, "body": s.body, **({"rows": s.rows} if s.rows else {})}
            for s in parsed.sections]


def _fill_content(rev: Revision, parsed: ParsedDocument) -> None:
    """Sections, register data and records of the parsed document on a revision."""
    rev.sections = _sections_of(parsed)
    rev.meta = _meta(parsed)
    rev.records = [RecordType(position=i, code=r.code, name=r.name, retention=r.retention, owner=r.owner)
                   for i, r in enumerate(parsed.records)]
    rev.import_warnings = "\n".join(parsed.warnings)
    rev.imported = True


def _sign_transcribed(rev: Revision, parsed: ParsedDocument) -> None:
    hash_ = services.content_hash(rev)
    rev.content_hash = hash_
    for sig in parsed.signatures:
        rev.signatures.append(Signature(role=sig.role, name=sig.name, position=sig.position, signed_on=sig.signed_on,
                                        meaning=services.SIGNATURE_MEANINGS[sig.role], content_hash=hash_, transcribed=True))


def body_length(parsed: ParsedDocument) -> int:
    """Characters of body text the parsed document carries."""
    return sum(len(s.body.strip()) for s in parsed.sections)


def import_parsed(parsed: ParsedDocument, source: str = "", original: tuple[bytes, str] | None = None) -> ImportResult:
    """Register one parsed document (new, a newer draft, or a placeholder filled); flushes, the caller commits."""
    result = ImportResult(source=source, code=parsed.code, warnings=list(parsed.warnings), revision=parsed.revision)
    if not parsed.code:
        raise ServiceError("Kode dokumen tidak ditemukan; dokumen tidak didaftarkan.", "code")
    if not parsed.revision:
        raise ServiceError("Nomor revisi tidak ditemukan; dokumen tidak didaftarkan.", "revision")
    if body_length(parsed) == 0:
        raise ServiceError(_("The document has no body text; it was not registered."), "body")
    sha = hashlib.sha256(original[0]).hexdigest() if original else ""
    doc = services.get_document(parsed.code)
    if doc is not None:
        return _import_into_existing(doc, parsed, result, original, sha)
    read = services.read_code(parsed.code)
    doc = services.register_document({
        "code": parsed.code,
        "title": parsed.title or parsed.code,
        "doc_type": parsed.doc_type or read.get("doc_type") or "EXT",
    })
    doc.services = _services_for(parsed)
    doc.sites = _sites_for(parsed)
    services.set_links(doc, _links(parsed))
    now = utcnow()
    current_number = int(parsed.revision) if parsed.revision.isdigit() else None
    for change in parsed.change_log:
        if change.revision == parsed.revision or (current_number is not None and change.revision.isdigit()
                                                  and int(change.revision) >= current_number):
            continue
        old = Revision(document=doc, number=change.revision, status=SUPERSEDED, effective_date=change.effective_date,
                       change_description=change.description, imported=True, ended_at=now,
                       import_warnings="Isi revisi ini tidak tersedia; dicatat dari Catatan Perubahan Dokumen.")
        db.session.add(old)
    own = next((c for c in parsed.change_log if c.revision == parsed.revision), None)
    rev = Revision(document=doc, number=parsed.revision, status=EFFECTIVE, effective_date=parsed.effective_date,
                   change_description=own.description if own else "", effective_since=now)
    _fill_content(rev, parsed)
    _attach_original(rev, original)
    db.session.add(rev)
    db.session.flush()
    _sign_transcribed(rev, parsed)
    doc.last_reviewed_on = parsed.effective_date
    db.session.flush()
    search.index_document(doc.id, doc.code, doc.title, services.body_text(rev))
    audit.record("document.imported", doc, new={"source": Path(source).name if source else "", "revision": rev.number,
                                                "earlier_revisions": [r.number for r in doc.revisions if r.id != rev.id],
                                                "file_sha256": rev.file_sha256, "warnings": parsed.warnings})
    result.status = "imported"
    result.message = f"{doc.code} rev {rev.number} ({len(doc.revisions)} revisi, {len(rev.records)} rekaman)"
    return result


def _is_placeholder(rev: Revision) -> bool:
    """A revision known only from a change log: no content and no file."""
    return rev.imported and not rev.file_sha256 and not rev.sections and not rev.signatures


def _import_into_existing(doc, parsed: ParsedDocument, result: ImportResult, original, sha: str) -> ImportResult:
    same = next((r for r in doc.revisions if r.number == parsed.revision), None)
    if same is not None:
        if sha and same.file_sha256 == sha:
            result.status, result.message = "skipped", _("already present")
            return result
        if _is_placeholder(same):
            _fill_content(same, parsed)
            same.effective_date = same.effective_date or parsed.effective_date
            _attach_original(same, original)
            db.session.flush()
            _sign_transcribed(same, parsed)
            db.session.flush()
            audit.record("revision.filled", same, new={"number": same.number, "file_sha256": same.file_sha256,
                                                       "warnings": parsed.warnings})
            result.status, result.message = "filled", _("revision %(n)s filled from its file", n=same.number)
            return result
        if not same.file_sha256 and not sha:
            result.status, result.message = "skipped", _("already present")
            return result
        if not same.file_sha256 and _sections_of(parsed) == same.sections:
            # Registered before originals were kept, with the same content: the same document.
            result.status, result.message = "skipped", _("already present")
            return result
        result.status = "conflict"
        result.message = _("%(code)s rev %(n)s is registered with different content; nothing was changed.",
                           code=doc.code, n=same.number)
        return result
    numbers = [int(r.number) for r in doc.revisions if r.number.isdigit()]
    number = int(parsed.revision)
    if numbers and number < max(numbers):
        result.status = "conflict"
        result.message = _("%(code)s rev %(n)s is older than the revisions in the register; nothing was changed.",
                           code=doc.code, n=parsed.revision)
        return result
    open_draft = next((r for r in doc.revisions if r.status in (DRAFT, SUBMITTED, CHECKED, APPROVED)), None)
    if open_draft is not None:
        result.status = "conflict"
        result.message = _("Revision %(n)s is already in progress; finish or discard it first.", n=open_draft.number)
        return result
    own = next((c for c in parsed.change_log if c.revision == parsed.revision), None)
    rev = Revision(document=doc, number=parsed.revision, status=DRAFT, effective_date=parsed.effective_date,
                   change_description=own.description if own else "")
    _fill_content(rev, parsed)
    _attach_original(rev, original)
    db.session.add(rev)
    db.session.flush()
    rev.content_hash = services.content_hash(rev)
    audit.record("revision.drafted", rev, new={"document": doc.code, "number": rev.number, "imported": True,
                                               "file_sha256": rev.file_sha256, "warnings": parsed.warnings})
    result.status = "draft"
    result.message = _("%(code)s rev %(n)s registered as a draft (unsigned)", code=doc.code, n=rev.number)
    return result


def read_document(data: bytes, filename: str):
    """(Extracted, ParsedDocument) of a file's bytes; raises ReadError when it cannot be read."""
    from portal.documents.textparse import parse_document

    extracted = read_bytes(data, filename)
    if not extracted.has_text:
        # A scan cannot be registered directly: `--review` (or /documents/import) keeps it with its page image.
        raise ReadError("; ".join([*extracted.warnings, _("keep it for review with --review to type it from its page image")])
                        if extracted.format == "pdf" else "; ".join(extracted.warnings) or _("the document contains no text"))
    return extracted, parse_document(extracted)


def import_bytes(data: bytes, filename: str, source: str = "") -> ImportResult:
    """Read and register one file, all or nothing (a savepoint); never raises, the caller commits."""
    source = source or filename
    ext = extension_of(filename)
    try:
        extracted, parsed = read_document(data, filename)
    except ReadError as exc:
        return ImportResult(source=source, status="refused", message=exc.message, format=ext)
    sha = hashlib.sha256(data).hexdigest()
    known = db.session.scalars(select(Revision).where(Revision.file_sha256 == sha).limit(1)).first()
    if known is not None:
        return ImportResult(source=source, code=known.document.code, revision=known.number, format=ext,
                            status="skipped", message=_("already present"), warnings=list(parsed.warnings))
    try:
        with db.session.begin_nested():
            result = import_parsed(parsed, source=source, original=(data, filename))
    except ServiceError as exc:
        result = ImportResult(source=source, code=parsed.code, revision=parsed.revision, status="refused",
                              message=exc.message, warnings=list(parsed.warnings))
    except Exception as exc:  # one unreadable file must not stop the others
        current_app.logger.exception("import of %s failed", source)
        result = ImportResult(source=source, code=parsed.code, revision=parsed.revision, status="refused",
                              message=f"gagal dibaca: {exc}", warnings=list(parsed.warnings))
    result.format = ext
    return result


def import_path(path: str | Path) -> list[ImportResult]:
    """Import a file, or every file of a folder (other types reported as unsupported); the caller commits."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() else [path]
    results = []
    for file in files:
        if extension_of(file.name) not in FORMATS:
            results.append(ImportResult(source=str(file), status="skipped", message=_("unsupported type"),
                                        unsupported=True))
            continue
        try:
            data = file.read_bytes()
        except OSError as exc:
            results.append(ImportResult(source=str(file), status="refused", message=str(exc)))
            continue
        results.append(import_bytes(data, file.name, source=str(file)))
    return results
