"""Read a controlled document out of its extracted text (the files of shared/seeds and similar).

`parse_text` never raises: what it cannot read it leaves empty and names in `warnings`, for the document
controller to complete. It knows the house layout (the header block "Kode Dokumen / Revisi / Tanggal Berlaku",
the signature table "Dibuat oleh / Diperiksa oleh / Disetujui oleh", SOP sections 1–13, manual chapters,
the records table of section 10 and the change log of section 13) and the labels other organisations use
("No. Dokumen", "No. Revisi", "Tanggal Terbit", "Tanggal Efektif", "Disusun oleh", "Disahkan oleh", ...).
Page headers, footers and copy stamps repeated on every page are kept out of the section bodies.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date

from portal.documents.parsed import (
    SOP_SECTIONS,
    ParsedChange,
    ParsedDocument,
    ParsedRecord,
    ParsedSection,
    ParsedSignature,
)

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
DOC_TYPES = {"P", "W", "F", "S", "PM", "MNOP"}

_CODE_LABEL = r"(?:Kode\s+Dokumen|No(?:mor)?\.?\s*Dok(?:umen)?\.?|Document\s+(?:No\.?|Number|Code)|Doc\.?\s*No\.?)"
_REV_LABEL = r"(?:No(?:mor)?\.?\s*Revisi|Revisi(?:\s+ke)?|Revision|Rev\.?\s*No\.?|Rev\.?)"
_DATE_LABEL = (r"(?:Tanggal\s+Berlaku|Tanggal\s+Beraku|Tgl\.?\s*Berlaku|Tanggal\s+Efektif|Tgl\.?\s*Efektif|"
               r"Tanggal\s+Terbit|Tgl\.?\s*Terbit|Tanggal\s+Pengesahan|Effective\s+Date|Date\s+of\s+Issue)")
_TITLE_LABEL = r"(?:Judul(?:\s+Dokumen)?|Nama\s+Dokumen|Title)"
_SEP = r"\s*(?::|\t)\s*"

CODE_FIELD_RE = re.compile(rf"^\s*{_CODE_LABEL}{_SEP}(?P<v>\S+)", re.I)
REV_FIELD_RE = re.compile(rf"^\s*{_REV_LABEL}{_SEP}(?P<v>\d{{1,3}})\b", re.I)
DATE_FIELD_RE = re.compile(rf"^\s*{_DATE_LABEL}{_SEP}(?P<v>.+)$", re.I)
TITLE_FIELD_RE = re.compile(rf"^\s*{_TITLE_LABEL}{_SEP}(?P<v>.+)$", re.I)
HEADER_LINE_RE = re.compile(
    rf"(?:{_CODE_LABEL}|{_DATE_LABEL}|^\s*{_REV_LABEL}|^\s*Hal(?:aman)?\.?)\s*(?::|\t)", re.I)
PAGE_RE = re.compile(r"^\s*(?:Hal(?:aman)?\.?|Page)\s*:?\s*\d+\s*(?:dari|of|/)\s*\d+\s*$", re.I)
REV_SUFFIX_RE = re.compile(r"[._\s-]*Rev(?:isi)?\.?\s*(\d{1,3})\s*$", re.I)
DOC_CODE_RE = re.compile(r"^[A-Z0-9]+(?:\.[A-Z0-9]+)+[.-](?:[A-Z]+)-?\d+[A-Z]?(?:\.Rev\.?\d+)?\.?$", re.I)
HOUSE_CODE_RE = re.compile(r"^(?:OB\.)?[A-Z]{2}\.[A-Z]{2,4}\.[A-Z]{2,5}\.(?P<type>[A-Z]+)-\d+$")
STAMP_RE = re.compile(r"\b(MASTER|CONTROLLED|UNCONTROLLED)\s+DOCUMENT\s+([A-Z][A-Z ]{2,30}?)\s*(?=\n|$)")
ROLE_LABELS = [
    ("prepared", re.compile(r"\b(?:Dibuat|Disusun|Disiapkan|Prepared)\s+(?:oleh|by)\b", re.I)),
    ("checked", re.compile(r"\b(?:Diperiksa|Diverifikasi|Ditinjau|Dicek|Checked|Reviewed)\s+(?:oleh|by)\b", re.I)),
    ("approved", re.compile(r"\b(?:Disetujui|Disahkan|Ditetapkan|Approved)\s+(?:oleh|by)\b", re.I)),
]
ROLE_NAMES_ID = {"prepared": "Dibuat oleh", "checked": "Diperiksa oleh", "approved": "Disetujui oleh"}
SOP_HEADING_RE = re.compile(r"^(?P<n>\d{1,2})\.\s+(?P<t>[A-Za-z][^\t]{1,70}?)\s*\**\s*$")
CHAPTER_RE = re.compile(r"^BAB\s+(?P<n>[IVXLC]+|\d+)\b\.?\s*(?P<t>[^\t]*)$", re.I)
SUBHEADING_RE = re.compile(r"^(?P<c>\d{1,2})\.(?P<s>\d{1,2})\.?\s+(?P<t>[A-Za-z][^\t]{1,90})$")
ITEM_RE = re.compile(r"^(?:[-•]\s*)?(?P<num>(?:\d+\.)+\d*|\d+\)|[a-z][.)])\s*(?P<text>.*)$")
TAG_RE = re.compile(r"<[^>]*>")


# ---------------------------------------------------------------- small readers
def parse_date(value: str) -> date | None:
    """"05 Juni 2017", "28 Nov 2019", "12 Oktober2022", "05/06/2017", "2017-06-05"; None when unreadable."""
    if not value:
        return None
    text = value.strip()
    m = re.search(r"(\d{1,2})\s*([A-Za-z]{3,10})\.?\s*,?\s*(\d{4})", text)
    try:
        if m and m[2].lower() in MONTHS:
            return date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        m = re.search(r"([A-Za-z]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})", text)
        if m and m[1].lower() in MONTHS:
            return date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
        m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b", text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = re.search(r"\b(\d{1,2})\s*[/.-]\s*([IVX]{1,4})\s*[/.-]\s*(\d{4})\b", text)
        if m and 1 <= _roman(m[2]) <= 12:
            return date(int(m[3]), _roman(m[2]), int(m[1]))
        m = re.search(r"(?<!\d)(\d{8})(?!\d)", text)
        if m:
            digits = m[1]
            for y, mo, d in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2])):
                if 1900 <= int(y) <= 2100:
                    try:
                        return date(int(y), int(mo), int(d))
                    except ValueError:
                        continue
    except ValueError:
        return None
    return None


def split_code(raw: str) -> tuple[str, str]:
    """("OB.IN.OCC.TELK.P-02.Rev.00") -> ("OB.IN.OCC.TELK.P-02", "00")."""
    code = raw.strip().strip(".,;:*").strip()
    rev = ""
    m = REV_SUFFIX_RE.search(code)
    if m and m.start() > 0:
        rev = m[1].zfill(2)
        code = code[: m.start()]
    return code.strip(".,;: "), rev


def doc_type_of(code: str) -> str:
    m = HOUSE_CODE_RE.match(code.upper())
    if m and m["type"] in DOC_TYPES:
        return m["type"]
    return ""


def html_to_text(value: str) -> str:
    """Turn the HTML fragments of the extraction (<ul>, <li>, <p>, <i>) into plain text."""
    if "<" not in value and "&" not in value:
        return value
    value = re.sub(r"</p>\s*<p[^>]*>", "\n", value, flags=re.I)
    value = re.sub(r"<\s*(?:br|/li|/p|/ul|/ol)\s*/?>", "\n", value, flags=re.I)
    value = re.sub(r"<\s*li[^>]*>", "\n- ", value, flags=re.I)
    value = TAG_RE.sub("", value)
    return html.unescape(value)


def bullets(value: str) -> str:
    """A change description written as " - a - b" becomes one "- item" per line."""
    text = html_to_text(value).replace("\t", " ")
    text = re.sub(r"[ \u00a0]+", " ", text).strip()
    if not text:
        return ""
    parts = [p.strip() for p in re.split(r"(?:^|\s)[-•]\s*(?=\S)", text) if p.strip()]
    if len(parts) <= 1 and not text.startswith(("-", "•")):
        return text
    return "\n".join(f"- {p}" for p in parts)


def _clean_markup(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\r", "")
    line = re.sub(r"</?(?:i|b|em|strong|u)>", "", line, flags=re.I)
    line = line.replace("**", "")
    line = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", line)  # *italic*
    return line


def _norm(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip().lower()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


# ---------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, text: str, source: str):
        self.source = source
        text = (text or "").replace("\x00", "")
        self.raw_lines = [_clean_markup(l) for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        self.doc = ParsedDocument(code="", title="", doc_type="", revision="", effective_date=None)
        self.warnings: list[str] = []

    # -- header block
    def header_fields(self) -> None:
        doc = self.doc
        for line in self.raw_lines:
            if not doc.code and (m := CODE_FIELD_RE.match(line)):
                code, rev = split_code(m["v"])
                if code:
                    doc.code = code
                    if rev and not doc.revision:
                        doc.revision = rev
                        self._rev_from_code = True
            if m := REV_FIELD_RE.match(line):
                if not doc.revision or self._rev_from_code:
                    doc.revision = m["v"].zfill(2)
                    self._rev_from_code = False
            if doc.effective_date is None and (m := DATE_FIELD_RE.match(line)):
                parsed = parse_date(m["v"])
                if parsed:
                    doc.effective_date = parsed
                elif m["v"].strip():
                    self.warnings.append(f"Tanggal berlaku tidak terbaca: \"{m['v'].strip()[:40]}\"")
            if not self.explicit_title and (m := TITLE_FIELD_RE.match(line)):
                self.explicit_title = m["v"].strip()
        if not doc.code:
            # A bare code anywhere in the first lines (some layouts print it without a label).
            for line in self.raw_lines[:40]:
                for token in re.split(r"[\s\t]+", line.strip()):
                    if DOC_CODE_RE.match(token) and "-" in token:
                        code, rev = split_code(token)
                        doc.code = code
                        doc.revision = doc.revision or rev
                        self.warnings.append("Kode dokumen dibaca tanpa label; periksa kembali.")
                        break
                if doc.code:
                    break
        doc.doc_type = doc_type_of(doc.code)

    _rev_from_code = False
    _last_sig_line = 0
    explicit_title = ""

    def header_block_end(self) -> int:
        """Index of the last line of the first page's header and signature block."""
        if self._header_end is not None:
            return self._header_end
        firsts = []
        for pattern in (CODE_FIELD_RE, REV_FIELD_RE, DATE_FIELD_RE):
            idx = next((i for i, l in enumerate(self.raw_lines[:120]) if pattern.match(l)), None)
            if idx is not None:
                firsts.append(idx)
        end = max(firsts) if firsts else 0
        self._header_end = max(end, self._signature_end)
        return self._header_end

    _header_end: int | None = None
    _signature_end = 0

    def title(self) -> None:
        if self.explicit_title:
            self.doc.title = self.explicit_title
            return
        parts: list[str] = []
        for line in self.raw_lines[:40]:
            text = line.strip()
            if not text:
                continue
            if CODE_FIELD_RE.match(text) or REV_FIELD_RE.match(text) or DATE_FIELD_RE.match(text):
                break
            if any(p.search(text) for _, p in ROLE_LABELS):
                break
            if "\t" in line:
                continue
            m = re.match(r"^(?:Layanan\s*/\s*Project|Layanan|Project|Proyek)\s*:\s*(.+)$", text, re.I)
            if m:
                parts.append(m[1].strip())
                continue
            parts.append(text)
        # Drop the document-kind caption ("Prosedur Operasi Standar (CC Telkom)") that heads every SOP.
        caption = re.compile(r"^(?:Prosedur\s+Operasi\s+Standar|Standard\s+Operating\s+Procedure|SOP)(?:\s+CC\s+Telkom)?\s*", re.I)
        out = []
        for p in parts:
            if caption.match(p):
                rest = caption.sub("", p, count=1).strip()
                if rest:
                    out.append(rest)
                continue
            out.append(p)
        title = re.sub(r"\s+", " ", " ".join(out)).strip()
        self.doc.title = title[:300]

    # -- copy stamps
    def stamps(self) -> None:
        text = "\n".join(l.strip() for l in self.raw_lines)
        text = re.sub(r"\b(MASTER|CONTROLLED|UNCONTROLLED)\s*\n\s*DOCUMENT\b", r"\1 DOCUMENT", text)
        text = re.sub(r"\bDOCUMENT\s*\n(?:\s*\n)*\s*([A-Z][A-Z ]{2,30})\s*(?=\n|$)", r"DOCUMENT \1", text)
        seen = []
        for m in STAMP_RE.finditer(text):
            stamp = f"{m[1]} DOCUMENT {m[2].strip()}"
            if stamp not in seen:
                seen.append(stamp)
        self.doc.copy_stamps = seen

    # -- signatures
    def signatures(self) -> None:
        lines = self.raw_lines
        found: dict[str, ParsedSignature] = {}
        for i, line in enumerate(lines[:200]):
            roles = [(role, m.start()) for role, pat in ROLE_LABELS if (m := pat.search(line))]
            if not roles:
                continue
            if len(roles) > 1 and "\t" in line:
                self._table_signatures(i, line, found)
                self._signature_end = max(self._signature_end, self._last_sig_line)
            else:
                for role, _ in roles:
                    if role not in found:
                        sig = self._stacked_signature(i, line, role)
                        if sig:
                            found[role] = sig
            if len(found) == 3:
                break
        self.doc.signatures = [found[r] for r in ("prepared", "checked", "approved") if r in found]
        for role in ("prepared", "approved"):
            if role not in found:
                self.warnings.append(f"Tanda tangan \"{ROLE_NAMES_ID[role]}\" tidak ditemukan.")
        for sig in self.doc.signatures:
            if sig.signed_on is None:
                self.warnings.append(f"Tanggal tanda tangan \"{ROLE_NAMES_ID[sig.role]}\" tidak terbaca.")

    def _table_signatures(self, i: int, line: str, found: dict) -> None:
        header = _cells(line)
        columns = []
        for cell in header:
            role = next((r for r, p in ROLE_LABELS if p.search(cell)), None)
            columns.append(role)
        values: dict[str, list[str]] = {}
        self._last_sig_line = i
        for j, follow in enumerate(self.raw_lines[i + 1: i + 10], start=i + 1):
            cells = _cells(follow)
            if re.match(r"^\s*(Nama|Name|Jabatan|Position|Tanggal|Tgl\.?|Date)\s*:", follow, re.I):
                self._last_sig_line = j
            label_re = re.compile(r"^(Nama|Name|Jabatan|Position|Tanggal|Tgl\.?|Date)\s*:\s*(.*)$", re.I)
            for idx, cell in enumerate(cells):
                m = label_re.match(cell)
                if not m or idx >= len(columns) or not columns[idx]:
                    continue
                key = {"name": "name", "nama": "name", "jabatan": "position", "position": "position"}.get(
                    m[1].lower().rstrip("."), "date")
                values.setdefault(columns[idx], [])
                values[columns[idx]].append(f"{key}\x00{m[2].strip()}")
        for role, items in values.items():
            fields = dict(item.split("\x00", 1) for item in items)
            name = fields.get("name", "").strip()
            if not name or role in found:
                continue
            found[role] = ParsedSignature(role=role, name=name, position=fields.get("position", "").strip(),
                                          signed_on=parse_date(fields.get("date", "")))

    def _stacked_signature(self, i: int, line: str, role: str) -> ParsedSignature | None:
        """"Dibuat Oleh," then "Nama (Jabatan)" or "Nama : ...", "Jabatan : ...", "Tanggal: ..." lines."""
        name = position = ""
        signed_on = None
        after = re.split(r"\b(?:oleh|by)\b\s*[,:]?", line, maxsplit=1, flags=re.I)
        inline = after[1].strip() if len(after) > 1 else ""
        candidates = ([(i, inline)] if inline else []) + list(enumerate(self.raw_lines[i + 1: i + 7], start=i + 1))
        for j, cand in candidates:
            text = cand.strip()
            if not text:
                continue
            if any(p.search(text) for _, p in ROLE_LABELS) or CODE_FIELD_RE.match(text) or SOP_HEADING_RE.match(text):
                break
            if m := re.match(r"^(?:Nama|Name)\s*:\s*(.+)$", text, re.I):
                name = m[1].strip()
            elif m := re.match(r"^(?:Jabatan|Position)\s*:\s*(.+)$", text, re.I):
                position = m[1].strip()
            elif m := re.match(r"^(?:Tanggal|Tgl\.?|Date)\s*:?\s*(.+)$", text, re.I):
                signed_on = parse_date(m[1])
                self._signature_end = max(self._signature_end, j)
                break
            elif not name and "\t" not in text and len(text) <= 120:
                m = re.match(r"^(.+?)\s*\((.+)\)\s*$", text)
                if m:
                    name, position = m[1].strip(), m[2].strip()
                elif re.match(r"^[A-Za-z][A-Za-z .,'-]+$", text):
                    name = text
        if not name:
            return None
        self._signature_end = max(self._signature_end, i)
        return ParsedSignature(role=role, name=name, position=position, signed_on=signed_on)

    # -- body
    def boilerplate(self) -> set[str]:
        """Normalised lines that are page headers, footers or stamps rather than content."""
        counts = Counter(_norm(l) for l in self.raw_lines if l.strip())
        first_page = {_norm(l) for l in self.raw_lines[: self.header_block_end() + 1] if l.strip()}
        title = _norm(self.doc.title)
        noise = {"master", "document", "controlled", "uncontrolled", "dst.", "infomedia cc telkom", "cc telkom"}
        noise |= {w.lower() for w in ("PUSAT", "MALANG", "BANDUNG", "SEMARANG", "BOGOR", "MEDAN", "TANGERANG", "MAKASSAR")}
        out = set(noise)
        first_page_text = " ".join(_norm(l.replace("\t", " ")) for l in self.raw_lines[: self.header_block_end() + 1])
        for line, n in counts.items():
            if n >= 2 and line in first_page and len(line) <= 160:
                out.add(line)
            if n >= 2 and len(line) >= 8 and line in first_page_text:
                out.add(line)
            if len(line) >= 8 and title and line in title:
                out.add(line)
        return out

    def is_boilerplate(self, line: str, noise: set[str]) -> bool:
        n = _norm(line)
        if not n:
            return False
        if re.search(r"deskripsi|perubahan|uraian|keterangan|description", n):
            return False  # the head row of a change-log table, not a page header
        if n in noise or PAGE_RE.match(line) or HEADER_LINE_RE.search(line):
            return True
        if re.match(r"^(master|controlled|uncontrolled)\s+document\b", n):
            return True
        cells = [c for c in _cells(line) if c]
        if cells and all(_norm(c) in noise or HEADER_LINE_RE.search(c) or PAGE_RE.match(c) for c in cells):
            return True
        return False

    def body_lines(self, start: int) -> list[str]:
        noise = self.boilerplate()
        lines = self.raw_lines[start:]
        marks = [self.is_boilerplate(l, noise) for l in lines]
        out = []
        for k, line in enumerate(lines):
            if marks[k]:
                continue
            stripped = line.strip()
            if stripped and self._is_footer(stripped, lines, marks, k):
                continue
            out.append(line.rstrip())
        return out

    @staticmethod
    def _is_footer(text: str, lines: list[str], marks: list[bool], k: int) -> bool:
        """A short unnumbered line right before a page header is the previous page's footer."""
        if len(text) > 40 or len(text.split()) > 4 or text[0].isdigit() or text.startswith(("-", "•", "*")):
            return False
        if text.endswith((".", ":", ",", ";")):
            return False
        for nxt in range(k + 1, min(k + 6, len(lines))):
            if lines[nxt].strip():
                return marks[nxt]
        return False

    def sop_sections(self, lines: list[str]) -> list[tuple[str, str, list[str]]] | None:
        """Sections 1–13 when the text follows the SOP layout (None otherwise)."""
        heads = []
        last = 0
        for i, line in enumerate(lines):
            m = SOP_HEADING_RE.match(line.strip().replace("\t", " "))
            if not m:
                continue
            n = int(m["n"])
            title = m["t"].strip(" *")
            expected = SOP_SECTIONS.get(n, "")
            first_word = expected.split()[0].lower() if expected else ""
            if n > last and (title.lower().startswith(first_word) if first_word else n == last + 1):
                heads.append((i, str(n), title))
                last = n
        if len(heads) < 3 or heads[0][1] not in ("1", "2"):
            return None
        out = []
        for k, (i, n, title) in enumerate(heads):
            end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
            out.append((n, title, lines[i + 1: end]))
        return out

    def manual_sections(self, lines: list[str]) -> list[tuple[str, str, list[str]]]:
        """Chapters ("BAB IV ...") and their numbered parts ("4.1 ..."), after the table of contents."""
        start = 0
        for i, line in enumerate(lines):
            if re.match(r"^\s*(DAFTAR\s+ISI|TABLE\s+OF\s+CONTENTS)\s*$", line, re.I):
                # The contents end where the first chapter heading without a page number appears.
                for j in range(i + 1, len(lines)):
                    if CHAPTER_RE.match(lines[j].strip()) and "\t" not in lines[j] and CHAPTER_RE.match(lines[j].strip())["t"]:
                        start = j
                        break
                break
        chapter = None
        title_ch = re.search(r"\bBAB\s+([IVXLC]+)\b", self.doc.title, re.I)
        if title_ch:
            chapter = _roman(title_ch[1])
        heads: list[tuple[int, str, str]] = []
        last_sub = 0
        for i in range(start, len(lines)):
            text = lines[i].strip()
            if not text or "\t" in lines[i]:
                continue
            if (m := CHAPTER_RE.match(text)) and m["t"]:
                number = _roman(m["n"]) if not m["n"].isdigit() else int(m["n"])
                if number:
                    chapter, last_sub = number, 0
                    heads.append((i, str(number), m["t"].strip()))
                continue
            if (m := SUBHEADING_RE.match(text)) and not text.endswith((":", ",")) and len(text) <= 100:
                c, s = int(m["c"]), int(m["s"])
                if (chapter is None or c == chapter) and s > last_sub:
                    chapter, last_sub = c, s
                    heads.append((i, f"{c}.{s}", m["t"].strip().rstrip(".")))
        out = []
        for k, (i, n, title) in enumerate(heads):
            end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
            out.append((n, title, lines[i + 1: end]))
        return out

    # -- section contents
    @staticmethod
    def body_text(lines: list[str]) -> str:
        paras: list[str] = []
        current: list[str] = []
        for raw in lines:
            line = html_to_text(raw)
            for sub in line.split("\n"):
                cells = [c.strip() for c in sub.split("\t") if c.strip()]
                text = " | ".join(cells) if len(cells) > 1 else (cells[0] if cells else "")
                text = re.sub(r"^[-•]\s+(?=(?:\d+\.)+\d*\s|[a-z][.)]\s|\d+\)\s)", "", text)  # "- 1.1. x" -> "1.1. x"
                if not text:
                    if current:
                        paras.append("\n".join(current))
                        current = []
                    continue
                current.append(text)
        if current:
            paras.append("\n".join(current))
        return "\n\n".join(p for p in paras if p.strip())

    @staticmethod
    def items(lines: list[str]) -> list[str]:
        """Numbered or bulleted items without their numbers; unnumbered text continues the previous item."""
        out: list[str] = []
        for raw in lines:
            text = html_to_text(raw).replace("\t", " ").strip()
            text = re.sub(r"\s+", " ", text)
            if not text or re.match(r"^\*+\)", text):
                continue
            m = ITEM_RE.match(text)
            if m:
                body = m["text"].strip()
                if body and body not in ("-",):
                    out.append(body)
                continue
            if text.startswith(("-", "•")):
                body = text.lstrip("-• ").strip()
                if body:
                    out.append(body)
                continue
            if out:
                out[-1] = f"{out[-1]} {text}"
            else:
                out.append(text)
        return [i for i in out if i and i != "-"]

    @staticmethod
    def plain(lines: list[str]) -> str:
        items = _Parser.items(lines)
        return "\n".join(items)

    def records(self, lines: list[str]) -> list[ParsedRecord]:
        header_idx, columns = None, {}
        for i, line in enumerate(lines):
            cells = [c.lower() for c in _cells(line)]
            if len(cells) >= 3 and any("simpan" in c or "retensi" in c or "retention" in c for c in cells):
                header_idx = i
                for k, c in enumerate(cells):
                    if "nama" in c or "name" in c or "dokumen" in c:
                        columns.setdefault("name", k)
                    elif "simpan" in c or "retensi" in c or "retention" in c:
                        columns["retention"] = k
                    elif "jawab" in c or "pic" in c or "owner" in c or "pemilik" in c:
                        columns["owner"] = k
                    elif c.startswith("kode") or c == "code":
                        columns["code"] = k
                break
        if header_idx is None:
            return []
        out = []
        for line in lines[header_idx + 1:]:
            cells = _cells(line)
            if len(cells) < 3 or not re.match(r"^\d+\.?$", cells[0]):
                if out and line.strip() and len(cells) < 2 and not line.strip().startswith("*"):
                    continue
                continue

            def cell(key, default=""):
                k = columns.get(key)
                return cells[k].strip() if k is not None and k < len(cells) else default

            name = html_to_text(cell("name", cells[1] if len(cells) > 1 else "")).strip()
            code = cell("code")
            if not code:
                first, _, rest = name.partition(" ")
                if DOC_CODE_RE.match(first.strip(".")) or re.match(r"^[A-Z]{2}(?:\.[A-Z0-9_-]+){2,}", first):
                    code, _ = split_code(first)
                    name = rest.strip()
            out.append(ParsedRecord(code=code, name=re.sub(r"\s+", " ", name), retention=cell("retention"),
                                    owner=cell("owner")))
        return out

    def change_log(self, lines: list[str]) -> list[ParsedChange]:
        rows: list[list[str]] = []
        started = False
        for line in lines:
            cells = _cells(line)
            if not started:
                if cells and re.match(r"^(Rev\.?|Revisi|No\.?\s*Rev)", cells[0], re.I) and len(cells) >= 2:
                    started = True
                    continue
                if not (len(cells) >= 2 and re.match(r"^\d{1,3}$", cells[0].strip()) and parse_date(cells[1])):
                    continue
                started = True
            if not line.strip():
                continue
            if re.match(r"^dst\.?$", cells[0].strip(), re.I):
                break
            if re.match(r"^\d{1,3}$", cells[0].strip()):
                rows.append([cells[0].strip(), cells[1] if len(cells) > 1 else "", " ".join(cells[2:])])
            elif rows:
                rows[-1][2] = f"{rows[-1][2]} {' '.join(c for c in cells if c)}"
        out = []
        for number, when, desc in rows:
            description = bullets(desc)
            effective = parse_date(when)
            if not when.strip() and not description:
                continue  # an empty row of the paper template
            if when.strip() and effective is None:
                self.warnings.append(f"Tanggal revisi {number} pada catatan perubahan tidak terbaca.")
            out.append(ParsedChange(revision=number.zfill(2), effective_date=effective, description=description))
        out.sort(key=lambda c: int(c.revision))
        return out

    # -- all together
    def run(self) -> ParsedDocument:
        doc = self.doc
        self.header_fields()
        self.title()
        self.stamps()
        self.signatures()
        body = self.body_lines(self.header_block_end() + 1)
        sections = self.sop_sections(body)
        sop = sections is not None
        if not sop:
            sections = self.manual_sections(body)
        for number, title, lines in sections:
            doc.sections.append(ParsedSection(number=number, title=title, body=self.body_text(lines),
                                              rows=_table_rows(lines)))
            key = _field_for(number if sop else "", title)
            if key == "records":
                doc.records = self.records(lines)
            elif key == "change_log":
                doc.change_log = self.change_log(lines)
            elif key in ("purpose", "scope"):
                if not getattr(doc, key):
                    setattr(doc, key, self.plain(lines))
            elif key and not getattr(doc, key):
                setattr(doc, key, self.items(lines))
        doc.work_instructions = [_strip_rev_of_leading_code(w) for w in doc.work_instructions]
        if not doc.sections:
            self.warnings.append("Bagian isi dokumen (1–13 atau bab) tidak dikenali.")
        labels = {"code": "Kode dokumen", "title": "Judul", "revision": "Nomor revisi", "effective_date": "Tanggal berlaku"}
        for name in doc.missing:
            self.warnings.append(f"{labels[name]} tidak ditemukan.")
        if doc.code and not doc.doc_type:
            self.warnings.append("Jenis dokumen tidak terbaca dari kodenya; pilih jenisnya.")
        seen = []
        for w in self.warnings:
            if w not in seen:
                seen.append(w)
        doc.warnings = seen
        return doc


def _strip_rev_of_leading_code(item: str) -> str:
    first, sep, rest = item.partition(" ")
    if "." in first and REV_SUFFIX_RE.search(first):
        code, _ = split_code(first)
        return f"{code}{sep}{rest}".strip()
    return item


def _roman(value: str) -> int:
    numerals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = prev = 0
    for ch in reversed(value.upper()):
        v = numerals.get(ch, 0)
        if not v:
            return 0
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


FIELD_BY_NUMBER = {"1": "references", "2": "purpose", "3": "scope", "4": "parties", "5": "policy", "6": "definitions",
                   "7": "indicators", "9": "work_instructions", "10": "records", "11": "applications", "12": "notes",
                   "13": "change_log"}
FIELD_BY_TITLE = [
    ("catatan perubahan", "change_log"), ("riwayat revisi", "change_log"), ("rujukan", "references"),
    ("referensi", "references"), ("tujuan", "purpose"), ("ruang lingkup", "scope"), ("pihak terkait", "parties"),
    ("kebijakan", "policy"), ("definisi", "definitions"), ("indikator", "indicators"),
    ("instruksi kerja", "work_instructions"), ("rekaman", "records"), ("aplikasi", "applications"), ("catatan", "notes"),
]


def _field_for(number: str, title: str) -> str:
    if number in FIELD_BY_NUMBER:
        return FIELD_BY_NUMBER[number]
    t = title.lower()
    for key, field in FIELD_BY_TITLE:
        if t.startswith(key) or (len(t) < 40 and key in t):
            return field
    return ""


def parse_text(text: str, source: str = "") -> ParsedDocument:
    """Everything the text says about the document; never raises (what fails is listed in `warnings`)."""
    try:
        return _Parser(text if isinstance(text, str) else str(text or ""), source).run()
    except Exception as exc:  # a layout nobody foresaw must not stop an import of many files
        doc = ParsedDocument(code="", title="", doc_type="", revision="", effective_date=None)
        doc.warnings = [f"Teks tidak dapat dibaca ({type(exc).__name__}); isi data secara manual."]
        return doc


# ---------------------------------------------------------------- any layout: header fields, sections, all formats
def _table_rows(lines: list[str]) -> list[list[str]]:
    """The rows of tab-separated cells among a section's lines."""
    rows = []
    for line in lines:
        if "\t" in line:
            cells = [html_to_text(c).strip() for c in line.split("\t")]
            if any(cells):
                rows.append(cells)
    return rows


_G_CODE = (r"(?:Kode\s+Dokumen|Kode\s+Dok\.?|Nomor\s+Dokumen|No\.?\s*Dok(?:umen)?\.?|Document\s+(?:No\.?|Number|Code)"
           r"|Doc(?:ument)?\.?\s*No\.?|Kode|Nomor|No\.?(?!\s*(?:Rev|Revisi|Dok)))")
_G_REV = r"(?:No(?:mor)?\.?\s*Revisi|Revisi(?:\s+ke)?|Revision(?:\s+No\.?)?|Rev\.?\s*No\.?|Rev\.?)"
_G_DATE = (r"(?:Tanggal\s+(?:Berlaku|Beraku|Efektif|Terbit|Pengesahan|Mulai\s+Berlaku)|Tgl\.?\s*(?:Berlaku|Efektif|Terbit)"
           r"|Mulai\s+Berlaku|Berlaku\s+(?:Sejak|Mulai|Tanggal)|Effective\s+(?:Date|From)|Date\s+of\s+Issue|Issue\s+Date)")
_G_TITLE = r"(?:Judul(?:\s+Dokumen)?|Nama\s+Dokumen|Document\s+Title|Title)"
_G_FIELDS = [("title", _G_TITLE), ("date", _G_DATE), ("revision", _G_REV), ("code", _G_CODE)]
_G_FIELD_RES = [(name, re.compile(rf"^\s*{label}(?:\s*[:：]\s*|\s+|$)(?P<v>.*)$", re.I)) for name, label in _G_FIELDS]
_G_COLON_RES = {name: re.compile(rf"^\s*{label}\s*[:：]", re.I) for name, label in _G_FIELDS}
_G_ANY_LABEL = re.compile(rf"(?<![\w.])(?:{_G_CODE}|{_G_REV}|{_G_DATE}|{_G_TITLE}|Hal(?:aman)?\.?|Page)\s*[:：]", re.I)
_SIG_FIELD = re.compile(r"(?<![\w.])(?:Nama|Name|Jabatan|Position|Tanggal|Tgl\.?|Date|Tanda\s+Tangan|Paraf)\s*[:：]", re.I)
_ROLE_ANY = re.compile(r"(?<![\w.])(?:Dibuat|Disusun|Disiapkan|Prepared|Diperiksa|Diverifikasi|Ditinjau|Dicek|Checked|Reviewed"
                       r"|Disetujui|Disahkan|Ditetapkan|Approved)\s+(?:oleh|by)\b", re.I)
_NIL_REV = re.compile(r"^(?:nihil|nil|none|-+|—|–|0+|baru|new|original|asli)?\.?$", re.I)
_COMPANY_RE = re.compile(r"^(?:PT\.?|CV\.?|Yayasan|Koperasi)\s|\bTbk\.?\b|^infomedia\b", re.I)
_CAPTION_RE = re.compile(r"^(?:Prosedur\s+Operasi\s+Standar|Standard\s+Operating\s+Procedure|Prosedur\s+Mutu|Quality\s+Procedure"
                         r"|Instruksi\s+Kerja|Work\s+Instruction|SOP)(?:\s+CC\s+Telkom)?\s*[:\-–]?\s*", re.I)
_CODE_VALUE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./_\-() ]{1,60}$")
_HEADING_RES = [
    ("arabic", re.compile(r"^(?P<n>\d{1,2})\.\s+(?P<t>[A-Za-z][^\t]{1,79})$")),
    ("decimal", re.compile(r"^(?P<n>\d{1,2}\.\d{1,2})\.?\s+(?P<t>[A-Za-z][^\t]{1,79})$")),
    ("roman", re.compile(r"^(?P<n>[IVX]{1,5})\.\s+(?P<t>[A-Za-z][^\t]{1,79})$")),
    ("alpha", re.compile(r"^(?P<n>[A-H])\.\s+(?P<t>[A-Za-z][^\t]{1,79})$")),
]


def split_inline_labels(text: str, first_lines: int = 60) -> str:
    """In the first lines, put a tab before labels that follow other text ("A  Kode Dokumen: X  Revisi: 01")."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:first_lines]):
        cells = []
        for cell in line.split("\t"):
            cuts = []
            for pattern in (_G_ANY_LABEL, _SIG_FIELD, _ROLE_ANY):
                starts = [m.start() for m in pattern.finditer(cell)]
                if pattern is not _G_ANY_LABEL and len(starts) < 2:
                    continue  # one "ditetapkan oleh" in a sentence is not a signature table
                cuts += [s for s in starts if s > 0 and cell[s - 1] in " \u00a0,;|"]
            if not cuts:
                cells.append(cell)
                continue
            start = 0
            for cut in sorted(set(cuts)):
                cells.append(cell[start:cut].rstrip(" ,;|"))
                start = cut
            cells.append(cell[start:])
        lines[i] = "\t".join(cells)
    return "\n".join(lines)


def _is_label_cell(cell: str) -> bool:
    return bool(_G_ANY_LABEL.match(cell.strip()) or _SIG_FIELD.match(cell.strip()) or _ROLE_ANY.match(cell.strip())
                or any(p.match(cell) and not p.match(cell)["v"].strip() for _, p in _G_FIELD_RES))


def _valid(name: str, value: str, colon: bool) -> str | None:
    """The field's value as read, or None when the text does not look like one."""
    value = value.strip().strip("*").strip()
    if name == "code":
        value = re.split(r"\s{2,}", value)[0].strip(" .,;:")
        if not value or not _CODE_VALUE_RE.match(value) or not re.search(r"\d", value) or len(value.split()) > 3:
            return None
        if parse_date(value) and not re.search(r"[A-Za-z]{2}", value):
            return None
        return value
    if name == "revision":
        if m := re.match(r"^(\d{1,3})\b", value):
            return m[1].zfill(2)
        if _NIL_REV.match(value) and colon:
            return "00"
        return None
    if name == "title":
        return value[:300] if re.search(r"[A-Za-z]{3}", value) else None
    return value or None


def read_header(lines: list[str]) -> dict:
    """Labelled fields of the first lines: on one line, on the next line, or in the next table cell."""
    found: dict = {}
    rows = [line.split("\t") for line in lines]
    for i, cells in enumerate(rows):
        for k, cell in enumerate(cells):
            for name, pattern in _G_FIELD_RES:
                if name in found:
                    continue
                m = pattern.match(cell)
                if not m:
                    continue
                colon = bool(_G_COLON_RES[name].match(cell))
                if name == "code" and not colon and not re.match(r"^\s*(?:Kode|Nomor|No\.?\s*Dok|Doc)", cell, re.I):
                    continue  # "No" without a colon is too common a word
                value = m["v"].strip()
                if not value:
                    value = _neighbour_value(rows, i, k)
                    if value is None:
                        value = ""
                got = _valid(name, value, colon or not m["v"].strip())
                if got is None and name == "date" and value:
                    found.setdefault("date_raw", value)
                    continue
                if got is None:
                    continue
                found[name] = got
                found.setdefault("_lines", []).append(i)
                break
    return found


def _neighbour_value(rows: list[list[str]], i: int, k: int) -> str | None:
    """The value of an empty label: the next cell on its row, else the next line, else the cell below."""
    cells = rows[i]
    for cell in cells[k + 1:]:
        if cell.strip():
            return None if _is_label_cell(cell) else cell.strip()
    for j in range(i + 1, min(i + 3, len(rows))):
        below = rows[j]
        text = [c for c in below if c.strip()]
        if not text:
            continue
        candidate = below[k] if k < len(below) and below[k].strip() else (text[0] if len(text) == 1 else "")
        if not candidate or _is_label_cell(candidate):
            return None
        return candidate.strip()
    return None


def _title_from_lines(lines: list[str], header_lines: list[int], values: set[str] = frozenset()) -> str:
    """The document's name: a line of its own near the header (not the company, the caption or a label)."""
    first_label = min(header_lines) if header_lines else len(lines)
    cands: list[str] = []
    for i, line in enumerate(lines[:60]):
        if cands and i >= first_label:
            break
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if not cells:
            if cands and i < first_label:
                break
            continue
        for cell in cells:
            text = re.sub(r"\s+", " ", cell.replace("**", "")).strip()
            if _is_label_cell(text) or _COMPANY_RE.search(text) or PAGE_RE.match(text) or STAMP_RE.search(text):
                continue
            if text in values or DOC_CODE_RE.match(text) or re.match(rf"^{_G_CODE}$|^{_G_REV}$|^{_G_DATE}$", text, re.I):
                continue
            if text.lower() in ("nihil", "tidak ada", "none", "nil"):  # a revision written as a word, not a name
                continue
            if re.match(r"^(MASTER|CONTROLLED|UNCONTROLLED|DOCUMENT|PUSAT)\b", text) or len(text) > 150:
                continue
            if any(p.match(text) for _, p in _HEADING_RES) or parse_date(text) or not re.search(r"[A-Za-z]{3}", text):
                continue
            rest = _CAPTION_RE.sub("", text, count=1).strip() if _CAPTION_RE.match(text) else text
            if rest:
                cands.append(rest)
        if cands and (i >= first_label or "\t" in line):
            break
        if len(cands) >= 3:
            break
    return re.sub(r"\s+", " ", " ".join(cands[:3])).strip()[:300]


def _generic_sections(lines: list[str]) -> list[tuple[str, str, list[str]]]:
    """Headings numbered 1., 1.1, I., II., A. (each numbering in sequence) and the lines under them."""
    heads: list[tuple[int, str, str]] = []
    expected = {"arabic": 1, "roman": 1, "alpha": 1}
    top_scheme = None
    top_number = 0
    last_sub = 0
    for i, raw in enumerate(lines):
        text = raw.strip().replace("**", "")
        if not text or "\t" in raw or len(text) > 90 or text.endswith((":", ";", ",")):
            continue
        for scheme, pattern in _HEADING_RES:
            m = pattern.match(text)
            if not m or len(m["t"].split()) > 10:
                continue
            if scheme == "decimal":
                top, sub = (int(x) for x in m["n"].split("."))
                if top_scheme == "arabic" and top == top_number and sub == last_sub + 1 and not text.endswith("."):
                    heads.append((i, m["n"], m["t"].strip()))
                    last_sub = sub
                break
            n = m["n"]
            value = int(n) if scheme == "arabic" else _roman(n) if scheme == "roman" else ord(n) - 64
            if value != expected[scheme] or (scheme == "alpha" and top_scheme is None and value > 1):
                continue
            if top_scheme is None:
                top_scheme = scheme
            if scheme == top_scheme:
                top_number, last_sub = value, 0
                for other in expected:
                    if other != scheme:
                        expected[other] = 1
            elif text.endswith("."):
                continue
            expected[scheme] = value + 1
            heads.append((i, n, m["t"].strip()))
            break
    out = []
    for k, (i, n, title) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        out.append((n, title, lines[i + 1: end]))
    return out


def _column_signatures(lines: list[str]) -> tuple[list[ParsedSignature], list[str]]:
    """Signature tables whose rows under the roles hold names, then positions, then dates (no "Nama :" labels)."""
    for i, line in enumerate(lines[:80]):
        cells = line.split("\t")
        roles = [next((r for r, p in ROLE_LABELS if p.search(c)), None) for c in cells]
        if sum(1 for r in roles if r) < 2:
            continue
        names: dict[str, list[str]] = {r: [] for r in roles if r}
        for follow in lines[i + 1: i + 8]:
            below = follow.split("\t")
            if not follow.strip():
                continue
            if any(p.search(follow) for _, p in ROLE_LABELS) or SOP_HEADING_RE.match(follow.strip()):
                break
            for k, role in enumerate(roles):
                if role and k < len(below) and below[k].strip():
                    value = re.sub(r"^(?:Nama|Name|Jabatan|Position|Tanggal|Tgl\.?|Date)\s*[:：]\s*", "", below[k].strip(), flags=re.I)
                    if value and not re.match(r"^(?:ttd|\(?\s*ttd\.?\s*\)?|tanda tangan|signature)$", value, re.I):
                        names[role].append(value)
        sigs, unclear = [], []
        for role in ("prepared", "checked", "approved"):
            if role not in names:
                continue
            values = names[role]
            signed_on = next((parse_date(v) for v in values if parse_date(v)), None)
            words = [v for v in values if not parse_date(v)]
            if not words or not re.search(r"[A-Za-z]{2}", words[0]):
                unclear.append(role)
                continue
            sigs.append(ParsedSignature(role=role, name=words[0], position=words[1] if len(words) > 1 else "", signed_on=signed_on))
        return sigs, unclear
    return [], []


def _runs_past_header(title: str, generic: str, lines: list[str], header_lines: list[int]) -> bool:
    """True when a title read from the lines before the first label swallowed the header or the body."""
    if not header_lines:
        return False
    for line in lines[min(header_lines): max(header_lines) + 4]:
        for cell in line.split("\t"):
            cell = re.sub(r"\s+", " ", cell).strip()
            if len(cell) >= 4 and cell in title and cell not in generic:
                return True
    return False


def parse_document(extracted) -> ParsedDocument:
    """Everything an extracted file (any format, any layout) says about the document; never raises."""
    from flask_babel import lazy_gettext as _l

    text = getattr(extracted, "text", "") or ""
    try:
        return _parse_document(extracted, text, _l)
    except Exception as exc:  # a layout nobody foresaw must not stop an import of many files
        doc = ParsedDocument(code="", title="", doc_type="", revision="", effective_date=None)
        doc.warnings = [f"Teks tidak dapat dibaca ({type(exc).__name__}); isi data secara manual."]
        return doc


def _parse_document(extracted, text: str, _l) -> ParsedDocument:
    text = split_inline_labels(text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    parser = _Parser(text, getattr(extracted, "filename", ""))
    doc = parser.run()
    lines = parser.raw_lines
    header = read_header(lines[:60])
    fixed: set[str] = set()
    if not doc.code and header.get("code"):
        code, rev = split_code(header["code"])
        doc.code, fixed = code, fixed | {"code"}
        if rev and not doc.revision and "revision" not in header:
            doc.revision = rev
        doc.doc_type = doc_type_of(doc.code)
    elif header.get("code"):
        code, _rev = split_code(header["code"])
        if code != doc.code and code.startswith(doc.code):  # "QP-7.5 (01)": the first token is not all of it
            doc.code = code
    if not doc.revision and header.get("revision"):
        doc.revision, fixed = header["revision"], fixed | {"revision"}
    if doc.effective_date is None and header.get("date"):
        parsed = parse_date(header["date"])
        if parsed:
            doc.effective_date, fixed = parsed, fixed | {"effective_date"}
        else:
            header.setdefault("date_raw", header["date"])
    values = {v.strip() for k, v in header.items() if isinstance(v, str)}
    generic_title = header.get("title") or _title_from_lines(lines, header.get("_lines", []), values)
    if header.get("title") and not parser.explicit_title:
        doc.title = header["title"]
    elif not doc.title or (not parser.explicit_title and generic_title and (
            len(doc.title) > 160 or _COMPANY_RE.search(doc.title) or _G_ANY_LABEL.search(doc.title)
            or _runs_past_header(doc.title, generic_title, lines, header.get("_lines", [])))):
        doc.title = generic_title
    if doc.title:
        fixed.add("title")
    if len(doc.signatures) < 2:
        sigs, unclear = _column_signatures(lines)
        have = {s.role for s in doc.signatures}
        for sig in sigs:
            if sig.role not in have:
                doc.signatures.append(sig)
        doc.signatures.sort(key=lambda s: ("prepared", "checked", "approved").index(s.role))
        for role in unclear:
            doc.warnings.append(str(_l("signature names unclear: %(role)s", role=ROLE_NAMES_ID[role])))
        if sigs:
            found = {s.role for s in doc.signatures}
            doc.warnings = [w for w in doc.warnings if not any(
                ROLE_NAMES_ID[r] in w and "tidak ditemukan" in w for r in found)]
    start = max(header.get("_lines", [0]) or [0])
    generic = _generic_sections(parser.body_lines(start + 1)) if len(doc.sections) < 2 else []
    if len(generic) > len(doc.sections):
        doc.sections = []
        for number, title, body in generic:
            doc.sections.append(ParsedSection(number=number, title=title, body=parser.body_text(body), rows=_table_rows(body)))
            key = _field_for("", title)
            if key in ("purpose", "scope") and not getattr(doc, key):
                setattr(doc, key, parser.plain(body))
            elif key == "references" and not doc.references:
                doc.references = parser.items(body)
        if doc.sections:
            doc.warnings = [w for w in doc.warnings if not w.startswith("Bagian isi dokumen")]
    labels = {"code": "Kode dokumen", "title": "Judul", "revision": "Nomor revisi", "effective_date": "Tanggal berlaku"}
    drop = {f"{labels[name]} tidak ditemukan." for name in fixed}
    if "effective_date" in fixed:
        drop |= {w for w in doc.warnings if w.startswith("Tanggal berlaku tidak terbaca")}
    warnings = [w for w in doc.warnings if w not in drop]
    if doc.code and doc.doc_type and any("Jenis dokumen" in w for w in warnings):
        warnings = [w for w in warnings if "Jenis dokumen" not in w]
    if doc.effective_date is None and header.get("date_raw") and not any("tidak terbaca" in w for w in warnings):
        warnings.append(str(_l("effective date unreadable: %(value)s", value=header["date_raw"][:40])))
    if not doc.revision and not any("Nomor revisi" in w for w in warnings):
        warnings.append(str(_l("no revision number found")))
    for w in getattr(extracted, "warnings", []) or []:
        warnings.append(str(w))
    seen: list[str] = []
    for w in warnings:
        if w not in seen:
            seen.append(w)
    doc.warnings = seen
    return doc
