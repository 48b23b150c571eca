"""What the text importer reads out of a controlled document, before anything is stored."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# SOP section numbers and their Indonesian headings, as in the seeds.
SOP_SECTIONS: dict[int, str] = {
    1: "Rujukan",
    2: "Tujuan",
    3: "Ruang Lingkup",
    4: "Pihak Terkait",
    5: "Kebijakan Umum",
    6: "Definisi dan Singkatan",
    7: "Indikator Kinerja Prosedur",
    8: "Rincian Prosedur (Aliran Proses)",
    9: "Instruksi Kerja Pendukung",
    10: "Dokumen / Rekaman Pendukung",
    11: "Aplikasi Pendukung",
    12: "Catatan",
    13: "Catatan Perubahan Dokumen",
}


@dataclass
class ParsedSignature:
    role: str  # "prepared" | "checked" | "approved"
    name: str
    position: str = ""
    signed_on: date | None = None


@dataclass
class ParsedRecord:
    """A row of section 10: a document or record that supports the procedure."""
    code: str  # e.g. "IN.OCC.TELK.F-02" ("" when the row names no code)
    name: str  # e.g. "Kesesuaian Roster Final vs Realisasi"
    retention: str  # as written: "2 Tahun", "Selama PKS"
    owner: str  # "Penanggung Jawab", e.g. "Team Leader/PIC Desk Control"


@dataclass
class ParsedChange:
    """A line of the change log (section 13)."""
    revision: str  # "01"
    effective_date: date | None
    description: str


@dataclass
class ParsedSection:
    number: str  # "1".."13" for SOPs; chapter numbers such as "8.1" or "2" for manuals
    title: str
    body: str  # plain text, paragraphs separated by blank lines; list items keep their numbers ("1.1. ...")
    rows: list[list[str]] = field(default_factory=list)  # the section's table rows (cells), when it has a table


@dataclass
class ParsedDocument:
    code: str  # without any ".Rev.NN" suffix, e.g. "OB.IN.OCC.TELK.P-02"
    title: str
    doc_type: str  # "P", "W", "F", "S", "PM", "MNOP" or "" when the code does not say
    revision: str  # "02"
    effective_date: date | None
    signatures: list[ParsedSignature] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # section 1 items, e.g. "Klausul 9.1 ISO 9001:2015 Pemantauan, ..."
    purpose: str = ""  # section 2 text
    scope: str = ""  # section 3 text
    parties: list[str] = field(default_factory=list)  # section 4 items
    policy: list[str] = field(default_factory=list)  # section 5 items
    definitions: list[str] = field(default_factory=list)  # section 6 items
    indicators: list[str] = field(default_factory=list)  # section 7 items
    work_instructions: list[str] = field(default_factory=list)  # section 9 items, e.g. "IN.OCC.TELK.W-04 Real Time Management"
    records: list[ParsedRecord] = field(default_factory=list)  # section 10 table
    applications: list[str] = field(default_factory=list)  # section 11 items
    notes: list[str] = field(default_factory=list)  # section 12 items
    change_log: list[ParsedChange] = field(default_factory=list)  # section 13 rows, oldest first
    copy_stamps: list[str] = field(default_factory=list)  # e.g. ["MASTER DOCUMENT PUSAT", "CONTROLLED DOCUMENT MALANG"]
    warnings: list[str] = field(default_factory=list)  # fields that could not be read, for the document controller

    @property
    def missing(self) -> list[str]:
        """Names of the essential fields that are empty."""
        out = []
        for name in ("code", "title", "revision", "effective_date"):
            if not getattr(self, name):
                out.append(name)
        return out
