"""Codes with "/" (SOP/CC/001, QP/OPS/12/2023): the code rule takes them and every page that takes a code reaches
them — the document, its revisions, PDFs, original, copies, reading, drafts, records, the API, the audit trail."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.documents import services
from portal.documents.models import DRAFT, ControlledCopy
from portal.extensions import db
from tests.documents_factories import effective_document
from tests.printing.test_document_pdf import pdf_text

CODE = "QP/OPS/12/2023"


def test_the_code_rule_takes_slashes_and_refuses_addresses_of_other_pages(app):
    with app.test_request_context():
        for good in ("SOP/CC/001", CODE, "QP-7.5(01)", "IN.OCC.TELK.P-10", "a/b"):
            assert services.code_problem(good) is None, good
        for bad in ("SOP//CC", "/SOP", "SOP/", "SOP/-X", "A", "SOP CC", "x" * 81, "SOP/CC?", "SOP\\CC"):
            assert services.code_problem(bad), bad
        # Addresses that would open another page of the portal (the import pages, a revision, the copies task list).
        for clash in ("import/3", "SOP/rev/01", "copies/withdrawals", "SOP/CC/copies"):
            assert services.code_problem(clash), clash
        with pytest.raises(ServiceError) as refused:
            services.register_document({"code": "import/3", "title": "Bentrok", "doc_type": "P"})
        assert refused.value.field == "code"
        doc = services.register_document({"code": "SOP/CC/001", "title": "Penanganan Keluhan", "doc_type": "P"})
        assert doc.code == "SOP/CC/001" and services.get_document("sop/cc/001") is doc


def test_every_page_of_a_document_reaches_a_slashed_code(app, client, make_client, factories):
    dc = factories.user(["dc"], full_name="Andika Ardiansah")
    site = factories.site(name="Malang")
    with app.test_request_context():
        doc = effective_document(code=CODE, title="Kebijakan Operasional", with_file=True, doc_type="P")
        assert doc.code == CODE
        db.session.commit()
    client.login(dc.username)
    base = f"/documents/{CODE}"
    page = client.get(base)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kebijakan Operasional" in html
    links = set(re.findall(r'href="(/documents/QP/OPS/12/2023[^"]*)"', html))
    assert {f"{base}/rev/00", f"{base}/rev/00.pdf", f"{base}/copies", f"{base}/settings", f"{base}/review"} <= links
    for link in sorted(links):  # every link the page builds for the code opens
        assert client.get(link).status_code == 200, link
    assert client.get(f"{base}/rev/00").status_code == 200
    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200 and CODE in pdf_text(pdf.data)
    assert "QP-OPS-12-2023.Rev.00.pdf" in pdf.headers["Content-Disposition"]
    assert "/" not in pdf.headers["Content-Disposition"].split("filename", 1)[1]
    assert client.get(f"{base}/rev/00.pdf").status_code == 200
    original = client.get(f"{base}/rev/00/original")
    assert original.status_code == 200 and original.data.startswith(b"%PDF")
    assert client.get(f"{base}/settings").status_code == 200
    assert client.get(f"{base}/reading").status_code == 200
    xlsx = client.get(f"{base}/reading.xlsx")
    assert xlsx.status_code == 200 and "QP-OPS-12-2023-rev00" in xlsx.headers["Content-Disposition"]
    # Controlled copies: issued, printed.
    assert client.get(f"{base}/copies").status_code == 200
    assert client.post_form(f"{base}/copies", {"site_id": site.id, "holder": "Supervisor 147 Malang"}).status_code == 303
    copy = db.session.scalar(select(ControlledCopy))
    printed = client.get(f"{base}/copies/{copy.id}.pdf")
    assert printed.status_code == 200 and "SALINAN TERKENDALI No. 1" in pdf_text(printed.data)
    # A new draft, its editor and an autosave.
    drafted = client.post_form(f"{base}/drafts", token_from=base)
    assert drafted.status_code == 303 and drafted.headers["Location"].endswith(f"{base}/rev/01/edit")
    assert client.get(f"{base}/rev/01/edit").status_code == 200
    with app.app_context():
        assert [r.status for r in services.get_document(CODE).revisions] == ["effective", DRAFT]
    assert client.get(f"{base}/diff/00/01").status_code == 200
    # The JSON API and the audit trail's links.
    api = client.get(f"/api/documents/{CODE}")
    assert api.status_code == 200 and api.get_json()["code"] == CODE
    assert client.get("/api/documents/QP/OPS/12/2099").status_code == 404
    auditor = make_client()
    auditor.login(factories.user(["auditor"]).username)
    trail = auditor.get("/audit/").get_data(as_text=True)
    assert f'href="{base}"' in trail and f'href="{base}/rev/01"' in trail
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "copy.issued")) is not None
    # An unknown slashed code is a plain 404, never another page.
    assert client.get("/documents/QP/OPS/12/2099").status_code == 404


def test_a_form_with_a_slashed_code_opens_as_a_new_record(app, client, factories):
    from tests.records_factories import online_form

    tl = factories.user(["tl"])
    with app.test_request_context():
        online_form(code="F/CC/03", retention=None, effective=date(2026, 1, 5), doc_type="F")
        db.session.commit()
    client.login(tl.username)
    page = client.get("/records/new/F/CC/03")
    assert page.status_code == 200 and "F/CC/03" in page.get_data(as_text=True)
