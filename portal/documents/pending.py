"""Imports a person confirms: files (or a zip of them) read into pending imports, corrected, then accepted into the
register or rejected. Services mutate, flush and write their audit events; the caller commits."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.documents import importer, readers, services
from portal.documents.models import (ACCEPTED, DOC_TYPES, PENDING, REJECTED, PendingImport, Revision)
from portal.documents.parsed import (ParsedChange, ParsedDocument, ParsedRecord, ParsedSection, ParsedSignature)
from portal.extensions import db

MAX_ZIP_MEMBERS = 200  # files in one archive
MAX_ZIP_UNPACKED = 60 * 1024 * 1024  # what one archive may expand to, all members together (as for a .docx)
MAX_ZIP_RATIO = 150  # uncompressed / compressed size of a member above 1 MB (a zip bomb expands by thousands)
SOURCE_TEXT_MAX = 200_000  # characters of extracted text kept for the side-by-side view
SIGNER_ROLES = ("prepared", "checked", "approved")
ACCEPTED_OUTCOMES = ("imported", "draft", "filled")
REVISION_RE = re.compile(r"^\d{1,3}$")
NO_REVISION = {"nihil", "-", "none", "nil", "tidak ada"}


@dataclass
class UploadResult:
    created: list[PendingImport] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)


# ---------------------------------------------------------------- the parsed document as JSON
def _iso(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _build(cls, data: dict, **override):
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in {**data, **override}.items() if k in known})


def parsed_to_json(parsed: ParsedDocument) -> str:
    """A ParsedDocument as JSON (dates as ISO strings)."""
    return json.dumps(asdict(parsed), ensure_ascii=False, default=_iso)


def parsed_from_json(text: str) -> ParsedDocument:
    """The ParsedDocument stored by parsed_to_json."""
    data = json.loads(text or "{}")
    base = {"code": "", "title": "", "doc_type": "", "revision": "", "effective_date": None}
    data = {**base, **data}
    return _build(
        ParsedDocument, data,
        effective_date=_date(data.get("effective_date")),
        signatures=[_build(ParsedSignature, s, signed_on=_date(s.get("signed_on"))) for s in data.get("signatures") or []],
        sections=[_build(ParsedSection, s) for s in data.get("sections") or []],
        records=[_build(ParsedRecord, r) for r in data.get("records") or []],
        change_log=[_build(ParsedChange, c, effective_date=_date(c.get("effective_date")))
                    for c in data.get("change_log") or []],
    )


def parsed_of(pending: PendingImport) -> ParsedDocument:
    """What was read from the file, with the corrections saved since."""
    return parsed_from_json(pending.parsed_json)


# ---------------------------------------------------------------- upload
def max_bytes() -> int:
    """The size cap of one document file (DOCUMENT_MAX_BYTES)."""
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or readers.MAX_BYTES)


def _too_large() -> str:
    return _("file larger than %(mb)d MB", mb=max(1, max_bytes() // (1024 * 1024)))


def _unzip(name: str, data: bytes, result: UploadResult) -> list[tuple[str, bytes]]:
    """The document files of a zip archive, bounded (members, total size, compression ratio); the rest refused."""
    if not data.startswith(b"PK\x03\x04"):
        result.refused.append((name, _("not a zip archive")))
        return []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        result.refused.append((name, _("damaged archive")))
        return []
    members = [i for i in members if not PurePosixPath(i.filename).name.startswith(".")
               and "__MACOSX" not in PurePosixPath(i.filename).parts]
    if len(members) > MAX_ZIP_MEMBERS:
        result.refused.append((name, _("the archive holds more than %(n)d files", n=MAX_ZIP_MEMBERS)))
        return []
    if sum(i.file_size for i in members) > MAX_ZIP_UNPACKED:
        result.refused.append((name, _("the archive would unpack to more than %(mb)d MB",
                                       mb=MAX_ZIP_UNPACKED // (1024 * 1024))))
        return []
    out = []
    limit = max_bytes()
    for info in members:
        member = PurePosixPath(info.filename).name
        label = f"{name}: {member}"
        ext = readers.extension_of(member)
        if ext == "zip":
            result.refused.append((label, _("an archive inside an archive is not unpacked")))
        elif ext in readers.MACRO_EXTENSIONS:
            result.refused.append((label, _("macro-enabled Office files are refused")))
        elif ext not in readers.FORMATS:
            result.refused.append((label, _("unsupported file type")))
        elif info.file_size > limit:
            result.refused.append((label, _too_large()))
        elif info.file_size > 1_000_000 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            result.refused.append((label, _("archive too large to unpack safely")))
        else:
            try:
                with archive.open(info) as f:
                    content = f.read(limit + 1)  # never more than the cap, whatever the header claims
            except (RuntimeError, zipfile.BadZipFile, OSError, ValueError, EOFError):
                result.refused.append((label, _("damaged archive")))
                continue
            if len(content) > limit:
                result.refused.append((label, _too_large()))
                continue
            out.append((member, content))
    return out


def _already_known(sha: str) -> str | None:
    """Why a file with this hash need not be imported again, or None."""
    waiting = db.session.scalar(select(PendingImport.id).where(PendingImport.file_sha256 == sha,
                                                               PendingImport.status == PENDING).limit(1))
    if waiting is not None:
        return _("already waiting for review (import no. %(id)s)", id=waiting)
    known = db.session.scalars(select(Revision).where(Revision.file_sha256 == sha).limit(1)).first()
    if known is not None:
        return _("already in the register as %(code)s rev %(n)s", code=known.document.code, n=known.number)
    return None


def _read_one(name: str, data: bytes, user) -> PendingImport:
    """One file as a pending import; raises ServiceError (field "files") with the reason it cannot be one."""
    ext = readers.extension_of(name)
    if ext in readers.MACRO_EXTENSIONS:
        raise ServiceError(_("macro-enabled Office files are refused"), "files")
    if ext not in readers.FORMATS:
        raise ServiceError(_("unsupported file type"), "files")
    if len(data) > max_bytes():
        raise ServiceError(_too_large(), "files")
    why = _already_known(hashlib.sha256(data).hexdigest())
    if why:
        raise ServiceError(why, "files")
    try:
        extracted = readers.read_bytes(data, name)
    except readers.ReadError as exc:
        raise ServiceError(exc.message, "files") from exc
    image = None
    if extracted.has_text:
        from portal.documents.textparse import parse_document

        parsed = parse_document(extracted)
    else:
        # A scan: nothing to read, so the person types it from the first page shown beside the form (never an empty
        # import that looks read).
        parsed = ParsedDocument(code="", title="", doc_type="", revision="", effective_date=None,
                                warnings=[str(w) for w in extracted.warnings])
        image = readers.first_page_png(data)
        parsed.warnings.append(_("Scanned PDF without text: type the header and the text from the page image.")
                               if image else _("Scanned PDF without text, and no image of its first page could be "
                                               "made: open the original and type the header and the text."))
    path, sha = importer.store_original(data, ext)
    text = extracted.text or ""
    pending = PendingImport(
        file_name=PurePosixPath(name.replace("\\", "/")).name[:255], file_path=path, file_sha256=sha, file_size=len(data), file_format=ext,
        uploaded_by_id=getattr(user, "id", None), uploaded_at=utcnow(), code=parsed.code[:80],
        revision_number=parsed.revision[:4], parsed_json=parsed_to_json(parsed), source_text=text[:SOURCE_TEXT_MAX],
        source_truncated=len(text) > SOURCE_TEXT_MAX, status=PENDING)
    if image:
        from portal.core import files

        pending.page_image = f"originals/{sha}.page1.png"
        files.write_atomic(Path(current_app.config["DOCUMENTS_FOLDER"]) / "originals", f"{sha}.page1.png", image)
    fields = fields_of(pending)
    pending.read_warnings_json = json.dumps(read_warnings(parsed, fields), ensure_ascii=False)
    pending.warnings = warnings_for(pending, fields)
    db.session.add(pending)
    db.session.flush()
    audit.record("import.uploaded", pending, actor=user,
                 new={"file": pending.file_name, "file_sha256": sha, "format": ext, "code": parsed.code or "—",
                      "revision": parsed.revision, "warnings": len(pending.warnings)})
    return pending


def upload(files: list[tuple[str, bytes]], user) -> UploadResult:
    """Read each file (a zip: each of its document files) into a pending import; files that cannot be read are
    listed with the reason. Raises ServiceError (field "files") when not one file could be read."""
    files = [(name, data) for name, data in files if name]
    if not files:
        raise ServiceError(_("Choose one or more files, or a zip archive of them."), "files")
    result = collect(files, user)
    if not result.created:
        reasons = "; ".join(f"{n}: {r}" for n, r in result.refused)
        raise ServiceError(_("No file could be read: %(reasons)s", reasons=reasons), "files")
    return result


def collect(files: list[tuple[str, bytes]], user) -> UploadResult:
    """Pending imports of the readable files (and zip members) and the reasons for the others; never raises."""
    result = UploadResult()
    expanded: list[tuple[str, bytes]] = []
    for name, data in files:
        if readers.extension_of(name) == "zip":
            if len(data) > MAX_ZIP_UNPACKED:
                result.refused.append((name, _("archive too large to unpack safely")))
            else:
                expanded.extend(_unzip(name, data, result))
        else:
            expanded.append((name, data))
    for name, data in expanded:
        try:
            with db.session.begin_nested():
                result.created.append(_read_one(name, data, user))
        except ServiceError as exc:
            result.refused.append((name, exc.message))
    return result


# ---------------------------------------------------------------- corrections
def fields_of(pending: PendingImport) -> dict:
    """The editable fields of a pending import, as the review form shows them."""
    parsed = parsed_of(pending)
    by_role = {s.role: s for s in parsed.signatures}
    return {
        "code": parsed.code, "title": parsed.title, "doc_type": parsed.doc_type, "revision": parsed.revision,
        "effective_date": parsed.effective_date.isoformat() if parsed.effective_date else "",
        "signatures": [{"role": role, "name": by_role[role].name if role in by_role else "",
                        "position": by_role[role].position if role in by_role else ""} for role in SIGNER_ROLES],
        "sections": [{"number": s.number, "title": s.title, "body": s.body} for s in parsed.sections],
        "records": [{"code": r.code, "name": r.name, "retention": r.retention, "owner": r.owner} for r in parsed.records],
        "change_log": [{"revision": c.revision, "effective_date": c.effective_date.isoformat() if c.effective_date else "",
                        "description": c.description} for c in parsed.change_log],
    }


# ---------------------------------------------------------------- warnings, recomputed from the fields
def _field_values(fields: dict) -> dict[str, str]:
    """Each field a warning can be about, as one comparable string."""
    values = {k: str(fields.get(k) or "").strip() for k in ("code", "title", "doc_type", "revision", "effective_date")}
    values["code"] = services.normalise_code(values["code"])
    values["revision"] = normalise_revision(values["revision"])
    for sig in fields.get("signatures") or []:
        values[f"sig_{sig.get('role')}"] = (sig.get("name") or "").strip()
    for key in ("sections", "records", "change_log"):
        values[key] = json.dumps(fields.get(key) or [], ensure_ascii=False, sort_keys=True)
    return values


_WARNING_FIELDS = [  # (pattern in a warning as the reader wrote it, the field it is about)
    (r"tanggal berlaku|effective date", "effective_date"), (r"kode dokumen|document code", "code"),
    (r"nomor revisi|revision number", "revision"), (r"^judul|title", "title"), (r"jenis dokumen", "doc_type"),
    (r"dibuat oleh|disusun", "sig_prepared"), (r"diperiksa", "sig_checked"), (r"disetujui|disahkan", "sig_approved"),
    (r"catatan perubahan|change log", "change_log"), (r"bagian isi|sections?\b", "sections"),
]


def _field_of_warning(text: str) -> str:
    """The field a warning of the reader is about ("" for the file itself: encoding, scan, characters)."""
    low = text.lower()
    return next((key for pattern, key in _WARNING_FIELDS if re.search(pattern, low)), "")


def read_warnings(parsed: ParsedDocument, fields: dict) -> list[dict]:
    """The reader's warnings with the field each is about and that field's value as read."""
    values = _field_values(fields)
    out = []
    for text in dict.fromkeys(str(w) for w in parsed.warnings):
        key = _field_of_warning(text)
        out.append({"field": key, "value": values.get(key, ""), "text": text})
    return out


def _missing(fields: dict, values: dict[str, str]) -> list[tuple[str, str]]:
    """(field, warning) for what is still empty or unsure in the fields as they are now."""
    out = []
    if not values["code"]:
        out.append(("code", _("No document code: type it from the source.")))
    if not values["title"]:
        out.append(("title", _("No title: type the document's name.")))
    if not values["revision"]:
        out.append(("revision", _("no revision number found")))
    if not values["effective_date"]:
        out.append(("effective_date", _("No effective date: type it from the source.")))
    raw_code = str(fields.get("code") or "").strip()
    if re.search(r"\s", raw_code):
        out.append(("code", _("The code contains spaces; the register writes codes without them (%(code)s): "
                              "correct it if another separator is meant.", code=values["code"])))
    if values["code"] and not values["doc_type"] and not services.read_code(values["code"]):
        out.append(("doc_type", _("The type cannot be read from the code: choose it.")))
    labels = {"prepared": _("Prepared by"), "checked": _("Checked by"), "approved": _("Approved by")}
    for role in SIGNER_ROLES:
        if not values.get(f"sig_{role}"):
            out.append((f"sig_{role}", _("No name for the signature “%(role)s”.", role=labels[role])))
    if not any((s.get("body") or "").strip() for s in fields.get("sections") or []):
        out.append(("sections", _("No body text: give a section its text before accepting.")))
    for change in fields.get("change_log") or []:
        if not (change.get("effective_date") or "").strip():
            out.append(("change_log", _("Change log: revision %(n)s has no date.", n=change.get("revision") or "—")))
    return out


def warnings_for(pending: PendingImport, fields: dict) -> list[str]:
    """The warnings for the fields as they are now: the reader's, while the field it is about keeps the value read
    (those about the file itself always), and one for each field still empty."""
    values = _field_values(fields)
    out, kept = [], set()
    for w in json.loads(pending.read_warnings_json or "[]"):
        if not w.get("field") or values.get(w["field"], "") == w.get("value", ""):
            out.append(w["text"])
            kept.add(w.get("field"))
    out += [text for key, text in _missing(fields, values) if key not in kept]
    return list(dict.fromkeys(out))


def _parse_date(text: str) -> date | None:
    text = (text or "").strip()
    for pattern in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"):
        m = re.match(pattern, text)
        if m:
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = (a, b, c) if a > 31 else (c, b, a)
            return date(y, mo, d)
    raise ValueError(text)


def normalise_revision(text: str) -> str:
    """A revision as the register writes it: "2" -> "02", "Nihil"/"-" -> "00"."""
    text = (text or "").strip()
    if text.lower() in NO_REVISION:
        return "00"
    return text.zfill(2) if REVISION_RE.match(text) else text


def field_errors(data: dict) -> dict[str, str]:
    """What is wrong with the posted fields of a review form: field -> message (empty when all is well)."""
    errors: dict[str, str] = {}
    code = services.normalise_code(data.get("code", ""))
    if not code:
        errors["code"] = _("Enter the document code.")
    elif problem := services.code_problem(code):
        errors["code"] = problem
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter the title.")
    elif len(title) > 300:
        errors["title"] = _("At most %(n)d characters.", n=300)
    if (data.get("doc_type") or "") not in ("", *DOC_TYPES):
        errors["doc_type"] = _("Choose a document type from the list.")
    revision = normalise_revision(data.get("revision", ""))
    if not revision:
        errors["revision"] = _("Enter the revision number (00 for a first issue).")
    elif not REVISION_RE.match(revision):
        errors["revision"] = _("A revision number has two or three digits, e.g. 00 or 03.")
    if (data.get("effective_date") or "").strip():
        try:
            _parse_date(data["effective_date"])
        except ValueError:
            errors["effective_date"] = _("Enter the date as YYYY-MM-DD (or DD/MM/YYYY).")
    for sig in data.get("signatures") or []:
        role = sig.get("role", "")
        if role not in SIGNER_ROLES:
            continue
        name, position = (sig.get("name") or "").strip(), (sig.get("position") or "").strip()
        if len(name) > 120:
            errors[f"sig_{role}_name"] = _("At most %(n)d characters.", n=120)
        elif position and not name:
            errors[f"sig_{role}_name"] = _("Enter the signer's name, or clear the position.")
        if len(position) > 160:
            errors[f"sig_{role}_position"] = _("At most %(n)d characters.", n=160)
    for i, sec in enumerate(data.get("sections") or [], start=1):
        number, title_ = (sec.get("number") or "").strip(), (sec.get("title") or "").strip()
        if len(number) > 20 or "\n" in number:
            errors[f"section_number-{i}"] = _("At most %(n)d characters on one line.", n=20)
        if len(title_) > 300:
            errors[f"section_title-{i}"] = _("At most %(n)d characters.", n=300)
        if (sec.get("body") or "").strip() and not (number or title_):
            errors[f"section_title-{i}"] = _("Give the section a number or a heading.")
    for i, rec in enumerate(data.get("records") or [], start=1):
        for key, limit in (("code", 80), ("name", 300), ("retention", 80), ("owner", 120)):
            if len((rec.get(key) or "").strip()) > limit:
                errors[f"record_{key}-{i}"] = _("At most %(n)d characters.", n=limit)
        if not (rec.get("name") or "").strip() and not errors.get(f"record_name-{i}"):
            errors[f"record_name-{i}"] = _("Enter the name of the record, or clear the row.")
    seen: set[str] = set()
    for i, change in enumerate(data.get("change_log") or [], start=1):
        number = normalise_revision(change.get("revision", ""))
        if not REVISION_RE.match(number):
            errors[f"change_revision-{i}"] = _("A revision number has two or three digits, e.g. 00 or 03.")
        elif number in seen:
            errors[f"change_revision-{i}"] = _("Revision %(n)s is already in the change log.", n=number)
        seen.add(number)
        if (change.get("effective_date") or "").strip():
            try:
                _parse_date(change["effective_date"])
            except ValueError:
                errors[f"change_date-{i}"] = _("Enter the date as YYYY-MM-DD (or DD/MM/YYYY).")
        if len((change.get("description") or "").strip()) > 2000:
            errors[f"change_description-{i}"] = _("At most %(n)d characters.", n=2000)
    return errors


def _require_pending(pending: PendingImport) -> None:
    if pending.status != PENDING:
        raise ServiceError(_("This import has already been decided (%(status)s).", status=pending.status))


def save_fields(pending: PendingImport, data: dict, user) -> PendingImport:
    """Store the corrected fields of a pending import (validated); audited when something changed."""
    _require_pending(pending)
    errors = field_errors(data)
    if errors:
        name, message = next(iter(errors.items()))
        raise ServiceError(message, name)
    parsed = parsed_of(pending)
    before = fields_of(pending)
    parsed.code = services.normalise_code(data["code"])
    parsed.title = data["title"].strip()
    parsed.doc_type = data.get("doc_type") or ""
    parsed.revision = normalise_revision(data["revision"])
    parsed.effective_date = _parse_date(data["effective_date"]) if (data.get("effective_date") or "").strip() else None
    signed_on = {s.role: s.signed_on for s in parsed.signatures}
    parsed.signatures = [ParsedSignature(role=s["role"], name=s["name"].strip(), position=(s.get("position") or "").strip(),
                                         signed_on=signed_on.get(s["role"]))
                         for s in data.get("signatures") or [] if s.get("role") in SIGNER_ROLES and (s.get("name") or "").strip()]
    rows = {(s.number, s.title): s.rows for s in parsed.sections if s.rows}
    parsed.sections = [ParsedSection(number=s["number"].strip(), title=s["title"].strip(),
                                     body=(s.get("body") or "").replace("\r\n", "\n").strip("\n"),
                                     rows=rows.get((s["number"].strip(), s["title"].strip()), []))
                       for s in data.get("sections") or [] if any((s.get(k) or "").strip() for k in ("number", "title", "body"))]
    if "records" in data:
        parsed.records = [ParsedRecord(code=services.normalise_code(r.get("code") or ""), name=(r.get("name") or "").strip(),
                                       retention=(r.get("retention") or "").strip(), owner=(r.get("owner") or "").strip())
                          for r in data["records"]]
    if "change_log" in data:
        parsed.change_log = [ParsedChange(revision=normalise_revision(c.get("revision", "")),
                                          effective_date=_parse_date(c["effective_date"]) if (c.get("effective_date") or "").strip() else None,
                                          description=(c.get("description") or "").strip())
                             for c in data["change_log"]]
    pending.parsed_json = parsed_to_json(parsed)
    pending.code, pending.revision_number = parsed.code[:80], parsed.revision[:4]
    after = fields_of(pending)
    pending.warnings = warnings_for(pending, after)
    changed = [k for k in ("code", "title", "doc_type", "revision", "effective_date") if before[k] != after[k]]
    old = {k: before[k] for k in changed}
    new = {k: after[k] for k in changed}
    for key in ("signatures", "sections", "records", "change_log"):
        if before[key] != after[key]:
            old[key], new[key] = len([x for x in before[key] if x.get("name", True)]), len(
                [x for x in after[key] if x.get("name", True)])
    db.session.flush()
    if new:
        audit.record("import.corrected", pending, old=old, new=new, actor=user)
    return pending


# ---------------------------------------------------------------- decisions
def original_path(pending: PendingImport) -> Path:
    """Where the kept original of a pending import is."""
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / pending.file_path


def original_bytes(pending: PendingImport) -> bytes:
    """The kept original file of a pending import."""
    try:
        return original_path(pending).read_bytes()
    except OSError as exc:
        raise ServiceError(_("The original file is missing from the document store.")) from exc


def existing_revisions(code: str) -> list[str]:
    """Revision numbers the register holds for this code (empty when the code is new): one statement."""
    if not code:
        return []
    from portal.documents.models import Document

    return list(db.session.scalars(select(Revision.number).join(Document, Document.id == Revision.document_id)
                                   .where(Document.code_key == services.normalise_code(code).upper())
                                   .order_by(Revision.number)))


def expected_outcome(code: str, revision: str) -> tuple[str, str]:
    """What accepting this code and revision would do, before it is done: ("new" | "draft" | "filled" | "conflict",
    a sentence for the page). Two statements (the document's revisions, their signatures)."""
    from sqlalchemy.orm import selectinload

    from portal.documents.models import DRAFT, SUBMITTED, CHECKED, APPROVED, Document

    code = services.normalise_code(code)
    number = normalise_revision(revision)
    if not code:
        return "new", ""
    revisions = db.session.scalars(select(Revision).options(selectinload(Revision.signatures))
                                   .join(Document, Document.id == Revision.document_id)
                                   .where(Document.code_key == code.upper())).all()
    if not revisions:
        return "new", ""
    same = next((r for r in revisions if r.number == number), None)
    if same is not None:
        if same.imported and not same.file_sha256 and not same.sections and not same.signatures:
            return "filled", _("Revision %(n)s of %(code)s is known only from its change log: accepting fills it with "
                               "this file's content and signatures.", n=number, code=code)
        return "conflict", _("%(code)s rev %(n)s is already registered with its content: accepting will be refused. "
                             "Correct the revision number, or reject this file.", n=number, code=code)
    numbers = [int(r.number) for r in revisions if r.number.isdigit()]
    if number.isdigit() and numbers and int(number) < max(numbers):
        return "conflict", _("%(code)s rev %(n)s is older than the revisions in the register: accepting will be "
                             "refused.", n=number, code=code)
    open_draft = next((r for r in revisions if r.status in (DRAFT, SUBMITTED, CHECKED, APPROVED)), None)
    if open_draft is not None:
        return "conflict", _("Revision %(n)s is already in progress; finish or discard it first.", n=open_draft.number)
    return "draft", ""


def accept(pending: PendingImport, user, data: dict | None = None) -> importer.ImportResult:
    """Register what was read (after saving `data`, the fields as typed): a new code becomes the current revision
    with its transcribed signatures; a newer revision of a registered document becomes a draft. A conflict or an
    empty body is refused (ServiceError next to its field) and nothing changes."""
    _require_pending(pending)
    if data is not None:
        save_fields(pending, data, user)
    parsed = parsed_of(pending)
    if not parsed.code:
        raise ServiceError(_("Enter the document code."), "code")
    if not REVISION_RE.match(parsed.revision or ""):
        raise ServiceError(_("Enter the revision number (00 for a first issue)."), "revision")
    if importer.body_length(parsed) == 0:
        raise ServiceError(_("The document has no body text; it was not registered."), "body")
    content = original_bytes(pending)
    known = db.session.scalars(select(Revision).where(Revision.file_sha256 == pending.file_sha256).limit(1)).first()
    if known is not None:
        raise ServiceError(_("This file is already in the register as %(code)s rev %(n)s.",
                             code=known.document.code, n=known.number), "code")
    with db.session.begin_nested():
        result = importer.import_parsed(parsed, source=pending.file_name, original=(content, pending.file_name))
        if result.status not in ACCEPTED_OUTCOMES:
            raise ServiceError(result.message or _("Nothing was registered."),
                               "revision" if result.status in ("conflict", "skipped") else "code")
    doc = services.get_document(parsed.code)
    rev = next(r for r in doc.revisions if r.number == parsed.revision)
    if result.status == "draft" and rev.created_by_id is None and getattr(user, "id", None):
        rev.created_by_id = user.id
    pending.status, pending.decided_by_id, pending.decided_at = ACCEPTED, getattr(user, "id", None), utcnow()
    pending.outcome, pending.outcome_message, pending.revision_id = result.status, result.message, rev.id
    pending.code = doc.code
    db.session.flush()
    audit.record("import.accepted", pending, actor=user,
                 new={"document": doc.code, "revision": rev.number, "outcome": result.status, "file": pending.file_name})
    return result


def reject(pending: PendingImport, user, reason: str) -> PendingImport:
    """Refuse a pending import with a reason; nothing enters the register (the original stays in the store)."""
    _require_pending(pending)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason."), "reason")
    if len(reason) > 2000:
        raise ServiceError(_("At most %(n)d characters.", n=2000), "reason")
    pending.status, pending.decided_by_id, pending.decided_at = REJECTED, getattr(user, "id", None), utcnow()
    pending.rejection_reason, pending.outcome = reason, "rejected"
    db.session.flush()
    audit.record("import.rejected", pending, actor=user, reason=reason, new={"file": pending.file_name})
    return pending


def review_path(path: str | Path, user=None) -> UploadResult:
    """Every document file in PATH (a file or a folder; zips unpacked) as a pending import, the others refused
    with their reason (other types too, so nothing is skipped without a word)."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() else [path]
    result = UploadResult()
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            result.refused.append((file.name, str(exc)))
            continue
        one = collect([(file.name, data)], user)
        result.created.extend(one.created)
        result.refused.extend(one.refused)
    return result


def stored_originals():
    """The originals (and first-page images of scans) the pending imports refer to, for the orphan check."""
    paths = db.session.execute(select(PendingImport.file_path, PendingImport.page_image)).all()
    return sorted({p for row in paths for p in row if p})


def page_image_path(pending: PendingImport) -> Path | None:
    """The first page of a scanned original as a PNG, or None."""
    if not pending.page_image:
        return None
    path = Path(current_app.config["DOCUMENTS_FOLDER"]) / pending.page_image
    return path if path.is_file() else None
