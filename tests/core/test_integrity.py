"""Signed content changed directly in the database is noticed by the page, the PDF, /verify and `flask audit verify`."""
from __future__ import annotations

import json

from sqlalchemy import func, select, update

from portal.core.audit import AuditEvent
from portal.documents.models import Revision
from portal.extensions import db
from portal.records.models import Record
from tests.conftest import TEST_PASSWORD
from tests.documents_factories import effective_document
from tests.printing.test_document_pdf import pdf_text
from tests.records.test_views import people  # noqa: F401 (fixture)
from tests.records_factories import approved_record


def _mismatches() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "integrity.mismatch"))


def test_a_revision_changed_behind_the_portal_is_flagged_everywhere(app, client, make_client, factories):
    agent, qmr = factories.user(["agent"]), factories.user(["qmr"])
    dc, spv = factories.user(["dc"]), factories.user(["spv"])
    with app.test_request_context():
        from portal.core.i18n import local_today
        from portal.documents import services

        doc = effective_document(code="IN.OCC.TELK.P-37")
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": local_today(), "change_description": "Rev baru",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "Klausul 9.1 diperbarui"}]})
        services.submit(rev, dc, TEST_PASSWORD)
        services.check(rev, spv, TEST_PASSWORD)
        services.approve(rev, qmr, TEST_PASSWORD)
        db.session.commit()
        assert doc.current is rev
        rev_id = rev.id
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    # (the command's rollback undoes, in this test's joined transaction, what the test client did before it)
    client.login(agent.username)
    token = client.get("/documents/IN.OCC.TELK.P-37.pdf").headers["X-Printout-Token"]
    assert 'data-testid="integrity-warning"' not in client.get("/documents/IN.OCC.TELK.P-37").get_data(as_text=True)

    # The attack: the text is rewritten with SQL, the stored hash column left as it was.
    sections = [{"number": "1", "title": "Rujukan", "body": "Teks yang diubah langsung di basis data."}]
    db.session.execute(update(Revision).where(Revision.id == rev_id).values(sections_json=json.dumps(sections)))
    db.session.commit()
    db.session.expire_all()

    page = client.get("/documents/IN.OCC.TELK.P-37").get_data(as_text=True)
    assert 'data-testid="integrity-warning"' in page and "berbeda dari yang ditandatangani" in page
    assert "berbeda dari yang ditandatangani" in pdf_text(client.get("/documents/IN.OCC.TELK.P-37.pdf").data)
    response = make_client().get(f"/verify/{token}")
    verdict = response.get_data(as_text=True)
    assert response.status_code == 200, verdict[-2000:]
    assert 'data-valid="no"' in verdict and "berbeda dari yang ditandatangani" in verdict
    assert _mismatches() == 1  # recorded once, however often it is seen
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "IN.OCC.TELK.P-37" in result.output
    boss = make_client()
    boss.login(qmr.username)
    assert "diubah di luar portal" in boss.get("/").get_data(as_text=True)


def test_a_record_changed_behind_the_portal_is_flagged_everywhere(app, client, make_client, people):  # noqa: F811
    tl, spv = people["tl"], people["spv"]
    with app.test_request_context():
        record = approved_record(tl, spv)
        db.session.commit()
        record_id = record.id
    client.login(spv.username)
    token = client.get(f"/records/{record_id}.pdf").headers["X-Printout-Token"]
    db.session.execute(update(Record).where(Record.id == record_id).values(data_json=json.dumps({"rekomendasi": "diubah"})))
    db.session.commit()
    db.session.expire_all()
    page = client.get(f"/records/{record_id}").get_data(as_text=True)
    assert 'data-testid="integrity-warning"' in page
    verdict = make_client().get(f"/verify/{token}").get_data(as_text=True)
    assert 'data-valid="no"' in verdict and "berbeda dari yang ditandatangani" in verdict
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "record R-" in result.output
