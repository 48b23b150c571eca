"""Register documents read from text files (`flask documents import PATH`), all or nothing per file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from portal.auth.models import Service, Site
from portal.core.service import ServiceError
from portal.core import audit
from portal.core.db import utcnow
from portal.documents import search, services
from portal.documents.models import EFFECTIVE, SUPERSEDED, RecordType, Revision, Signature
from portal.documents.parsed import ParsedDocument
from portal.extensions import db

# Which services a document applies to, read from its code and title when the register has no other word on it.
OUTBOUND_SERVICES = ["TAM-ADDON", "TAM-WIFI", "TAM-CT0"]
INBOUND_SERVICES = ["147", "108", "SOSMED"]
STAMP_SITES = {"PUSAT": "PUSAT", "MALANG": "MLG", "BANDUNG": "BDG", "SEMARANG": "SMG", "BOGOR": "BGR",
               "MEDAN": "MDN", "TANGERANG": "TNG", "MAKASSAR": "MKS"}


@dataclass
class ImportResult:
    source: str
    code: str = ""
    status: str = ""  # imported | skipped | refused
    message: str = ""
    warnings: list[str] = field(default_factory=list)


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


def import_parsed(parsed: ParsedDocument, source: str = "") -> ImportResult:
    """Register one parsed document with its earlier revisions from the change log; caller commits."""
    result = ImportResult(source=source, code=parsed.code, warnings=list(parsed.warnings))
    if not parsed.code:
        raise ServiceError("Kode dokumen tidak ditemukan; dokumen tidak didaftarkan.", "code")
    if not parsed.revision:
        raise ServiceError("Nomor revisi tidak ditemukan; dokumen tidak didaftarkan.", "revision")
    doc = services.get_document(parsed.code)
    if doc is not None and any(r.number == parsed.revision for r in doc.revisions):
        result.status, result.message = "skipped", f"{doc.code} rev {parsed.revision} sudah terdaftar"
        return result
    if doc is not None:
        raise ServiceError(f"{doc.code} sudah terdaftar dengan revisi lain; buat revisi baru lewat portal.", "code")
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
                   change_description=own.description if own else "", imported=True, effective_since=now,
                   import_warnings="\n".join(parsed.warnings))
    rev.sections = [{"number": s.number, "title": s.title, "body": s.body} for s in parsed.sections]
    rev.meta = _meta(parsed)
    rev.records = [RecordType(position=i, code=r.code, name=r.name, retention=r.retention, owner=r.owner)
                   for i, r in enumerate(parsed.records)]
    db.session.add(rev)
    db.session.flush()
    hash_ = services.content_hash(rev)
    rev.content_hash = hash_
    for sig in parsed.signatures:
        rev.signatures.append(Signature(role=sig.role, name=sig.name, position=sig.position, signed_on=sig.signed_on,
                                        meaning=services.SIGNATURE_MEANINGS[sig.role], content_hash=hash_, transcribed=True))
    doc.last_reviewed_on = parsed.effective_date
    db.session.flush()
    search.index_document(doc.id, doc.code, doc.title, services.body_text(rev))
    audit.record("document.imported", doc, new={"source": Path(source).name if source else "", "revision": rev.number,
                                                "earlier_revisions": [r.number for r in doc.revisions if r.id != rev.id],
                                                "warnings": parsed.warnings})
    result.status = "imported"
    result.message = f"{doc.code} rev {rev.number} ({len(doc.revisions)} revisi, {len(rev.records)} rekaman)"
    return result


def import_path(path: str | Path) -> list[ImportResult]:
    """Import a text file, or every .txt/.md file of a folder; each file is kept whole or not at all."""
    from portal.documents.textparse import parse_text

    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".md")) if path.is_dir() else [path]
    results = []
    for file in files:
        try:
            raw = file.read_bytes()
            text = raw.decode("utf-8", errors="replace")
            parsed = parse_text(text, source=str(file))
            with db.session.begin_nested():
                result = import_parsed(parsed, source=str(file))
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            result = ImportResult(source=str(file), status="refused", message=exc.message)
        except Exception as exc:  # one unreadable file must not stop the others
            db.session.rollback()
            result = ImportResult(source=str(file), status="refused", message=f"gagal dibaca: {exc}")
        results.append(result)
    return results
