"""Controlled copies: numbered issue, the controlled stamp with its holder, withdrawal when superseded, return."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.core.service import ServiceError
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.documents import copies
from portal.documents.models import ControlledCopy
from tests.documents_factories import effective_document
from tests.printing.test_document_pdf import _new_revision, pdf_text


def test_copies_are_numbered_printed_withdrawn_and_returned(app, client, make_client, factories):
    dc = factories.user(["dc"], full_name="Andika Ardiansah")
    site = factories.site(name="Malang")
    client.login(dc.username)
    with app.test_request_context():
        code = effective_document().code
        db.session.commit()
    page = client.get(f"/documents/{code}/copies")
    assert page.status_code == 200 and 'data-testid="issue-copy"' in page.get_data(as_text=True)
    refused = client.post_form(f"/documents/{code}/copies", {"site_id": site.id, "holder": "  "})
    assert refused.status_code == 422 and 'id="holder-err"' in refused.get_data(as_text=True)
    for holder in ("Supervisor 147 Malang", "Team Leader 147 Malang"):
        assert client.post_form(f"/documents/{code}/copies", {"site_id": site.id, "holder": holder}).status_code == 303
    rows = db.session.scalars(select(ControlledCopy).order_by(ControlledCopy.number)).all()
    assert [(c.number, c.holder, c.status) for c in rows] == [(1, "Supervisor 147 Malang", "issued"), (2, "Team Leader 147 Malang", "issued")]

    response = client.get(f"/documents/{code}/copies/{rows[1].id}.pdf")
    text = pdf_text(response.data)
    assert "SALINAN TERKENDALI No. 2" in text and "Team Leader 147 Malang" in text and "TIDAK TERKENDALI" not in text
    token = response.headers["X-Printout-Token"]
    phone = make_client()
    assert 'data-valid="yes"' in phone.get(f"/verify/{token}").get_data(as_text=True)

    with app.test_request_context():
        _new_revision(code, dc, date(2026, 2, 1))  # revision 01 in force: the copies of 00 must come back
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(ControlledCopy))} == {"withdrawal_due"}
    assert 'data-valid="no"' in phone.get(f"/verify/{token}").get_data(as_text=True)
    assert client.get(f"/documents/{code}/copies/{rows[1].id}.pdf").status_code == 404  # a withdrawn copy does not print again
    tasks = client.get("/documents/copies/withdrawals").get_data(as_text=True)
    assert "Supervisor 147 Malang" in tasks
    assert client.post_form(f"/documents/copies/{rows[0].id}/returned", {"note": "Diterima DC"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ControlledCopy, rows[0].id).status == "returned"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("copy.%"))).all()
    assert actions.count("copy.issued") == 2 and actions.count("copy.withdrawal_due") == 2 and actions.count("copy.returned") == 1


def test_uncontrolled_print_is_one_shared_stamped_copy_and_each_download_is_audited(app, client, factories):
    """The uncontrolled PDF of a revision is rendered once and shared (printing/cache.py): its stamp names the
    portal and the time it was prepared; who downloaded it is in the audit trail."""
    agent = factories.user(["agent"], full_name="Rina Marlina")
    with app.test_request_context():
        code = effective_document().code
        db.session.commit()
    client.login(agent.username)
    response = client.get(f"/documents/{code}.pdf")
    text = pdf_text(response.data)
    assert "SALINAN TIDAK TERKENDALI" in text and "Dicetak dari Portal Mutu pada" in text
    served = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "printout.served")).all()
    assert [e.actor_id for e in served] == [agent.id]
    assert client.get(f"/documents/{code}/copies").status_code == 403


def test_copies_need_a_revision_in_force_and_a_site(app, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = effective_document()
        with pytest.raises(ServiceError) as no_site:
            copies.issue(doc.current, None, "SPV", dc)
        assert no_site.value.field == "site_id"
        from portal.documents import services

        draft = services.new_draft(doc, dc)
        with pytest.raises(ServiceError):
            copies.issue(draft, dc.site_id, "SPV", dc)
