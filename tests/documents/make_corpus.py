"""Regenerate tests/documents/corpus/ (run once: `python -m tests.documents.make_corpus`; WeasyPrint is slow to import)."""
from __future__ import annotations

import html
import io
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "portal" / "seeds"
OUT = Path(__file__).resolve().parent / "corpus"
HEADER = {  # seed prefix -> (title cell, code, revision, date) of the docx page header
    "000": ("PENGELOLAAN OPERASIONAL LAYANAN CT-0 DAN PRANPC", "OB.IN.OCC.TELK.P-02", "00", "13 Oktober 2022"),
    "001": ("Real Time Management", "IN.OCC.TELK.P-10", "02", "05 Juni 2017"),
    "002": ("Customer Handling", "IN.OCC.TELK.P-01", "05", "03 Desember 2019"),
    "003": ("MANUAL OPERASI TAM", "OB.IN.CC.TELK.MNOP-01", "00", "13 Oktober 2022"),
    "004": ("MANUAL MUTU BAB VIII OPERASIONAL", "IN.CC.TELK.PM-08", "04", "11 Mei 2021"),
}

LAYOUT_A = """PT Maju Jaya Sentosa
PROSEDUR REKRUTMEN KARYAWAN
Unit HRD    Nomor Dokumen: SOP/HRD/01    Revisi: Nihil
Tanggal Berlaku 15-I-2024

Disusun oleh, Diperiksa oleh, Disahkan oleh,
Nama : Budi Santoso Nama : Sari Wulandari Nama : Ratna Dewi
Jabatan : Staf HRD Jabatan : Manajer HRD Jabatan : Direktur

I. PENDAHULUAN
Prosedur ini mengatur rekrutmen karyawan baru di seluruh unit kerja perusahaan.
II. TUJUAN
Memastikan setiap karyawan baru memenuhi persyaratan jabatan yang ditetapkan.
III. RUANG LINGKUP
Berlaku untuk semua posisi, dari staf sampai manajer, di kantor pusat dan area.
"""

LAYOUT_C = """Instruksi Kerja
Penanganan Telepon Masuk
Kode Dokumen:
IK-CS-03
No. Revisi:
2
Tanggal Terbit:
15/01/2024

A. Persiapan
Agent login ke aplikasi CMS dan memastikan headset berfungsi sebelum shift dimulai.
B. Pelaksanaan
Agent menjawab telepon dalam tiga deringan dengan salam pembuka yang baku.
C. Penutupan
Agent menawarkan bantuan lain lalu menutup panggilan dengan salam penutup.
"""

ENC_TEXT = """Judul : Standar Layanan CAFÉ Karyawan
Kode Dokumen : ST-GA-{n}
Revisi : 01
Tanggal Berlaku : {date}

1. Tujuan
Menjaga mutu layanan kafetaria (CAFÉ) bagi seluruh karyawan setiap hari kerja.
2. Ruang Lingkup
Berlaku untuk kafetaria kantor pusat dan seluruh area operasional perusahaan.
"""


def docx_of_seed(prefix: str, text: str) -> bytes:
    import docx

    title, code, rev, when = HEADER[prefix]
    d = docx.Document()
    table = d.sections[0].header.add_table(rows=3, cols=3, width=docx.shared.Inches(6.5))
    for i, (label, value) in enumerate([("Kode Dokumen", code), ("Revisi", rev), ("Tanggal Berlaku", when)]):
        table.cell(i, 0).text = title if i == 0 else ""
        table.cell(i, 1).text = label
        table.cell(i, 2).text = value
    d.sections[0].footer.paragraphs[0].text = "Dokumen terkendali"
    pending: list[list[str]] = []

    def flush():
        if pending:
            width = max(len(r) for r in pending)
            t = d.add_table(rows=len(pending), cols=width)
            for r, row in enumerate(pending):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
            pending.clear()

    for line in text.split("\n"):
        if "\t" in line:
            pending.append(line.split("\t"))
            continue
        flush()
        d.add_paragraph(line)
    flush()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def layout_b_docx() -> bytes:
    import docx

    d = docx.Document()
    t = d.add_table(rows=4, cols=2)
    for i, (label, value) in enumerate([("Title", "Control of Documented Information"), ("Document No.", "QP-7.5 (01)"),
                                        ("Revision", "-"), ("Effective date", "20240115")]):
        t.cell(i, 0).text, t.cell(i, 1).text = label, value
    d.add_paragraph("")
    s = d.add_table(rows=3, cols=3)
    for c, (role, name, pos) in enumerate([("Prepared by", "Andi Wijaya", "Document Controller"),
                                           ("Checked by", "Maria Ulfa", "QA Lead"),
                                           ("Approved by", "Hendra Gunawan", "Quality Manager")]):
        s.cell(0, c).text, s.cell(1, c).text, s.cell(2, c).text = role, name, pos
    for line in ["1. Purpose", "This procedure controls how documented information is created, updated and kept.",
                 "1.1 Applicability", "It applies to every controlled document and record of the contact center.",
                 "2. Responsibilities", "The document controller keeps the register and the master copies."]:
        d.add_paragraph(line)
    r = d.add_table(rows=2, cols=3)
    for c, v in enumerate(["Record", "Retention", "Owner"]):
        r.cell(0, c).text = v
    for c, v in enumerate(["Document register", "5 years", "DC"]):
        r.cell(1, c).text = v
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def odt(paragraphs: list[str]) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    body = "".join(f"<text:p>{html.escape(p)}</text:p>" for p in paragraphs)
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:text>{body}</office:text></office:body></office:document-content>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest/>")
    return buf.getvalue()


def pdf(markup: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=markup).write_pdf()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for prefix in HEADER:
        seed = next(SEEDS.glob(f"{prefix}_*.txt"))
        text = seed.read_text(encoding="utf-8")
        shutil.copy(seed, OUT / f"seed{prefix}.txt")
        (OUT / f"seed{prefix}.docx").write_bytes(docx_of_seed(prefix, text))
        (OUT / f"seed{prefix}.pdf").write_bytes(pdf(
            f"<pre style='font-size:8pt;white-space:pre-wrap'>{html.escape(text)}</pre>"))
    (OUT / "layout_a.txt").write_text(LAYOUT_A, encoding="utf-8")
    (OUT / "layout_b.docx").write_bytes(layout_b_docx())
    (OUT / "layout_c.md").write_text(LAYOUT_C, encoding="utf-8")
    (OUT / "layout_d.odt").write_bytes(odt([
        "Judul : Pengendalian Rekaman Mutu", "No. Dokumen : WI/QA/05", "Revisi : 01", "Tanggal Efektif : 2024-01-15", "",
        "1. Tujuan", "Rekaman mutu disimpan, dilindungi dan dimusnahkan sesuai masa simpannya.",
        "2. Ruang Lingkup", "Semua rekaman yang dihasilkan oleh prosedur di lingkungan layanan."]))
    (OUT / "enc_utf8_bom.txt").write_bytes(b"\xef\xbb\xbf" + ENC_TEXT.format(n="01", date="15 Januari 2024").encode("utf-8"))
    (OUT / "enc_cp1252.txt").write_bytes(ENC_TEXT.format(n="02", date="15-01-2024").encode("cp1252"))
    (OUT / "enc_utf16.txt").write_bytes(ENC_TEXT.format(n="03", date="15012024").encode("utf-16"))
    (OUT / "empty.txt").write_bytes(b"")
    (OUT / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (OUT / "not_really.docx").write_bytes(b"Kode Dokumen : X-01\nThis is plain text with a .docx name.\n")
    (OUT / "not_really.pdf").write_bytes(b"PK\x03\x04 this is not a PDF")
    from PIL import Image

    img = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 200, 200)).save(img, "PNG")
    import base64

    src = "data:image/png;base64," + base64.b64encode(img.getvalue()).decode()
    (OUT / "scanned.pdf").write_bytes(pdf(f"<img src='{src}' style='width:10cm'>"))
    (OUT / "macro.docm").write_bytes(docx_of_seed("001", "Isi"))
    (OUT / "notes.xlsx").write_bytes(b"PK\x03\x04")


if __name__ == "__main__":
    main()
