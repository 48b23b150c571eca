"""`flask documents import`: the five real documents land in the register exactly; bad files leave nothing behind."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.documents import importer, services
from portal.documents.models import EFFECTIVE, SUPERSEDED, Document, Revision
from portal.extensions import db

SEEDS = Path(__file__).resolve().parents[2] / "portal" / "seeds"


def _import(app, path) -> object:
    return app.test_cli_runner().invoke(args=["documents", "import", str(path)])


def _load_org(app):
    from portal.auth import services as org
    from portal.auth import demo

    for code, name, tz, head in demo.SITES:
        org.save_site(None, {"code": code, "name": name, "timezone": tz, "is_head_office": head})
    for code, name, direction in demo.SERVICES:
        org.save_service(None, {"code": code, "name": name, "direction": direction})
    db.session.commit()


def test_the_five_seeds_import_with_their_values(app, client, factories):
    _load_org(app)
    result = _import(app, SEEDS)
    assert result.exit_code == 0, result.output
    assert "5 file(s): 5 imported, 0 already present, 0 refused." in result.output
    db.session.expire_all()
    codes = db.session.scalars(select(Document.code).order_by(Document.code)).all()
    assert codes == ["IN.CC.TELK.PM-08", "IN.OCC.TELK.P-01", "IN.OCC.TELK.P-10", "OB.IN.CC.TELK.MNOP-01", "OB.IN.OCC.TELK.P-02"]

    p01 = services.get_document("in.occ.telk.p-01")  # case-insensitive lookup
    assert (p01.title, p01.doc_type, p01.unit) == ("Customer Handling", "P", "OCC")
    numbers = {r.number: r.status for r in p01.revisions}
    assert numbers == {"01": SUPERSEDED, "02": SUPERSEDED, "03": SUPERSEDED, "04": SUPERSEDED, "05": EFFECTIVE}
    current = p01.current
    assert current.effective_date == date(2019, 12, 3)
    assert [(s.role, s.name, s.position, s.signed_on, s.transcribed) for s in current.signatures] == [
        ("prepared", "Aditia Aria Sundayana", "DC Pusat", date(2019, 11, 28), True),
        ("checked", "Siska Susilowati", "VP Telkom Operation", date(2019, 11, 28), True),
        ("approved", "Agus Hidayat", "QMR", date(2019, 11, 29), True)]
    assert [(r.code, r.retention, r.owner) for r in current.records][-1] == ("IN.OCC.TELK.F-19", "2 Tahun", "SPV Operasional")
    assert sorted(s.code for s in p01.sites) == ["MLG", "PUSAT"]  # controlled copies at Malang, master at head office
    assert p01.services == []  # inbound SOP: every service

    p02 = services.get_document("OB.IN.OCC.TELK.P-02")
    assert sorted(s.code for s in p02.services) == ["TAM-CT0"]
    p10 = services.get_document("IN.OCC.TELK.P-10")
    assert [r.number for r in sorted(p10.revisions, key=lambda r: r.number)] == ["01", "02"]
    assert len(p10.current.records) == 6
    assert p10.current.meta["work_instructions"] == ["IN.OCC.TELK.W-04 Real Time Management"]

    # Exactly one revision in force per document.
    in_force = db.session.execute(select(Revision.document_id, func.count()).where(Revision.status == EFFECTIVE)
                                  .group_by(Revision.document_id)).all()
    assert len(in_force) == 5 and all(n == 1 for _, n in in_force)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.imported")).all()
    assert len(events) == 5


def test_api_returns_the_imported_document(app, client, factories):
    _load_org(app)
    _import(app, SEEDS)
    client.login(factories.user(["auditor"]).username)
    data = client.get("/api/documents/IN.OCC.TELK.P-01").get_json()
    assert (data["code"], data["title"], data["type"], data["status"]) == ("IN.OCC.TELK.P-01", "Customer Handling", "P", "effective")
    rev = data["current_revision"]
    assert rev["number"] == "05" and rev["effective_date"] == "2019-12-03"
    assert {k: rev["signatures"][2][k] for k in ("role", "name", "position", "signed_on")} == {
        "role": "approved", "name": "Agus Hidayat", "position": "QMR", "signed_on": "2019-11-29"}
    assert [(c["revision"], c["effective_date"]) for c in rev["change_log"]] == [
        ("01", "2011-05-01"), ("02", "2014-10-07"), ("03", "2016-08-11"), ("04", "2017-06-05"), ("05", "2019-12-03")]
    assert rev["change_log"][0]["description"].startswith("- Merubah format formulir SOP")
    assert rev["records"][0] == {"code": "IN.QCC.TELK.S-01", "name": "Standar Penilaian Parameter Pengujian Call 108",
                                 "retention": "Selama PKS", "owner": "QC"}


def test_importing_twice_changes_nothing(app, client):
    _load_org(app)
    _import(app, SEEDS)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = _import(app, SEEDS)
    assert again.exit_code == 0 and "0 imported, 5 already present" in again.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_another_layout_imports_with_its_gaps_flagged(app, client, tmp_path, factories):
    _load_org(app)
    text = ("Judul : Penanganan Keluhan\nNo. Dokumen : CL-QA-07\nNo. Revisi : 1\nTanggal Efektif : 14/02/2024\n\n"
            "Disusun oleh : Budi Hartono\n\n1. Rujukan\n1.1. ISO 9001:2015\n2. Tujuan\nMenangani keluhan.\n3. Ruang Lingkup\nSemua kanal.\n")
    (tmp_path / "lain.txt").write_text(text, encoding="utf-8")
    result = _import(app, tmp_path / "lain.txt")
    assert result.exit_code == 0, result.output
    assert "Disetujui oleh" in result.output  # the missing approval is flagged
    doc = services.get_document("CL-QA-07")
    assert doc.doc_type == "EXT" and doc.current.number == "01"
    assert "Disetujui oleh" in doc.current.import_warnings
    dc = factories.user(["dc"])
    client.login(dc.username)
    assert "Disetujui oleh" in client.get("/documents/CL-QA-07").get_data(as_text=True)


def test_unreadable_or_failing_files_leave_nothing_half_stored(app, client, tmp_path, monkeypatch):
    _load_org(app)
    (tmp_path / "a_tanpa_kode.txt").write_text("Sebuah catatan tanpa kode dan revisi.\n", encoding="utf-8")
    (tmp_path / "b_rusak.txt").write_bytes(b"\xff\xfe\x00garbage\x00")
    good = (SEEDS / next(p.name for p in SEEDS.iterdir() if p.name.startswith("001"))).read_text(encoding="utf-8")
    (tmp_path / "c_p10.txt").write_text(good, encoding="utf-8")
    before_docs = db.session.scalar(select(func.count()).select_from(Document))
    before_events = db.session.scalar(select(func.count()).select_from(AuditEvent))

    def explode(*args, **kwargs):
        raise RuntimeError("index down")

    monkeypatch.setattr(importer.search, "index_document", explode)  # fails after rows were flushed
    result = _import(app, tmp_path)
    assert result.exit_code == 1
    assert result.output.count("refused") >= 3
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Document)) == before_docs
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before_events
