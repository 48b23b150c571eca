"""The QMR's disposal queue, the record of destruction (page and PDF/A), contracts, and the form-schema editor."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.documents import services as documents
from portal.extensions import db
from portal.records.models import DISPOSED, Contract, Record
from tests.conftest import TEST_PASSWORD
from tests.printing.test_document_pdf import pdf_text
from tests.records_factories import approved_record, online_form


def test_qmr_disposes_of_records_past_retention_with_a_record_of_destruction(app, client, factories):
    site = factories.site()
    tl, spv = factories.user(["tl"], site=site), factories.user(["spv"], site=site)
    qmr = factories.user(["qmr"], site=site, full_name="Suyanti", position="QMR")
    witness = factories.user(["dc"], site=site, full_name="Andika Ardiansah", position="Document Controller")
    signed = {"witness_id": witness.id, "witness_password": TEST_PASSWORD}
    with app.test_request_context():
        online_form()
        old = approved_record(tl, spv, period=date(2023, 6, 5))
        recent = approved_record(tl, spv, period=date(2026, 11, 2))
        db.session.commit()
        old_id, recent_id, old_hash = old.id, recent.id, old.content_hash
    client.login(qmr.username)
    page = client.get("/records/disposal").get_data(as_text=True)
    assert f'id="pick-{old_id}"' in page and f'id="pick-{recent_id}"' not in page  # only what is past retention
    assert "Andika Ardiansah — Document Controller</option>" in page and "Suyanti — QMR</option>" not in page  # not one's own witness
    refused = client.post_form("/records/disposal", {"record_ids": [old_id], "method": "Hapus permanen", "password": "salah", **signed})
    assert refused.status_code == 422 and 'id="password-err"' in refused.get_data(as_text=True)
    assert f'value="{old_id}" id="pick-{old_id}" checked' in refused.get_data(as_text=True)  # the choice is kept
    forged = client.post_form("/records/disposal", {"record_ids": [recent_id], "method": "Hapus", "password": TEST_PASSWORD, **signed})
    assert forged.status_code == 422  # a record not in the queue is never disposed of
    db.session.expire_all()
    assert db.session.get(Record, recent_id).status != DISPOSED
    no_witness = client.post_form("/records/disposal", {"record_ids": [old_id], "method": "Hapus permanen",
                                                        "password": TEST_PASSWORD, "witness_id": witness.id,
                                                        "witness_password": "salah"})
    assert no_witness.status_code == 422 and 'id="witness_password-err"' in no_witness.get_data(as_text=True)
    done = client.post_form("/records/disposal", {"record_ids": [old_id], "method": "Hapus permanen", "password": TEST_PASSWORD,
                                                  **signed})
    assert done.status_code == 303
    db.session.expire_all()
    record = db.session.get(Record, old_id)
    assert record.status == DISPOSED and record.data == {}
    stub = client.get(f"/records/{old_id}").get_data(as_text=True)
    assert "DIMUSNAHKAN" in stub and client.get(f"/records/{old_id}.pdf").status_code == 410
    pdf = client.get(done.headers["Location"] + ".pdf")
    text = pdf_text(pdf.data)
    assert "BERITA ACARA PEMUSNAHAN REKAMAN" in text and record.number in text and old_hash[:16] in text
    assert "Suyanti" in text and "Hapus permanen" in text
    # The witness signs beside the QMR; dates in Indonesian, the site by its name, the column header whole.
    assert "Andika Ardiansah" in text and "Saksi" in text and "Menyaksikan pemusnahan" in text
    assert "05 Juni 2023" in text and "sampai 06 Juni" in " ".join(text.split())
    assert site.name in text and "Lokasi" in text and "Lokas\n" not in text
    assert "2023-06-05" not in text
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Andika Ardiansah" in page and "05 Juni 2023" in page and site.name in page


def test_contracts_page_validates_and_keeps_input(app, client, factories):
    dc = factories.user(["dc"])
    client.login(dc.username)
    bad = client.post_form("/records/contracts", {"name": "PKS Telkom", "starts_on": "2026-01-01", "ends_on": "2025-01-01"})
    assert bad.status_code == 422 and 'value="PKS Telkom"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(Contract.id)) is None
    assert client.post_form("/records/contracts", {"name": "PKS Telkom", "starts_on": "2024-01-01", "ends_on": "2027-12-31"}).status_code == 303
    assert "PKS Telkom" in client.get("/records/contracts").get_data(as_text=True)


def test_document_controller_edits_the_field_schema_of_a_form_revision(app, client, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        online_form()
        doc = documents.get_document("IN.OCC.TELK.F-04")
        documents.new_draft(doc, dc)
        db.session.commit()
    client.login(dc.username)
    url = "/documents/IN.OCC.TELK.F-04/rev/01/edit"
    page = client.get(url).get_data(as_text=True)
    assert "layanan_line | Layanan | choice: 147, 108, Social Media TelkomCare | required" in page
    typed = "# Baru\nshift | Shift | choice: Pagi\nnote | Catatan | longtext"
    refused = client.post_form(url, {"effective_date": "2026-12-01", "change_description": "Isian baru", "form_schema": typed})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Baris 2" in body and "Pagi</textarea>" not in body and "choice: Pagi" in body
    fixed = typed.replace("choice: Pagi", "choice: Pagi, Malam")
    assert client.post_form(url, {"effective_date": "2026-12-01", "change_description": "Isian baru", "form_schema": fixed}).status_code == 303
    db.session.expire_all()
    rev = next(r for r in documents.get_document("IN.OCC.TELK.F-04").revisions if r.number == "01")
    assert [f["key"] for s in rev.meta["form_schema"]["sections"] for f in s["fields"]] == ["shift", "note"]
