"""Turn the bytes of an uploaded or imported document (.docx, .pdf, .odt, .txt, .md) into plain text and tables.

`read_bytes` either returns an `Extracted` or raises `ReadError` with a short, specific message; it never
unpacks more than `MAX_UNPACKED` bytes from an archive and refuses files whose bytes do not match their extension.
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l

from portal.core.files import MACRO_EXTENSIONS, ZIP_MAX_UNPACKED as MAX_UNPACKED  # one rule for every upload

FORMATS = ("docx", "pdf", "odt", "txt", "md")
MAX_BYTES = 20 * 1024 * 1024  # the file itself
MAX_PDF_PAGES = 300
LATIN_FAMILY = {"utf_8", "cp1252", "cp1250", "cp1254", "cp1257", "latin_1", "iso8859_15", "iso8859_2", "iso8859_9",
                "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_16", "mac_roman", "mac_latin2", "ascii", "cp850",
                "cp437", "cp858"}


class ReadError(Exception):
    """A file that cannot be read as a document, with the reason to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Extracted:
    """What a file says as text: the text in reading order, its tables and what went wrong along the way."""

    format: str  # docx | pdf | odt | txt | md
    text: str
    tables: list[list[list[str]]] = field(default_factory=list)  # tables -> rows -> cells
    encoding: str = ""  # for txt/md: the encoding the bytes were read in
    encoding_guessed: bool = False  # True when the encoding was a statistical guess (not UTF-8, not a BOM)
    warnings: list[str] = field(default_factory=list)
    filename: str = ""
    pages: int = 0

    @property
    def has_text(self) -> bool:
        """True when there are words to read."""
        return bool(re.search(r"\w", self.text or ""))


def _msg(message, **kwargs) -> str:
    """A translated message as plain text (English outside a request)."""
    return str(message % kwargs if kwargs else message)


# ---------------------------------------------------------------- entry point
def extension_of(filename: str) -> str:
    """The lower-case extension without its dot ("" when none)."""
    return PurePath(filename or "").suffix.lower().lstrip(".")


def read_bytes(data: bytes, filename: str) -> Extracted:
    """The text and tables of a document file; raises ReadError when the file cannot be read as one."""
    ext = extension_of(filename)
    if ext in MACRO_EXTENSIONS:
        raise ReadError(_msg(_l("macro-enabled Office files are refused")))
    if ext not in FORMATS:
        raise ReadError(_msg(_l("unsupported file type")))
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError(_msg(_l("empty file")))
    if len(data) > MAX_BYTES:
        raise ReadError(_msg(_l("file larger than %(mb)d MB"), mb=MAX_BYTES // (1024 * 1024)))
    reader = {"docx": _read_docx, "pdf": _read_pdf, "odt": _read_odt}.get(ext, _read_text)
    out = reader(data)
    out.format = ext
    out.filename = PurePath(filename).name
    out.text = out.text.replace("\x00", "")
    if not out.has_text and out.format != "pdf":
        raise ReadError(_msg(_l("the document contains no text")))
    return out


# ---------------------------------------------------------------- archives
def _safe_zip(data: bytes, required: str) -> zipfile.ZipFile:
    """The zip archive, after checking it holds `required` and would not expand past the limits (the same rule
    as every upload: core.files.open_zip)."""
    from portal.core.files import FileRefused, open_zip

    if not data.startswith(b"PK\x03\x04"):
        raise ReadError(_msg(_l("not a %(kind)s file (the content does not match the extension)"), kind=required.split("/")[0]))
    try:
        archive = open_zip(data)
    except FileRefused as exc:
        raise ReadError(exc.message) from None
    if required not in archive.namelist():
        raise ReadError(_msg(_l("not a %(kind)s file (the content does not match the extension)"), kind=required.split("/")[0]))
    return archive


def _bounded_read(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, never more than MAX_UNPACKED whatever its header claims."""
    with archive.open(name) as f:
        data = f.read(MAX_UNPACKED + 1)
    if len(data) > MAX_UNPACKED:
        raise ReadError(_msg(_l("archive too large to unpack safely")))
    return data


# ---------------------------------------------------------------- docx
def _cell_text(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\t", " ")).strip()


def _render_table(rows: list[list[str]]) -> list[str]:
    """Rows as lines of tab-separated cells (the layout the text parser reads), merged cells once."""
    lines = []
    for row in rows:
        cells: list[str] = []
        for cell in row:
            if cells and cell == cells[-1] and cell:
                continue  # a horizontally merged cell repeats its text
            cells.append(cell)
        lines.append("\t".join(cells))
    return lines


def _docx_blocks(container, tables: list) -> list[str]:
    """The paragraphs and tables of a body, header or footer, in reading order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text.replace("\n", " ").rstrip())
        elif isinstance(block, Table):
            rows = []
            for row in block.rows:
                try:
                    rows.append([_cell_text(c.text) for c in row.cells])
                except (IndexError, ValueError):  # a malformed grid
                    continue
            tables.append(rows)
            lines.extend(_render_table(rows))
            lines.append("")
    return lines


def _read_docx(data: bytes) -> Extracted:
    archive = _safe_zip(data, "word/document.xml")
    ctypes = _bounded_read(archive, "[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    if b"macroEnabled" in ctypes:
        raise ReadError(_msg(_l("macro-enabled Office files are refused")))
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except ReadError:
        raise
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise ReadError(_msg(_l("damaged Word document"))) from exc
    tables: list[list[list[str]]] = []
    head: list[str] = []
    foot: list[str] = []
    seen_parts = set()
    for section in document.sections:
        for part_name, target in (("header", head), ("footer", foot)):
            for hf in (getattr(section, f"first_page_{part_name}"), getattr(section, part_name)):
                try:
                    if hf.is_linked_to_previous:
                        continue
                    key = id(hf.part)
                except Exception:
                    continue
                if key in seen_parts:
                    continue
                seen_parts.add(key)
                target.extend(_docx_blocks(hf, tables))
    body = _docx_blocks(document, tables)
    # The header block usually sits in the page header: read it first; footers (page numbers, stamps) too.
    text = "\n".join([*head, "", *foot, "", *body]).strip("\n")
    return Extracted(format="docx", text=text, tables=tables)


# ---------------------------------------------------------------- odt
_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}


def _odt_text(node) -> str:
    """The text of a paragraph-like element with its spaces, tabs and line breaks."""
    out = [node.text or ""]
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "s":
            out.append(" " * int(child.get(f"{{{_ODF['text']}}}c", "1") or 1))
        elif tag == "tab":
            out.append(" ")
        elif tag == "line-break":
            out.append(" ")
        elif tag not in ("note", "annotation"):
            out.append(_odt_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _odt_blocks(node, lines: list[str], tables: list) -> None:
    for child in node:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in ("p", "h"):
            lines.append(_odt_text(child).rstrip())
        elif tag == "table":
            rows = []
            for row in child.iter(f"{{{_ODF['table']}}}table-row"):
                cells = []
                for cell in row:
                    if cell.tag.rsplit("}", 1)[-1] != "table-cell":
                        continue
                    cells.append(_cell_text(" ".join(_odt_text(p) for p in cell.iter() if p.tag.rsplit("}", 1)[-1] in ("p", "h"))))
                rows.append(cells)
            tables.append(rows)
            lines.extend(_render_table(rows))
            lines.append("")
        else:
            _odt_blocks(child, lines, tables)


def _parse_xml(data: bytes):
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data[:2000]:
        raise ReadError(_msg(_l("damaged OpenDocument file")))  # no DTDs: no entity expansion
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ReadError(_msg(_l("damaged OpenDocument file"))) from exc


def _read_odt(data: bytes) -> Extracted:
    archive = _safe_zip(data, "content.xml")
    if "mimetype" in archive.namelist() and b"opendocument.text" not in _bounded_read(archive, "mimetype"):
        raise ReadError(_msg(_l("not a %(kind)s file (the content does not match the extension)"), kind="odt"))
    tables: list = []
    head: list[str] = []
    if "styles.xml" in archive.namelist():
        styles = _parse_xml(_bounded_read(archive, "styles.xml"))
        for page in styles.iter("{urn:oasis:names:tc:opendocument:xmlns:style:1.0}header"):
            _odt_blocks(page, head, tables)
    content = _parse_xml(_bounded_read(archive, "content.xml"))
    body: list[str] = []
    for office_text in content.iter("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text"):
        _odt_blocks(office_text, body, tables)
    return Extracted(format="odt", text="\n".join([*head, "", *body]).strip("\n"), tables=tables)


# ---------------------------------------------------------------- pdf
def _read_pdf(data: bytes) -> Extracted:
    if not data.lstrip()[:8].startswith(b"%PDF-"):
        raise ReadError(_msg(_l("not a %(kind)s file (the content does not match the extension)"), kind="pdf"))
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise ReadError(_msg(_l("the PDF is password-protected"))) from exc
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise ReadError(_msg(_l("the PDF has more than %(n)d pages"), n=MAX_PDF_PAGES))
        texts = [(page.extract_text() or "") for page in pages]
    except ReadError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many kinds on a damaged file
        raise ReadError(_msg(_l("damaged PDF file"))) from exc
    text = "\n".join(t.rstrip() for t in texts).strip("\n")
    out = Extracted(format="pdf", text=text, pages=len(texts))
    if not out.has_text:
        out.warnings.append(_msg(_l("no text layer (scanned?)")))
    return out


# ---------------------------------------------------------------- plain text
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def decode_text(data: bytes) -> tuple[str, str, bool, list[str]]:
    """(text, encoding, guessed, warnings) for the bytes of a text file; raises ReadError for binary data."""
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            if "\ufffd" in text:
                warnings.append(_msg(_l("some characters could not be decoded (%(enc)s)"), enc=encoding))
            return text.lstrip("\ufeff"), encoding, False, warnings
    if _looks_binary(data):
        # UTF-16 without a BOM is the one text encoding full of NUL bytes.
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) > 0.97 * len(text):
                return text, encoding, True, [_msg(_l("encoding guessed: %(enc)s"), enc=encoding)]
        raise ReadError(_msg(_l("not a text document (binary content)")))
    try:
        text = data.decode("utf-8")
        if "\ufffd" in text:
            warnings.append(_msg(_l("the text contains replacement characters (U+FFFD)")))
        return text, "utf-8", False, warnings
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    mostly_ascii = sum(b < 128 for b in data) >= 0.9 * len(data)
    if best is None or encoding in LATIN_FAMILY or mostly_ascii:
        encoding = "cp1252"  # Windows documents in Indonesian or English: by far the likeliest single-byte encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding = "cp1252"
        text = data.decode(encoding, errors="replace")
    if "\ufffd" in text:
        warnings.append(_msg(_l("some characters could not be decoded (%(enc)s)"), enc=encoding))
    warnings.append(_msg(_l("encoding guessed: %(enc)s"), enc=encoding))
    return text, encoding, True, warnings


def _read_text(data: bytes) -> Extracted:
    if data.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadError(_msg(_l("not a text document (binary content)")))
    text, encoding, guessed, warnings = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Extracted(format="txt", text=text, encoding=encoding, encoding_guessed=guessed, warnings=warnings)


# ---------------------------------------------------------------- the first page as an image (scanned PDFs)
PAGE_IMAGE_WIDTH = 1200  # pixels: enough to read a header typed at 10 pt


def first_page_png(data: bytes) -> bytes | None:
    """The first page of a PDF as a PNG, for a person to read what a scan says: rendered by pdftoppm (poppler-utils)
    when it is installed, else the largest image drawn on that page (a scan is one image per page); None when neither
    gives one."""
    return _pdftoppm_png(data) or _embedded_page_image(data)


def _pdftoppm_png(data: bytes) -> bytes | None:
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    binary = shutil.which("pdftoppm")
    if not binary:
        return None
    with tempfile.TemporaryDirectory(prefix="portal-page-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "page"
        source.write_bytes(data)
        try:
            subprocess.run([binary, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(PAGE_IMAGE_WIDTH),
                            "-scale-to-y", "-1", str(source), str(target)], check=True, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            png = target.with_suffix(".png").read_bytes()
        except (OSError, subprocess.SubprocessError):
            return None
    return png if png.startswith(b"\x89PNG") else None


def _embedded_page_image(data: bytes) -> bytes | None:
    try:
        from pypdf import PdfReader

        page = PdfReader(io.BytesIO(data)).pages[0]
        images = sorted(page.images, key=lambda i: len(i.data), reverse=True)
        if not images:
            return None
        picture = images[0].image
        if picture.width > PAGE_IMAGE_WIDTH:
            picture = picture.resize((PAGE_IMAGE_WIDTH, max(1, picture.height * PAGE_IMAGE_WIDTH // picture.width)))
        out = io.BytesIO()
        picture.convert("RGB").save(out, "PNG")
        return out.getvalue()
    except Exception:  # a damaged or unusual scan: the page is shown as the original file instead
        return None
