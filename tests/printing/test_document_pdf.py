"""Document revisions as paper: the PDF text, the printout register, the QR short link and /verify."""
from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.documents import services
from portal.documents.models import APPROVED
from portal.extensions import db
from portal.printing.models import Printout
from tests.documents_factories import effective_document


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext reads it (poppler-utils), pages separated by form feeds."""
    assert data.startswith(b"%PDF-"), data[:40]
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def _doc(app, **kw):
    with app.test_request_context():
        doc = effective_document(**kw)
        db.session.commit()
        return doc.code


def _new_revision(code: str, author, effective: date):
    doc = services.get_document(code)
    rev = services.new_draft(doc, author)
    services.save_draft(rev, {"effective_date": effective, "change_description": "Revisi berikutnya",
                              "sections": doc.current.sections, "records": []})
    rev.status = APPROVED
    services.make_effective(rev)
    db.session.commit()
    return rev


def test_current_revision_prints_like_the_paper_and_is_registered(app, client, factories):
    agent = factories.user(["agent"], full_name="Rina Marlina")
    code = _doc(app)
    client.login(agent.username)
    response = client.get(f"/documents/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert code in text and "Real Time Management" in text
    assert re.search(r"Revisi\s+00", text)
    assert "05 Juni 2017" in text
    assert "Hal. 1 dari 1" in text
    assert "SALINAN TIDAK TERKENDALI" in text and "Dicetak dari Portal Mutu" in text
    assert "Memastikan KPI / SLA / SLG" in text  # the body
    assert "IN.OCC.TELK.F-04" in text and "2 Tahun" in text  # the records table
    token = response.headers["X-Printout-Token"]
    assert f"/verify/{token}" in text  # the short link under the QR code
    printout = db.session.scalar(select(Printout).where(Printout.token == token))
    assert (printout.document_code, printout.revision_number, printout.printed_by_id) == (code, "00", agent.id)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "document.printed")) == 1


def test_signature_block_prints_names_positions_dates_and_meaning(app, client, factories):
    from tests.conftest import TEST_PASSWORD

    dc = factories.user(["dc"], full_name="Dewi Kartika", position="Document Controller")
    spv = factories.user(["spv"], full_name="Bambang Sutrisno", position="Supervisor Inbound")
    qmr = factories.user(["qmr"], full_name="Agus Hidayat", position="QMR")
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-77", "title": "Prosedur Uji"})
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date(2026, 1, 5), "change_description": "Dokumen baru",
                                  "sections": [{"number": "1", "title": "Tujuan", "body": "Menguji tanda tangan."}],
                                  "records": []})
        services.submit(rev, dc, TEST_PASSWORD)
        services.check(rev, spv, TEST_PASSWORD)
        services.approve(rev, qmr, TEST_PASSWORD, today=date(2026, 1, 5))
        db.session.commit()
    client.login(dc.username)
    text = pdf_text(client.get("/documents/IN.OCC.TELK.P-77/rev/00.pdf").data)
    for expected in ("Dibuat oleh", "Diperiksa oleh", "Disetujui oleh", "Dewi Kartika", "Document Controller",
                     "Bambang Sutrisno", "Supervisor Inbound", "Agus Hidayat", "Tanda tangan elektronik"):
        assert expected in text, expected


def test_pdf_addresses_win_over_the_document_page_and_drafts_do_not_print(app, client, factories):
    dc = factories.user(["dc"])
    code = _doc(app)
    client.login(dc.username)
    assert client.get(f"/documents/{code.lower()}.pdf").status_code == 200  # case-insensitive, like the page
    assert client.get(f"/documents/{code}/rev/00.pdf").mimetype == "application/pdf"
    with app.test_request_context():
        services.new_draft(services.get_document(code), dc)
        db.session.commit()
    assert client.get(f"/documents/{code}/rev/01.pdf").status_code == 404  # a draft never circulates on paper
    assert client.get(f"/documents/{code}/rev/07.pdf").status_code == 404
    assert client.get("/documents/NOPE-1.pdf").status_code == 404
    client.logout()
    assert client.get(f"/documents/{code}.pdf").status_code in (302, 303)  # anonymous: to the login page


def test_verify_page_tells_current_superseded_and_withdrawn(app, client, make_client, factories):
    agent = factories.user(["agent"])
    code = _doc(app)
    client.login(agent.username)
    token = client.get(f"/documents/{code}.pdf").headers["X-Printout-Token"]
    anonymous = make_client()  # a phone scanning the QR code: no session
    page = anonymous.get(f"/verify/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-valid="yes"' in html and "revisi yang berlaku" in html.lower() and f"{code} Rev. 00" in html

    with app.test_request_context():
        _new_revision(code, agent, date(2026, 2, 1))
    html = anonymous.get(f"/verify/{token}").get_data(as_text=True)
    assert 'data-valid="no"' in html and "revisi 01" in html.lower()

    token01 = client.get(f"/documents/{code}.pdf").headers["X-Printout-Token"]
    assert 'data-valid="yes"' in anonymous.get(f"/verify/{token01}").get_data(as_text=True)
    with app.test_request_context():
        services.withdraw(services.get_document(code), "Tidak dipakai lagi")
        db.session.commit()
    html = anonymous.get(f"/verify/{token01}").get_data(as_text=True)
    assert 'data-valid="no"' in html and "ditarik" in html.lower()


@pytest.mark.parametrize("token", ["nope", "x" * 200, "a/b"])
def test_verify_unknown_token_is_404(client, token):
    assert client.get(f"/verify/{token}").status_code == 404


def test_every_page_of_a_superseded_revision_says_so(app, client, factories):
    """Pages 2 onwards of a superseded printout carry "DIGANTIKAN — TIDAK BERLAKU" too, not only page 1."""
    dc, agent = factories.user(["dc"]), factories.user(["agent"])
    long_body = " ".join(["Desk control memantau antrian dan mencatat temuan setiap interval."] * 60)
    code = _doc(app, number_sections=[{"number": str(n), "title": f"Bagian {n}", "body": long_body} for n in range(1, 7)])
    with app.test_request_context():
        _new_revision(code, dc, date.today())
    client.login(agent.username)
    text = pdf_text(client.get(f"/documents/{code}/rev/00.pdf").data)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    assert all("DIGANTIKAN" in page for page in pages), [("DIGANTIKAN" in p) for p in pages]
