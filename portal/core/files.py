"""Small file helpers shared by the modules that write to the documents store."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePath


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks (memory stays flat for large files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- uploads: judged by their bytes, never by their name
import io
import re
import unicodedata
import zipfile
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the store may hold and serve, by extension: the only names and Content-Types a stored file is sent with.
MIMES = {"pdf": "application/pdf", "docx": DOCX_MIME, "xlsx": XLSX_MIME, "odt": "application/vnd.oasis.opendocument.text",
         "txt": "text/plain", "md": "text/markdown", "png": "image/png", "jpg": "image/jpeg"}
IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff"}
# The main part of each OOXML package and the content type it must declare ([Content_Types].xml).
OOXML_MAIN = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
MACRO_EXTENSIONS = {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm"}
ZIP_MAX_UNPACKED = 60 * 1024 * 1024  # everything an archive may expand to
ZIP_MAX_RATIO = 150  # uncompressed / compressed, per member above 1 MB (a zip bomb expands by thousands)
ZIP_MAX_MEMBERS = 2000
KIND_LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "odt": "OpenDocument (.odt)",
               "txt": _l("plain text"), "md": _l("plain text"), "png": "PNG", "jpg": "JPEG"}


class FileRefused(ValueError):
    """An uploaded file refused for what its bytes are (the message says why, in the user's language)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def extension_of(filename: str) -> str:
    """The lower-case extension of a file name, without its dot ("" when none)."""
    return PurePath(filename or "").suffix.lower().lstrip(".")


def open_zip(data: bytes, kind: str = "zip") -> zipfile.ZipFile:
    """The archive, after checking it would not unpack past the size, ratio and member limits and holds no macros.

    Python's zipfile stops at the sizes the headers declare (a member that lies fails its CRC), so checking the
    declared sizes bounds what any reader of this archive can unpack."""
    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(_l("The file's content does not match its extension: it is not a real %(kind)s file.",
                             kind=KIND_LABELS.get(kind, kind)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(_l("The file is damaged: it cannot be opened as %(kind)s.", kind=KIND_LABELS.get(kind, kind))) from None
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(_l("The file would unpack to far more data than it holds (a \"zip bomb\"); it is refused."))
    if len(members) > ZIP_MAX_MEMBERS or total > ZIP_MAX_UNPACKED:
        raise FileRefused(_l("The file would unpack to far more data than it holds (a \"zip bomb\"); it is refused."))
    if any(PurePath(i.filename).name.lower() in ("vbaproject.bin", "vbadata.xml") for i in members):
        raise FileRefused(_l("Office files with macros are refused. Save it without macros (as .docx or PDF) and "
                             "upload it again."))
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = 2 * 1024 * 1024) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)


def _check_ooxml(data: bytes, ext: str) -> None:
    main, content_type = OOXML_MAIN[ext]
    archive = open_zip(data, ext)
    names = set(archive.namelist())
    mismatch = FileRefused(_l("The file's content does not match its extension: it is not a real %(kind)s file.",
                              kind=KIND_LABELS[ext]))
    if "[Content_Types].xml" not in names or main not in names:
        raise mismatch
    try:
        types = ElementTree.fromstring(_read_member(archive, "[Content_Types].xml"))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError):
        raise mismatch from None
    declared = {(el.get("PartName") or "").lstrip("/"): (el.get("ContentType") or "") for el in types
                if el.tag.endswith("Override")}
    if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in declared.values()) or \
            any("vbaproject" in (el.get("ContentType") or "").lower() for el in types):
        raise FileRefused(_l("Office files with macros are refused. Save it without macros (as .docx or PDF) and "
                             "upload it again."))
    if declared.get(main) != content_type:
        raise mismatch


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample or sample.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"MZ")):
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= len(sample) * 0.05


def check_upload(data: bytes, filename: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    """(extension, Content-Type) of an uploaded file whose name and bytes agree; raises FileRefused otherwise.

    The extension must be one of `allowed`, and the bytes must be that kind of file: a PDF starts with %PDF-, an
    OOXML file is a bounded zip whose declared main part is the right one (no macros), an OpenDocument text
    declares its mimetype, plain text is text (it is only ever sent as text/plain, as an attachment)."""
    ext = extension_of(filename)
    labels = ", ".join(str(KIND_LABELS.get(a, a)) for a in dict.fromkeys(allowed))
    if ext in MACRO_EXTENSIONS:
        raise FileRefused(_l("Office files with macros are refused. Save it without macros (as .docx or PDF) and "
                             "upload it again."))
    if ext not in allowed or ext not in MIMES:
        raise FileRefused(_l("Files of type %(ext)s are not accepted here; send %(kinds)s.",
                             ext=f".{ext}" if ext else _l("(no extension)"), kinds=labels))
    if not data:
        raise FileRefused(_l("The file is empty."))
    mismatch = FileRefused(_l("The file's content does not match its extension: it is not a real %(kind)s file.",
                              kind=KIND_LABELS[ext]))
    if ext == "pdf":
        if not data.startswith(b"%PDF-"):
            raise mismatch
    elif ext in IMAGE_MAGIC:
        if not data.startswith(IMAGE_MAGIC[ext]):
            raise mismatch
    elif ext in OOXML_MAIN:
        _check_ooxml(data, ext)
    elif ext == "odt":
        archive = open_zip(data, ext)
        if "content.xml" not in archive.namelist() or "mimetype" not in archive.namelist() or \
                _read_member(archive, "mimetype", 200).strip() != b"application/vnd.oasis.opendocument.text":
            raise mismatch
    elif not _looks_like_text(data):
        raise mismatch
    return ext, MIMES[ext]


def safe_download_name(name: str, ext: str, fallback: str = "file") -> str:
    """A file name to send a stored file under: no folders, no control or quoting characters, and always the
    extension of what the file is (never the one an uploader chose, such as .html)."""
    stem = PurePath((name or "").replace("\\", "/")).name
    if extension_of(stem):
        stem = stem[: -(len(extension_of(stem)) + 1)]
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] not in ("C",) and ch not in '"\\/:*?<>|;')
    stem = re.sub(r"\s+", " ", stem).strip(" .") or fallback
    return f"{stem[:120]}.{ext}"


def send_stored(path: Path, name: str, ext: str):
    """A stored file as a download: `Content-Disposition: attachment` with a safe name, the Content-Type of its
    kind (never text/html), nosniff."""
    from flask import send_file

    ext = ext if ext in MIMES else "bin"
    response = send_file(path, mimetype=MIMES.get(ext, "application/octet-stream"), as_attachment=True,
                         download_name=safe_download_name(name, ext))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- files that follow the transaction
# A file written for a row is written in full under a temporary name and moved into place at once (a reader never
# sees half a file); if the transaction that refers to it rolls back, the file is removed again. A file a row stops
# referring to (a replaced original) is removed only once that change is committed. What a crash leaves between the
# two (a file no row refers to, a temporary file) is listed and removed by `flask files orphans`.
TEMP_PREFIX = ".incoming-"
_NEW, _DROP = "portal_files_new", "portal_files_drop"


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` to folder/name through a temporary file; removed again if this transaction rolls back."""
    import os
    import tempfile

    from portal.extensions import db

    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before its name appears (and before the row's commit)
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    session = db.session()
    session.info.setdefault(_NEW, []).append((folder / name, session.get_nested_transaction() or session.get_transaction()))
    return folder / name


def remove_after_commit(path: Path) -> None:
    """Delete the file once this transaction commits (never if it rolls back: the row still refers to it)."""
    from portal.extensions import db

    db.session().info.setdefault(_DROP, []).append(path)


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_NEW, None)
    for path in session.info.pop(_DROP, None) or ():
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the commit stands; `flask files orphans` finds the file later
            pass


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _after_soft_rollback(session, previous_transaction) -> None:
    kept = []
    for path, transaction in session.info.get(_NEW, ()):
        if transaction is None or _within(transaction, previous_transaction):
            path.unlink(missing_ok=True)
        else:
            kept.append((path, transaction))
    session.info[_NEW] = kept
    if previous_transaction.parent is None:
        session.info.pop(_DROP, None)


def init_app(app) -> None:
    """Tie written and replaced files to the fate of their transaction."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


# ---------------------------------------------------------------- orphans: files no row refers to
@dataclass
class Orphan:
    path: str  # relative to DOCUMENTS_FOLDER, with "/"
    size: int
    modified: datetime
    reason: str  # "temporary" (left by a crash mid-write) | "unreferenced" (no row refers to it)


def _is_temporary(name: str) -> bool:
    """A file being written (or left half-written by a crash): ".incoming-*", ".tmp-*" or ".*.tmp"."""
    return name.startswith((TEMP_PREFIX, ".tmp-")) or (name.startswith(".") and name.endswith(".tmp"))


def find_orphans(min_age: timedelta = timedelta(hours=1)) -> list[Orphan]:
    """Files of the documents store that no database row refers to, and temporary files left by a crash.

    Only the folders an enabled module declares (`Module.stored_files`) are judged, plus temporary files anywhere;
    files younger than `min_age` are left alone (a request or job may not have committed its row yet)."""
    from flask import current_app

    from portal.core import modules

    root = Path(current_app.config["DOCUMENTS_FOLDER"])
    if not root.is_dir():
        return []
    owned: dict[str, set[str]] = {}
    for module in modules.enabled():
        for folder, referenced in module.stored_files.items():
            owned.setdefault(folder, set()).update(p.replace("\\", "/") for p in referenced())
    newest = datetime.now(timezone.utc) - min_age
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(root).as_posix()
        top = rel.split("/", 1)[0]
        if _is_temporary(path.name):
            reason = "temporary"
        elif top in owned and rel not in owned[top]:
            reason = "unreferenced"
        else:
            continue
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime, timezone.utc)
        if modified > newest:
            continue
        out.append(Orphan(rel, stat.st_size, modified, reason))
    return out


def delete_orphans(orphans: list[Orphan]) -> int:
    """Delete the listed orphans, each with an audit event (its path, size and SHA-256); the caller commits."""
    from flask import current_app

    from portal.core import audit

    root = Path(current_app.config["DOCUMENTS_FOLDER"])
    deleted = 0
    for orphan in orphans:
        path = root / orphan.path
        if not path.is_file():
            continue
        digest = sha256_file(path)
        path.unlink()
        audit.record("file.orphan_deleted", None, old={"path": orphan.path, "size": orphan.size, "sha256": digest,
                                                       "reason": orphan.reason,
                                                       "modified": orphan.modified.isoformat(timespec="seconds")})
        deleted += 1
    return deleted
