"""The text importer's reader, field by field against the five real documents, and on text it has never seen."""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.documents.textparse import bullets, parse_date, parse_text, split_code

SEEDS = Path(os.environ.get("PORTAL_SEEDS") or Path(__file__).resolve().parents[2] / "portal" / "seeds")


def seed(prefix: str):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_text(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture(scope="module")
def p02():
    return seed("000")


@pytest.fixture(scope="module")
def p10():
    return seed("001")


@pytest.fixture(scope="module")
def p01():
    return seed("002")


@pytest.fixture(scope="module")
def mnop():
    return seed("003")


@pytest.fixture(scope="module")
def pm08():
    return seed("004")


def sig(doc, role):
    found = [s for s in doc.signatures if s.role == role]
    return (found[0].name, found[0].position, found[0].signed_on) if found else None


# ---------------------------------------------------------------- OB.IN.OCC.TELK.P-02 (CT-0 / PraNPC)
def test_p02_header(p02):
    assert p02.code == "OB.IN.OCC.TELK.P-02"  # ".Rev.00" is not part of the code
    assert p02.title == "PENGELOLAAN OPERASIONAL LAYANAN Change Tarif-0(CT-0) DAN Pra Non Produktif Customer (PRANPC)"
    assert (p02.doc_type, p02.revision, p02.effective_date) == ("P", "00", date(2022, 10, 13))
    assert p02.warnings == []


def test_p02_signatures(p02):
    assert sig(p02, "prepared") == ("Andika Ardiansah", "DC Area", date(2022, 8, 12))
    assert sig(p02, "checked") == ("Sukron Azis", "Koordinator QRD", date(2022, 8, 12))
    assert sig(p02, "approved") == ("Mokh Arifin", "Manager", date(2022, 10, 12))


def test_p02_sections_and_lists(p02):
    assert [s.number for s in p02.sections] == [str(n) for n in range(1, 14)]
    assert p02.sections[7].title == "Rincian Prosedur"
    assert len(p02.references) == 5
    assert p02.references[0] == "Klausul 7.1 ISO 9001:2008 Perencanaan Realisasi Produk."
    assert p02.references[4] == "Klausul 8.5.2 ISO 9001:2008 Tindakan Korektif."
    assert p02.purpose == "Sebagai panduan dalam pelaksanaan operasional Layanan."
    assert p02.scope == "Ruang lingkup SOP ini berlaku pada proses pengelolaan operasional layanan CT-0 dan PraNPC."
    assert p02.parties == ["Manager Operasional.", "Supervisor.", "Team Leader.", "Agent.",
                           "Support (QC Officer, HR Support, Infratel).", "Client."]
    assert len(p02.policy) == 2 and p02.policy[0].startswith("Proses layanan operasional CT-0")
    assert len(p02.definitions) == 4
    assert p02.definitions[2] == "Quality Control Officer adalah pihak yang melakukan proses Tapping."
    assert p02.indicators == ["Operasional berjalan sesuai dengan SOP dan IK yang berlaku.",
                              "Ketercapaian target yang disepakati dengan pihak Client."]
    assert p02.work_instructions == ["OB.IN.OCC.TELK.W-01 PEMBUATAN LAPORAN", "OB.IN.OCC.TELK.W-04 PENGELOLAAN USER IT TOOLS"]
    assert p02.applications == ["Eyebeam", "TAMARA", "Mycx", "Nonatero", "MS Excel"]
    assert p02.notes == []


def test_p02_records_and_empty_change_log(p02):
    assert [(r.code, r.name, r.retention, r.owner) for r in p02.records] == [
        ("OB.IN.OCC.TELK.F-01", "LAPORAN PERIODIK SUPERVISOR CARING CT-0 PraNPC", "2 TAHUN", "Operasional"),
        ("OB.IN.OCC.TELK.F-02", "LAPORAN PERFORMANSI BULANANCARING CT-0 PraNPC", "2 TAHUN", "Operasional"),
    ]
    assert p02.change_log == []  # rows 01, 02 and "Dst." of the paper template are empty


def test_p02_page_headers_stay_out_of_the_sections(p02):
    definitions = p02.sections[5].body
    assert "Change Tarif-0(CT-0) DAN Pra Non Produktif" not in definitions
    assert "6.3. Quality Control Officer adalah pihak yang melakukan proses Tapping." in definitions


# ---------------------------------------------------------------- IN.OCC.TELK.P-10 (Real Time Management)
def test_p10_header_and_stamps(p10):
    assert (p10.code, p10.title, p10.doc_type) == ("IN.OCC.TELK.P-10", "Real Time Management", "P")
    assert (p10.revision, p10.effective_date) == ("02", date(2017, 6, 5))
    assert p10.copy_stamps == ["MASTER DOCUMENT PUSAT", "CONTROLLED DOCUMENT PUSAT", "CONTROLLED DOCUMENT MALANG"]


def test_p10_signatures(p10):
    assert sig(p10, "prepared") == ("Suyanti", "Mgr. Operation Planning and Controlling", date(2017, 5, 26))
    assert sig(p10, "checked") == ("Siska Susilowati", "GM Operation Telkom", date(2017, 5, 31))
    assert sig(p10, "approved") == ("Suyanti", "QMR", date(2017, 5, 31))


def test_p10_sections(p10):
    assert [(s.number, s.title) for s in p10.sections][:3] == [("1", "Rujukan"), ("2", "Tujuan"), ("3", "Ruang Lingkup")]
    assert p10.sections[7].title == "Rincian Prosedur (Aliran Proses)"
    assert p10.sections[0].body == ("1.1. Klausul 9.1 ISO 9001:2015 Pemantauan, Pengukuran, Analisis dan Evaluasi\n"
                                    "1.2. Klausu 8.5.1 ISO 9001:2015 Pengendalian Penyediaan Produksi dan Jasa")
    assert p10.references == ["Klausul 9.1 ISO 9001:2015 Pemantauan, Pengukuran, Analisis dan Evaluasi",
                              "Klausu 8.5.1 ISO 9001:2015 Pengendalian Penyediaan Produksi dan Jasa"]
    assert p10.purpose == "Memastikan KPI / SLA / SLG yang telah disepakati dengan klien dapat tercapai."
    assert p10.parties == ["Agent", "Team Leader", "Supervisor", "Manager"]
    assert len(p10.policy) == 3 and p10.policy[1] == "Pelaksana Real Time Management adalah Team Leader."
    assert len(p10.definitions) == 5 and p10.definitions[4].startswith("Recovery plan adalah")
    assert len(p10.indicators) == 5 and p10.indicators[4] == "Pembuatan Laporan evaluasi dan analisa harian max HK+3."
    assert p10.work_instructions == ["IN.OCC.TELK.W-04 Real Time Management"]
    assert p10.applications == ["CMS"]
    assert len(p10.notes) == 2 and p10.notes[0].startswith("Untuk pembuatan jadwal")
    # The flow chart's HTML paragraphs become lines of text.
    assert "9. Fungsi DC juga melakukan sampling customer handling" in p10.sections[7].body


def test_p10_records_table(p10):
    assert [(r.code, r.name, r.retention, r.owner) for r in p10.records] == [
        ("IN.OCC.TELK.F-02", "Kesesuaian Roster Final vs Realisasi", "2 Tahun", "Team Leader/PIC Desk Control"),
        ("IN.OCC.TELK.F-03", "Ketidaksiplinan dan Pelanggaran Tata Tertib", "2 Tahun", "Team Leader/PIC Desk Control"),
        ("IN.OCC.TELK.F-04", "Real Monitoring Call Handling", "2 Tahun", "Team Leader/PIC Desk Control"),
        ("IN.OCC.TELK.F-05", "Laporan Analisa Harian Supervisor", "2 Tahun", "Supervisor Performance"),
        ("IN.OCC.TELK.F-06", "Real Time Monitoring", "2 Tahun", "Team Leader/PIC Desk Control"),
        ("IN.OCC.TELK.F-21", "Floor Monitoring TelkomCare", "2 Tahun", "Team Leader/PIC Desk Control"),
    ]


def test_p10_change_log_across_a_page_break(p10):
    assert [(c.revision, c.effective_date) for c in p10.change_log] == [("01", date(2016, 8, 11)), ("02", date(2017, 6, 5))]
    assert p10.change_log[0].description == (
        "- Merubah form SOP terupdate\n"
        "- Menambahkan catatan untuk PIC pembuat roster TL sesuai dengan kebijakan operasional masing-masing.")
    assert p10.change_log[1].description.splitlines()[0] == "- Merubah klausul ISO menjadi versi 9001:2015"
    assert len(p10.change_log[1].description.splitlines()) == 3


# ---------------------------------------------------------------- IN.OCC.TELK.P-01 (Customer Handling)
def test_p01_header_and_signatures(p01):
    assert (p01.code, p01.title, p01.doc_type, p01.revision) == ("IN.OCC.TELK.P-01", "Customer Handling", "P", "05")
    assert p01.effective_date == date(2019, 12, 3)
    assert sig(p01, "prepared") == ("Aditia Aria Sundayana", "DC Pusat", date(2019, 11, 28))  # "28 Nov 2019"
    assert sig(p01, "checked") == ("Siska Susilowati", "VP Telkom Operation", date(2019, 11, 28))
    assert sig(p01, "approved") == ("Agus Hidayat", "QMR", date(2019, 11, 29))
    assert p01.copy_stamps == ["MASTER DOCUMENT PUSAT", "CONTROLLED DOCUMENT PUSAT", "CONTROLLED DOCUMENT MALANG"]


def test_p01_lists(p01):
    assert len(p01.sections) == 13
    assert p01.references == ["Klausul 8.2.1 ISO 9001:2015 Komunikasi Pelanggan"]
    assert p01.purpose.splitlines() == [
        "Memastikan pelanggan mendapatkan layanan sesuai standard yang berlaku.",
        "Memastikan pelanggan ditangani sesuai permasalahannya.",
        "Memberikan panduan kepada Agent ketika melayani pelanggan."]
    assert len(p01.definitions) == 15 and p01.definitions[14].startswith("Cross Selling adalah")
    assert p01.work_instructions[0] == "IN.OCC.TELK.W-10 Mekanisme Penanganan Hard Complaint"
    assert len(p01.work_instructions) == 5
    assert len(p01.applications) == 11 and p01.applications[-1] == "Mediasel"
    assert p01.notes == []


def test_p01_records_with_contract_retention(p01):
    assert [(r.code, r.retention, r.owner) for r in p01.records] == [
        ("IN.QCC.TELK.S-01", "Selama PKS", "QC"), ("IN.QCC.TELK.S-03", "Selama PKS", "QC"),
        ("IN.QCC.TELK.S-11", "Selama PKS", "QC"), ("IN.OCC.TELK.F-19", "2 Tahun", "SPV Operasional")]
    assert p01.records[0].name == "Standar Penilaian Parameter Pengujian Call 108"


def test_p01_change_log_continues_after_the_page_break(p01):
    assert [c.revision for c in p01.change_log] == ["01", "02", "03", "04", "05"]
    assert [c.effective_date for c in p01.change_log] == [
        date(2011, 5, 1), date(2014, 10, 7), date(2016, 8, 11), date(2017, 6, 5), date(2019, 12, 3)]
    rev04 = p01.change_log[3].description
    assert "- Menambahkan Supervisor pada subab Pihak Terkait" in rev04.splitlines()  # from the next page
    assert p01.change_log[4].description == ("- Menyesuaikan form dengan logo korporasi Infomedia\n"
                                              "- Merubah Alur Handling Tier 1 Komplain, Tier 1 Registrasi/Informasi dan Tier 2 Outbond")


def test_p01_mid_page_stamp_and_headers_stay_out(p01):
    records = p01.sections[9].body
    assert "CONTROLLED" not in records and "MALANG" not in records
    assert all("Prosedur Operasi Standar" not in s.body for s in p01.sections)


# ---------------------------------------------------------------- OB.IN.CC.TELK.MNOP-01 (operations manual)
def test_manual_header(mnop):
    assert mnop.code == "OB.IN.CC.TELK.MNOP-01"
    assert mnop.title == "MANUAL OPERASI Tele Acount Management (TAM) TELKOM CONSUMER"
    assert (mnop.doc_type, mnop.revision, mnop.effective_date) == ("MNOP", "00", date(2022, 10, 13))
    assert sig(mnop, "prepared") == ("Andika ardiansah", "DC Area", date(2022, 7, 25))
    assert sig(mnop, "checked") == ("Sukron Azis", "Koordinator QRD", date(2022, 7, 25))
    assert sig(mnop, "approved") == ("Mokh.Arifin", "Manager", date(2022, 10, 12))  # "12 Oktober2022"


def test_manual_chapters_not_the_table_of_contents(mnop):
    numbers = [s.number for s in mnop.sections]
    assert numbers == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2", "2.1", "2.2", "2.3", "3", "4", "4.1", "4.2", "4.3"]
    titles = {s.number: s.title for s in mnop.sections}
    assert titles["1"] == "PENDAHULUAN" and titles["3"] == "SERVICE LEVEL AGREEMENT"
    assert titles["2.1"] == "Spesifikasi dan Pemenuhan SDM"
    assert mnop.purpose.startswith("Tujuan pembuatan Manual Operasi sebagai panduan")
    assert len(mnop.definitions) == 19 and mnop.definitions[-1].startswith("QC (Quality Control) Tier 2 adalah")
    assert mnop.records == [] and mnop.change_log == []
    assert "DAFTAR ISI" not in "".join(s.body for s in mnop.sections)


# ---------------------------------------------------------------- IN.CC.TELK.PM-08 (quality manual chapter)
def test_quality_manual_chapter(pm08):
    assert (pm08.code, pm08.doc_type, pm08.revision) == ("IN.CC.TELK.PM-08", "PM", "04")
    assert pm08.title == "MANUAL MUTU LAYANAN CONTACT CENTER TELKOM BAB VIII OPERASIONAL"
    assert pm08.effective_date == date(2021, 5, 11)  # "Tgl. Efektif"
    assert sig(pm08, "prepared") == ("Febrian Surya Pratama", "QMR", date(2021, 4, 8))
    assert sig(pm08, "approved") == ("Riri Amalas Yulita", "Direktur Solution and Business Development", date(2021, 5, 9))
    assert sig(pm08, "checked") is None
    assert [s.number for s in pm08.sections] == ["8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7"]
    assert pm08.sections[6].title == "Pengendalian Proses, Produk, dan Jasa yang Tidak Sesuai"


def test_quality_manual_page_headers_and_footers_stay_out(pm08):
    text = "\n".join(s.body for s in pm08.sections)
    for leak in ("No. Dok.", "Tgl. Efektif", "dari 6", "BAB VIII OPERASIONAL", "\nLayanan CC Telkom\n"):
        assert leak not in text, leak
    assert "8.5.2 Identifikasi dan Mampu Telusur" in text


# ---------------------------------------------------------------- every seed
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_markup_survives(prefix):
    doc = seed(prefix)
    texts = [doc.title, doc.purpose, doc.scope, *doc.references, *doc.policy, *doc.definitions,
             *(s.body for s in doc.sections), *(c.description for c in doc.change_log), *(r.name for r in doc.records)]
    for text in texts:
        assert not re.search(r"</?[a-z]+[^>]*>", text), text[:120]
        assert "**" not in text


# ---------------------------------------------------------------- other layouts and bad input
OTHER_LAYOUT = """PT Contoh Layanan Nusantara
Judul : Penanganan Keluhan Pelanggan
No. Dokumen : CL-QA-07
No. Revisi : 3
Tanggal Terbit : 14/02/2024

Disusun oleh : Budi Hartono
Jabatan : Koordinator Mutu
Tanggal : 10/02/2024

Disahkan oleh : Ratna Dewi
Jabatan : Direktur

1. Rujukan
1.1. ISO 9001:2015 klausul 9.1.2
2. Tujuan
Menangani keluhan pelanggan dengan cepat.
3. Ruang Lingkup
Semua kanal layanan.
"""


def test_another_organisations_layout_imports_what_it_can():
    doc = parse_text(OTHER_LAYOUT)
    assert (doc.code, doc.title, doc.revision, doc.effective_date) == (
        "CL-QA-07", "Penanganan Keluhan Pelanggan", "03", date(2024, 2, 14))
    assert doc.doc_type == ""  # not the house grammar: the document controller chooses
    assert sig(doc, "prepared") == ("Budi Hartono", "Koordinator Mutu", date(2024, 2, 10))
    assert sig(doc, "approved") == ("Ratna Dewi", "Direktur", None)
    assert doc.references == ["ISO 9001:2015 klausul 9.1.2"]
    assert doc.purpose == "Menangani keluhan pelanggan dengan cepat."
    assert any("Jenis dokumen" in w for w in doc.warnings)
    assert any("Disetujui oleh" in w and "Tanggal" in w for w in doc.warnings)


def test_missing_fields_are_flagged_not_invented():
    doc = parse_text("Kode Dokumen : XY.AB.CD.P-01\nSesuatu tanpa revisi\nTanggal Efektif : 31 Februari 2020\n")
    assert doc.code == "XY.AB.CD.P-01" and doc.revision == "" and doc.effective_date is None
    assert doc.missing == ["title", "revision", "effective_date"] or doc.missing == ["revision", "effective_date"]
    assert any("Nomor revisi" in w for w in doc.warnings)
    assert any("31 Februari 2020" in w for w in doc.warnings)


def test_empty_text():
    doc = parse_text("")
    assert doc.code == "" and doc.sections == [] and doc.missing == ["code", "title", "revision", "effective_date"]
    assert "Kode dokumen tidak ditemukan." in doc.warnings


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_never_raises_on_any_text(text):
    doc = parse_text(text)
    assert isinstance(doc.warnings, list)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "Kode Dokumen : IN.OCC.TELK.P-10", "Revisi : 02", "Tanggal Berlaku : 05 Juni 2017", "Dibuat oleh,\tDisetujui oleh,",
    "Nama : A\tNama : B", "Tanggal : 99 Foo 2017\tTanggal :", "1. Rujukan", "10. Dokumen / Rekaman Pendukung",
    "No.\tNama Dokumen / Rekaman\tMasa Simpan\tPenanggung Jawab", "1\t\t\t", "13. Catatan Perubahan Dokumen",
    "Rev.\tTanggal Berlaku\tDeskripsi Perubahan", "01\t\t<ul><li>x", "\t\t", "BAB IV", "DAFTAR ISI", "4.1 X", "",
]), max_size=40))
def test_never_raises_on_shuffled_layout_lines(lines):
    parse_text("\n".join(lines))


def test_small_readers():
    assert parse_date("05 Juni 2017") == date(2017, 6, 5)
    assert parse_date("28 Nov 2019") == date(2019, 11, 28)
    assert parse_date("12 Oktober2022") == date(2022, 10, 12)
    assert parse_date("2024-02-14") == date(2024, 2, 14)
    assert parse_date("June 5, 2017") == date(2017, 6, 5)
    assert parse_date("31 Februari 2020") is None and parse_date("kemarin") is None
    assert split_code("OB.IN.OCC.TELK.P-02.Rev.00") == ("OB.IN.OCC.TELK.P-02", "00")
    assert split_code("IN.QCC.TELK.S-01.") == ("IN.QCC.TELK.S-01", "")
    assert bullets('<ul style="list-style-type: none"> - satu - dua-tiga -empat') == "- satu\n- dua-tiga\n- empat"
