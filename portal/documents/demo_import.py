"""A pending import for the demo: a Word file from another organisation's template (header table in the page
header, labels without colons, "Nihil" for the revision, Roman-numbered sections, a records table and a change log),
waiting on /documents/import so the document controller sees the review page on `make run`."""
from __future__ import annotations

import io

FILE_NAME = "SOP-CC-001 Penanganan Keluhan Pelanggan.docx"

HEADER = [("PT NUSA KONTAK PRIMA", "Judul", "Prosedur Penanganan Keluhan Pelanggan"),
          ("", "No. Dokumen", "SOP/CC/001"),
          ("", "Revisi", "Nihil"),
          ("", "Tanggal Terbit", "12 Maret 2024"),
          ("", "Halaman", "1 dari 3")]

BODY = [
    ("I. TUJUAN", ["Memastikan setiap keluhan pelanggan yang masuk melalui telepon, surel dan media sosial dicatat, "
                   "ditangani dan ditutup dalam batas waktu layanan yang disepakati dengan klien."]),
    ("II. RUANG LINGKUP", ["Prosedur ini berlaku untuk seluruh agen, team leader dan supervisor layanan contact center "
                           "PT Nusa Kontak Prima, sejak keluhan diterima sampai pelanggan menerima jawaban akhir."]),
    ("III. REFERENSI", ["ISO 9001:2015 klausul 8.2.1 Komunikasi dengan pelanggan dan 9.1.2 Kepuasan pelanggan.",
                        "Perjanjian Kerja Sama dengan klien, lampiran Service Level Agreement."]),
    ("IV. DEFINISI", ["Keluhan: pernyataan ketidakpuasan pelanggan atas produk atau layanan klien.",
                      "Eskalasi: pelimpahan keluhan ke tingkat penanganan berikutnya karena melewati batas waktu atau "
                      "kewenangan agen."]),
    ("V. URAIAN PROSEDUR", ["1. Agen menerima keluhan, memverifikasi identitas pelanggan dan mencatat keluhan pada "
                            "aplikasi tiket dengan kategori yang sesuai.",
                            "2. Keluhan yang dapat diselesaikan saat itu juga ditutup oleh agen dengan konfirmasi "
                            "pelanggan.",
                            "3. Keluhan yang tidak dapat diselesaikan dalam 1 x 24 jam dieskalasi kepada team leader "
                            "melalui log book eskalasi.",
                            "4. Team leader memantau tiket terbuka setiap awal shift dan melaporkan keluhan berulang "
                            "kepada supervisor.",
                            "5. Supervisor menganalisis keluhan berulang setiap bulan dan mengusulkan perbaikan kepada "
                            "klien."]),
]

RECORDS = [("No.", "Nama Rekaman", "Kode Formulir", "Masa Simpan", "Penanggung Jawab"),
           ("1", "Log Book Eskalasi Keluhan", "FRM/CC/001-01", "2 Tahun", "Team Leader"),
           ("2", "Laporan Analisis Keluhan Bulanan", "FRM/CC/001-02", "Selama PKS", "Supervisor")]

CHANGES = [("Revisi", "Tanggal", "Uraian Perubahan"),
           ("Nihil", "12 Maret 2024", "Penerbitan pertama")]

SIGNATURES = [("Dibuat oleh", "Diperiksa oleh", "Disahkan oleh"),
              ("Rina Kartikasari", "Bambang Setiawan", "Dewi Lestari"),
              ("Supervisor Layanan", "Manajer Mutu", "Direktur Operasional")]


def _table(container, rows, style: str = "Table Grid"):
    from docx.shared import Cm

    if hasattr(container, "is_linked_to_previous"):  # a page header: its tables need a width
        table = container.add_table(rows=len(rows), cols=len(rows[0]), width=Cm(17))
    else:
        table = container.add_table(rows=len(rows), cols=len(rows[0]))
    try:
        table.style = style
    except (KeyError, ValueError):
        pass
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    return table


def foreign_sop_docx() -> bytes:
    """The Word file: its register data sit in a table of the page header, as many organisations' templates do."""
    import docx

    document = docx.Document()
    _table(document.sections[0].header, HEADER)
    document.add_paragraph("STANDAR PROSEDUR OPERASIONAL")
    for heading, paragraphs in BODY:
        document.add_paragraph(heading)
        for text in paragraphs:
            document.add_paragraph(text)
    document.add_paragraph("VI. REKAMAN")
    _table(document, RECORDS)
    document.add_paragraph("VII. RIWAYAT PERUBAHAN")
    _table(document, CHANGES)
    document.add_paragraph("")
    _table(document, SIGNATURES)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def load() -> list[str]:
    """Leave the file waiting for review (skipped when it is already waiting or was decided)."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.documents import pending
    from portal.documents.models import PendingImport
    from portal.extensions import db

    # By name: a Word file's bytes carry the moment it was written, so each build differs.
    if db.session.scalar(select(PendingImport.id).where(PendingImport.file_name == FILE_NAME).limit(1)):
        return []
    data = foreign_sop_docx()
    dc = db.session.scalar(select(User).where(User.username == "dc"))
    result = pending.collect([(FILE_NAME, data)], dc)
    return [f"pending import {p.id}: {p.file_name} ({p.code or '-'} rev {p.revision_number or '-'}, "
            f"{len(p.warnings)} warnings)" for p in result.created] + [f"import refused: {n}: {r}" for n, r in result.refused]
