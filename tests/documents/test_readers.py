"""The reading layer: every file of the corpus, field by field; bad files refused with a specific reason."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.documents.readers import ReadError, read_bytes
from portal.documents.textparse import parse_date, parse_document, split_inline_labels

CORPUS = Path(__file__).resolve().parent / "corpus"
P02_TITLE = "PENGELOLAAN OPERASIONAL LAYANAN Change Tarif-0(CT-0) DAN Pra Non Produktif Customer (PRANPC)"
MNOP_TITLE = "MANUAL OPERASI Tele Acount Management (TAM) TELKOM CONSUMER"
PM08_TITLE = "MANUAL MUTU LAYANAN CONTACT CENTER TELKOM BAB VIII OPERASIONAL"
SEED = {  # prefix -> code, revision, effective date, minimum body length
    "000": ("OB.IN.OCC.TELK.P-02", "00", date(2022, 10, 13), 2000),
    "001": ("IN.OCC.TELK.P-10", "02", date(2017, 6, 5), 4500),
    "002": ("IN.OCC.TELK.P-01", "05", date(2019, 12, 3), 6000),
    "003": ("OB.IN.CC.TELK.MNOP-01", "00", date(2022, 10, 13), 20000),
    "004": ("IN.CC.TELK.PM-08", "04", date(2021, 5, 11), 8000),
}
TITLES = {  # (prefix, format) -> title
    **{(p, f): t for p, t in [("000", P02_TITLE), ("003", MNOP_TITLE), ("004", PM08_TITLE)] for f in ("txt", "pdf")},
    **{(p, f): t for p, t in [("001", "Real Time Management"), ("002", "Customer Handling")] for f in ("txt", "pdf", "docx")},
    ("000", "docx"): "PENGELOLAAN OPERASIONAL LAYANAN CT-0 DAN PRANPC",  # the docx page header names it so
    ("003", "docx"): "MANUAL OPERASI TAM",
    ("004", "docx"): "MANUAL MUTU BAB VIII OPERASIONAL",
}
EXPECTED = {  # file -> code, title, revision, effective date, minimum body length
    **{f"seed{p}.{fmt}": (code, TITLES[(p, fmt)], rev, when, body) for p, (code, rev, when, body) in SEED.items()
       for fmt in ("txt", "docx", "pdf")},
    "layout_a.txt": ("SOP/HRD/01", "PROSEDUR REKRUTMEN KARYAWAN", "00", date(2024, 1, 15), 200),
    "layout_b.docx": ("QP-7.5 (01)", "Control of Documented Information", "00", date(2024, 1, 15), 200),
    "layout_c.md": ("IK-CS-03", "Penanganan Telepon Masuk", "02", date(2024, 1, 15), 200),
    "layout_d.odt": ("WI/QA/05", "Pengendalian Rekaman Mutu", "01", date(2024, 1, 15), 120),
    "enc_utf8_bom.txt": ("ST-GA-01", "Standar Layanan CAFÉ Karyawan", "01", date(2024, 1, 15), 150),
    "enc_cp1252.txt": ("ST-GA-02", "Standar Layanan CAFÉ Karyawan", "01", date(2024, 1, 15), 150),
    "enc_utf16.txt": ("ST-GA-03", "Standar Layanan CAFÉ Karyawan", "01", date(2024, 1, 15), 150),
}
REFUSED = {
    "empty.txt": "empty file",
    "binary.txt": "not a text document",
    "not_really.docx": "does not match the extension",
    "not_really.pdf": "does not match the extension",
    "macro.docm": "macro-enabled",
    "notes.xlsx": "unsupported file type",
}


def read(name: str):
    return read_bytes((CORPUS / name).read_bytes(), name)


def test_the_corpus_is_all_there():
    assert len(list(CORPUS.iterdir())) >= 12
    assert set(EXPECTED) | set(REFUSED) | {"scanned.pdf"} <= {p.name for p in CORPUS.iterdir()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_field_by_field(name):
    code, title, revision, effective, min_body = EXPECTED[name]
    extracted = read(name)
    assert extracted.has_text and extracted.format == name.rsplit(".", 1)[1]
    doc = parse_document(extracted)
    assert doc.code == code
    assert doc.title == title
    assert doc.revision == revision
    assert doc.effective_date == effective
    assert sum(len(s.body) for s in doc.sections) >= min_body
    assert "\ufffd" not in extracted.text


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_files_say_why(name):
    with pytest.raises(ReadError) as info:
        read(name)
    assert REFUSED[name] in info.value.message


def test_pdf_without_text_layer():
    extracted = read("scanned.pdf")
    assert extracted.has_text is False and extracted.warnings == ["no text layer (scanned?)"]


def test_encodings_detected():
    assert read("enc_utf8_bom.txt").encoding == "utf-8-sig" and not read("enc_utf8_bom.txt").text.startswith("\ufeff")
    cp = read("enc_cp1252.txt")
    assert (cp.encoding, cp.encoding_guessed) == ("cp1252", True) and "CAFÉ" in cp.text
    assert any("encoding guessed" in w for w in parse_document(cp).warnings)
    assert read("enc_utf16.txt").encoding == "utf-16" and "CAFÉ" in read("enc_utf16.txt").text


def test_lossy_decoding_is_never_silent():
    extracted = read_bytes(b"Judul : Standar layanan kafetaria karyawan\n" * 3 + b"caf\x81 \x8d\n", "x.txt")
    assert any("could not be decoded" in w for w in extracted.warnings)


def test_docx_header_and_tables():
    extracted = read("seed001.docx")
    first = extracted.text.splitlines()[0]
    assert first.startswith("Real Time Management\tKode Dokumen\tIN.OCC.TELK.P-10")  # the page header comes first
    assert any(row[:2] == ["No.", "Nama Dokumen / Rekaman"] for table in extracted.tables for row in table[:1])
    doc = parse_document(read("layout_b.docx"))
    assert [(s.role, s.name, s.position) for s in doc.signatures] == [
        ("prepared", "Andi Wijaya", "Document Controller"), ("checked", "Maria Ulfa", "QA Lead"),
        ("approved", "Hendra Gunawan", "Quality Manager")]
    assert [(s.number, s.title) for s in doc.sections] == [("1", "Purpose"), ("1.1", "Applicability"), ("2", "Responsibilities")]
    assert doc.sections[-1].rows == [["Record", "Retention", "Owner"], ["Document register", "5 years", "DC"]]


def test_other_layouts_sections_and_signatures():
    a = parse_document(read("layout_a.txt"))
    assert [s.number for s in a.sections] == ["I", "II", "III"]
    assert [(s.role, s.name, s.position) for s in a.signatures] == [
        ("prepared", "Budi Santoso", "Staf HRD"), ("checked", "Sari Wulandari", "Manajer HRD"), ("approved", "Ratna Dewi", "Direktur")]
    c = parse_document(read("layout_c.md"))
    assert [(s.number, s.title) for s in c.sections] == [("A", "Persiapan"), ("B", "Pelaksanaan"), ("C", "Penutupan")]


def test_seed_pdfs_keep_signatures():
    doc = parse_document(read("seed002.pdf"))
    assert [(s.role, s.name, s.signed_on) for s in doc.signatures] == [
        ("prepared", "Aditia Aria Sundayana", date(2019, 11, 28)), ("checked", "Siska Susilowati", date(2019, 11, 28)),
        ("approved", "Agus Hidayat", date(2019, 11, 29))]


def test_dates_in_many_forms():
    for text in ("15 Januari 2024", "15-01-2024", "15/01/2024", "2024-01-15", "15-I-2024", "15012024", "20240115",
                 "15.01.2024", "January 15, 2024"):
        assert parse_date(text) == date(2024, 1, 15), text
    assert parse_date("15-XIII-2024") is None and parse_date("99999999") is None


def test_labels_anywhere_and_nil_revision():
    text = "PROSEDUR X\nUnit A   Kode Dokumen: AB-01   Revisi: -   Tanggal Berlaku: 2024-01-15\n\n1. Tujuan\nIsi tujuan di sini.\n"
    doc = parse_document(read_bytes(text.encode(), "x.txt"))
    assert (doc.code, doc.revision, doc.effective_date, doc.title) == ("AB-01", "00", date(2024, 1, 15), "PROSEDUR X")
    assert split_inline_labels("a\tb") == "a\tb"


def test_warnings_for_what_is_missing():
    doc = parse_document(read_bytes(b"Judul : Sesuatu\nKode Dokumen : AB-02\nTanggal Berlaku : kemarin\n\n1. Isi\nTeks.\n", "x.txt"))
    assert doc.revision == "" and any("revisi" in w.lower() for w in doc.warnings)
    assert any("kemarin" in w for w in doc.warnings)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_not_unpacked():
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (70 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(ReadError) as info:
        read_bytes(bomb, "bomb.docx")
    assert "unpack" in info.value.message


def test_docx_with_macros_inside_is_refused():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})
    with pytest.raises(ReadError, match="macro"):
        read_bytes(data, "x.docx")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.md", "a.docx", "a.pdf", "a.odt", "a.docm", "a.exe"]))
def test_arbitrary_bytes_raise_only_read_error(data, name):
    try:
        extracted = read_bytes(data, name)
    except ReadError:
        return
    parse_document(extracted)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text):
    try:
        extracted = read_bytes(text.encode("utf-8"), "a.txt")
    except ReadError:
        return
    assert isinstance(parse_document(extracted).warnings, list)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=4, max_size=3000))
def test_arbitrary_zip_and_pdf_prefixes(data):
    for prefix, name in ((b"PK\x03\x04", "a.docx"), (b"PK\x03\x04", "a.odt"), (b"%PDF-1.4\n", "a.pdf")):
        try:
            parse_document(read_bytes(prefix + data, name))
        except ReadError:
            pass
