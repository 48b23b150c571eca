"""Document pages through the test client: what each role sees, what it may do, and the 403s."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from portal.documents import services
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.documents_factories import effective_document


def _doc(app, **kw):
    with app.test_request_context():
        doc = effective_document(**kw)
        db.session.commit()
        return doc.code


def test_register_lists_filters_and_searches(app, client, factories):
    agent = factories.user(["agent"])
    _doc(app, code="IN.OCC.TELK.P-10")
    _doc(app, code="IN.QCC.TELK.S-01", title="Parameter Penilaian 108",
         number_sections=[{"number": "1", "title": "Parameter", "body": "Salam pembuka dan verifikasi pelanggan."}])
    client.login(agent.username)
    html = client.get("/documents/").get_data(as_text=True)
    assert "IN.OCC.TELK.P-10" in html and "IN.QCC.TELK.S-01" in html
    assert "IN.QCC.TELK.S-01" not in client.get("/documents/?type=P").get_data(as_text=True)
    assert "IN.OCC.TELK.P-10" not in client.get("/documents/?unit=QCC").get_data(as_text=True)
    found = client.get("/documents/?text=verifikasi", headers={"HX-Request": "true", "HX-Target": "document-results"})
    body = found.get_data(as_text=True)
    assert "IN.QCC.TELK.S-01" in body and "IN.OCC.TELK.P-10" not in body and "<mark>" in body and "<form" not in body
    assert "IN.OCC.TELK.P-10" in client.get("/documents/?q=p-10").get_data(as_text=True)


def test_a_register_row_shows_the_revision_in_force_its_date_type_and_status(app, client, factories):
    """The rows are written in Python (documents.views._register_rows): each column as the template wrote it,
    the text escaped."""
    agent = factories.user(["agent"])
    _doc(app, code="IN.OCC.TELK.P-31", title="Penanganan <Keluhan> & Eskalasi", effective=date(2026, 3, 5))
    client.login(agent.username)
    html = client.get("/documents/?q=P-31").get_data(as_text=True)
    row = html[html.index('<tr><td data-label="Kode">'):]
    row = row[:row.index("</tr>")]
    assert '<a href="/documents/IN.OCC.TELK.P-31"><strong>IN.OCC.TELK.P-31</strong></a>' in row
    assert "Penanganan &lt;Keluhan&gt; &amp; Eskalasi" in row
    assert '<td data-label="Jenis">Prosedur (SOP)</td>' in row
    assert '<td data-label="Berlaku">05 Maret 2026</td>' in row
    assert '<span class="badge badge-ok">Berlaku</span>' in row
    assert "Tidak ada dokumen" in client.get("/documents/?q=ZZZ-NONE").get_data(as_text=True)


def test_the_register_filter_lists_a_service_and_a_site_added_after_it_was_shown(app, client, factories):
    """The filter's units, services and sites are kept until the documents area changes (fragments.memo): a
    service or site added, even outside the portal, is offered on the next page, cached or not."""
    from sqlalchemy import text

    agent = factories.user(["agent"])
    _doc(app, code="IN.OCC.TELK.P-10")
    client.login(agent.username)
    assert "Layanan Pajak Baru" not in client.get("/documents/").get_data(as_text=True)
    assert "Layanan Pajak Baru" not in client.get("/documents/?v=1").get_data(as_text=True)
    factories.service(name="Layanan Pajak Baru")
    db.session.commit()
    assert "Layanan Pajak Baru" in client.get("/documents/?v=2").get_data(as_text=True)
    assert "Layanan Pajak Baru" in client.get("/documents/").get_data(as_text=True)
    db.session.execute(text("UPDATE site SET name = 'Gedung Uji Ganti Nama' WHERE id = (SELECT min(id) FROM site)"))
    db.session.commit()
    assert "Gedung Uji Ganti Nama" in client.get("/documents/?v=3").get_data(as_text=True)


def test_document_page_shows_the_paper_header_sections_and_records(app, client, factories):
    agent = factories.user(["agent"])
    code = _doc(app, code="IN.OCC.TELK.P-10", with_file=True)
    client.login(agent.username)
    html = client.get(f"/documents/{code}").get_data(as_text=True)
    for expected in ["IN.OCC.TELK.P-10", "05 Juni 2017", 'id="section-1"', "Rujukan", "IN.OCC.TELK.F-04", "2 Tahun",
                     "Dibuat oleh", "Disetujui oleh"]:
        assert expected in html, expected
    assert client.get(f"/documents/{code.lower()}").status_code == 301
    original = client.get(f"/documents/{code}/rev/00/original")
    assert original.status_code == 200 and original.data.startswith(b"%PDF")
    assert client.get("/documents/NO.SUCH.CODE").status_code == 404


def test_superseded_revision_carries_a_banner_to_the_current_one(app, client, factories):
    agent = factories.user(["agent"])
    dc, spv, qmr = factories.user(["dc"]), factories.user(["spv"]), factories.user(["qmr"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-10")
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date.today(), "change_description": "Rev baru",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "Klausul 9.1 ISO 9001:2015 diperbarui"}]})
        services.submit(rev, dc, TEST_PASSWORD)
        services.check(rev, spv, TEST_PASSWORD)
        services.approve(rev, qmr, TEST_PASSWORD)
        db.session.commit()
    client.login(agent.username)
    old = client.get("/documents/IN.OCC.TELK.P-10/rev/00").get_data(as_text=True)
    assert 'data-testid="superseded-banner"' in old and 'href="/documents/IN.OCC.TELK.P-10"' in old
    current = client.get("/documents/IN.OCC.TELK.P-10").get_data(as_text=True)
    assert 'data-testid="superseded-banner"' not in current
    diff = client.get("/documents/IN.OCC.TELK.P-10/diff/00/01").get_data(as_text=True)
    assert "<ins>diperbarui</ins>" in diff


def test_drafts_are_hidden_from_readers(app, client, factories):
    agent = factories.user(["agent"])
    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-10")
        services.new_draft(doc, dc)
        db.session.commit()
    client.login(agent.username)
    assert client.get("/documents/IN.OCC.TELK.P-10/rev/01").status_code == 403
    page = client.get("/documents/IN.OCC.TELK.P-10").get_data(as_text=True)
    assert "rev/01" not in page


def test_acknowledge_button_only_for_readers_and_once(app, client, make_client, factories):
    svc = factories.service(code="147")
    reader = factories.user(["agent"], services=[svc])
    other = factories.user(["agent"])
    with app.test_request_context():
        doc = effective_document(services_=[svc])
        db.session.commit()
        code = doc.code
    client.login(reader.username)
    home = client.get("/").get_data(as_text=True)
    assert "1 dokumen perlu dibaca" in home and "/documents/to-read" in home  # one line on the home page...
    assert f"/documents/{code}" in client.get("/documents/to-read").get_data(as_text=True)  # ...its own page lists it
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    assert 'data-testid="acknowledge-button"' in page
    assert client.post_form(f"/documents/{code}/acknowledge").status_code == 303
    assert 'data-testid="acknowledge-button"' not in client.get(f"/documents/{code}").get_data(as_text=True)
    assert "perlu dibaca" not in client.get("/").get_data(as_text=True)
    assert f"/documents/{code}" not in client.get("/documents/to-read").get_data(as_text=True)
    second = make_client()
    second.login(other.username)
    assert 'data-testid="acknowledge-button"' not in second.get(f"/documents/{code}").get_data(as_text=True)


def test_workflow_through_the_pages(app, client, make_client, factories):
    dc = factories.user(["dc"], position="Document Controller")
    spv = factories.user(["spv"], position="Supervisor")
    qmr = factories.user(["qmr"], position="QMR")
    code = _doc(app, code="IN.OCC.TELK.P-10")
    c_dc, c_spv, c_qmr = client, make_client(), make_client()
    c_dc.login(dc.username)
    page = c_dc.get(f"/documents/{code}").get_data(as_text=True)
    assert 'data-testid="new-revision"' in page
    assert c_dc.post_form(f"/documents/{code}/drafts").status_code == 303
    form = {"effective_date": date.today().isoformat(), "change_description": "Langkah 9 diperjelas",
            "section_number": ["1", "2"], "section_title": ["Rujukan", "Tujuan"], "section_body": ["Klausul 9.1", "Memastikan KPI"],
            "record_code": ["IN.OCC.TELK.F-04", ""], "record_name": ["Real Monitoring", ""], "record_retention": ["2 Tahun", ""],
            "record_owner": ["TL", ""]}
    saved = c_dc.post_form(f"/documents/{code}/rev/01/edit", form, token_from=f"/documents/{code}/rev/01/edit")
    assert saved.status_code == 303
    bad = c_dc.post_form(f"/documents/{code}/rev/01/submit", {"password": "wrong-password"}, token_from=f"/documents/{code}/rev/01/edit")
    assert bad.status_code == 422 and 'id="password-err"' in bad.get_data(as_text=True)
    assert c_dc.post_form(f"/documents/{code}/rev/01/submit", {"password": TEST_PASSWORD},
                          token_from=f"/documents/{code}/rev/01/edit").status_code == 303
    c_spv.login(spv.username)
    page = c_spv.get(f"/documents/{code}/rev/01").get_data(as_text=True)
    assert 'data-testid="check"' in page and 'data-testid="approve"' not in page
    assert c_spv.post_form(f"/documents/{code}/rev/01/approve", {"password": TEST_PASSWORD},
                           token_from=f"/documents/{code}/rev/01").status_code == 403
    assert c_spv.post_form(f"/documents/{code}/rev/01/check", {"password": TEST_PASSWORD},
                           token_from=f"/documents/{code}/rev/01").status_code == 303
    c_qmr.login(qmr.username)
    assert 'data-testid="approve"' in c_qmr.get(f"/documents/{code}/rev/01").get_data(as_text=True)
    assert c_qmr.post_form(f"/documents/{code}/rev/01/approve", {"password": TEST_PASSWORD},
                           token_from=f"/documents/{code}/rev/01").status_code == 303
    db.session.expire_all()
    doc = services.get_document(code)
    assert doc.current.number == "01" and doc.current.records[0].retention == "2 Tahun"


def test_invalid_draft_keeps_input(app, client, factories):
    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-44", "title": "Baru"})
        services.new_draft(doc, dc)
        db.session.commit()
    client.login(dc.username)
    response = client.post_form("/documents/IN.OCC.TELK.P-44/rev/00/edit",
                                {"effective_date": "31-02-2026", "change_description": "Isian saya", "section_number": ["1"],
                                 "section_title": ["Rujukan"], "section_body": ["Teks yang saya ketik"],
                                 "record_code": ["F-1"], "record_name": [""], "record_retention": ["2 Tahun"], "record_owner": [""]},
                                token_from="/documents/IN.OCC.TELK.P-44/rev/00/edit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Teks yang saya ketik" in html and "Isian saya" in html and 'id="effective_date-err"' in html


def test_new_document_form(app, client, factories):
    dc = factories.user(["dc"])
    client.login(dc.username)
    bad = client.post_form("/documents/new", {"code": "", "title": "", "review_interval_months": "0"}, token_from="/documents/new")
    assert bad.status_code == 422 and 'id="code-err"' in bad.get_data(as_text=True)
    ok = client.post_form("/documents/new", {"code": "IN.OCC.TELK.W-04", "title": "Real Time Management", "review_interval_months": "24"},
                          token_from="/documents/new")
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/documents/IN.OCC.TELK.W-04/rev/00/edit")
    doc = services.get_document("IN.OCC.TELK.W-04")
    assert doc.doc_type == "W" and doc.unit == "OCC"


def test_buttons_hidden_for_readers(app, client, factories):
    agent = factories.user(["agent"])
    code = _doc(app)
    client.login(agent.username)
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    for hidden in ['data-testid="new-revision"', "/withdraw", "/reading", 'data-testid="check"', "/settings"]:
        assert hidden not in page, hidden
    assert "Propose a change" in page or "Usulkan perubahan" in page
    register = client.get("/documents/").get_data(as_text=True)
    assert 'data-testid="new-document"' not in register
    assert client.get("/documents/new").status_code == 403
    assert client.get(f"/documents/{code}/reading").status_code == 403


def test_change_request_round_trip(app, client, make_client, factories):
    agent = factories.user(["agent"])
    dc = factories.user(["dc"])
    code = _doc(app)
    client.login(agent.username)
    empty = client.post_form(f"/documents/{code}/change-requests/new", {"proposal": "", "reason": ""})
    assert empty.status_code == 422
    assert client.post_form(f"/documents/{code}/change-requests/new", {"proposal": "Tambah eskalasi", "reason": "Keluhan"}).status_code == 303
    c_dc = make_client()
    c_dc.login(dc.username)
    queue = c_dc.get("/documents/change-requests").get_data(as_text=True)
    assert "Tambah eskalasi" in queue
    from portal.documents.models import ChangeRequest

    cr = db.session.scalar(select(ChangeRequest))
    assert c_dc.post_form(f"/documents/change-requests/{cr.id}/reject", {"reason": "Sudah diatur di IK"},
                          token_from="/documents/change-requests").status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "/documents/my-requests" in home
    mine = client.get("/documents/my-requests").get_data(as_text=True)
    assert "Sudah diatur di IK" in mine
    assert "/documents/my-requests" not in client.get("/").get_data(as_text=True)


def test_reading_report_and_exports(app, client, factories):
    svc = factories.service()
    factories.user(["agent"], services=[svc], full_name="Rina Marlina")
    auditor = factories.user(["auditor"])
    code = _doc(app, services_=[svc])
    client.login(auditor.username)
    html = client.get(f"/documents/{code}/reading").get_data(as_text=True)
    assert "Rina Marlina" in html
    sheet = load_workbook(io.BytesIO(client.get(f"/documents/{code}/reading.xlsx").data)).active
    assert any("Rina Marlina" in [c for c in row if c] for row in sheet.iter_rows(values_only=True))
    master = load_workbook(io.BytesIO(client.get("/documents/master.xlsx").data)).active
    rows = list(master.iter_rows(values_only=True))
    assert rows[1][0] == code and "2 Tahun" in rows[1]
    pdf = client.get("/documents/master.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_api_with_session_and_token(app, client, make_client, factories):
    agent = factories.user(["agent"])
    code = _doc(app, code="IN.OCC.TELK.P-10")
    anonymous = make_client()
    assert anonymous.get("/api/documents").status_code == 401
    assert anonymous.get("/api/openapi.json").get_json()["paths"]["/documents/{code}"]
    client.login(agent.username)
    listing = client.get("/api/documents").get_json()
    assert listing["documents"][0]["code"] == code
    client.logout()
    client.login(factories.user(["auditor"]).username)  # tokens are for those who build reports and tools
    created = client.post_form("/account/tokens", {"name": "dashboard"}, token_from="/account/tokens")
    import re

    raw = re.search(r'data-testid="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)
    tool = make_client()
    data = tool.get("/api/documents/in.occ.telk.p-10", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert data["code"] == "IN.OCC.TELK.P-10" and data["type"] == "P" and data["status"] == "effective"
    cur = data["current_revision"]
    assert cur["number"] == "00" and cur["effective_date"] == "2017-06-05"
    assert cur["records"] == [{"code": "IN.OCC.TELK.F-04", "name": "Real Monitoring Call Handling", "retention": "2 Tahun", "owner": "Team Leader"}]
    assert cur["change_log"] == [{"revision": "00", "effective_date": "2017-06-05", "description": "Dokumen baru"}]
    assert tool.get("/api/documents/NOPE", headers={"Authorization": f"Bearer {raw}"}).status_code == 404
    assert tool.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
    # A token opens the API only, never the HTML pages.
    assert tool.get("/documents/", headers={"Authorization": f"Bearer {raw}"}).status_code == 302
    from portal.auth.models import ApiToken

    token = db.session.scalar(select(ApiToken))
    client.post_form(f"/account/tokens/{token.id}/revoke", {}, token_from="/account/tokens")
    assert tool.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_periodic_review_pages(app, client, factories):
    qmr = factories.user(["qmr"])
    code = _doc(app, effective=date(2019, 1, 1))
    client.login(qmr.username)
    assert code in client.get("/documents/reviews").get_data(as_text=True)
    bad = client.post_form(f"/documents/{code}/review", {"outcome": "revise", "notes": "", "password": TEST_PASSWORD})
    assert bad.status_code == 422
    ok = client.post_form(f"/documents/{code}/review", {"outcome": "no_change", "notes": "Masih sesuai", "password": TEST_PASSWORD})
    assert ok.status_code == 303


def test_withdraw_page(app, client, factories):
    qmr = factories.user(["qmr"])
    code = _doc(app)
    client.login(qmr.username)
    assert client.post_form(f"/documents/{code}/withdraw", {"reason": "Tidak dipakai"}).status_code == 303
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    assert 'data-testid="withdrawn-banner"' in page


def test_signing_error_branches_answer_422_with_the_message_next_to_the_field(app, client, make_client, factories):
    """A wrong or empty password on check or approve, and a return without a reason: 422, never a 500."""
    dc = factories.user(["dc"], position="Document Controller")
    spv = factories.user(["spv"], position="Supervisor")
    qmr = factories.user(["qmr"], position="QMR")
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-33")
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date.today(), "change_description": "Rev baru",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "Klausul 9.1 diperbarui"}]})
        services.submit(rev, dc, TEST_PASSWORD)
        db.session.commit()
        code = doc.code
    client.login(spv.username)
    for password in ("salah-sama-sekali", ""):
        page = client.post_form(f"/documents/{code}/rev/01/check", {"password": password})
        assert page.status_code == 422, password
        assert 'aria-invalid="true"' in page.get_data(as_text=True) or "kata sandi" in page.get_data(as_text=True).lower()
    returned = client.post_form(f"/documents/{code}/rev/01/return", {"reason": ""})
    assert returned.status_code == 422
    assert client.post_form(f"/documents/{code}/rev/01/check", {"password": TEST_PASSWORD}).status_code == 303
    approver = make_client()
    approver.login(qmr.username)
    for password in ("salah-sama-sekali", ""):
        assert approver.post_form(f"/documents/{code}/rev/01/approve", {"password": password}).status_code == 422


def test_the_author_sees_who_returned_a_revision_when_and_why(app, client, make_client, factories):
    dc = factories.user(["dc"], position="Document Controller")
    spv = factories.user(["spv"], full_name="Sukron Azis", position="Supervisor")
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-34")
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date.today(), "change_description": "Rev baru",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "Klausul 9.1 diperbarui"}]})
        services.submit(rev, dc, TEST_PASSWORD)
        db.session.commit()
    checker = make_client()
    checker.login(spv.username)
    reason = "Langkah 9 belum menyebut batas waktu eskalasi."
    assert checker.post_form("/documents/IN.OCC.TELK.P-34/rev/01/return", {"reason": reason}).status_code == 303
    client.login(dc.username)
    home = client.get("/").get_data(as_text=True)
    assert "Dikembalikan: IN.OCC.TELK.P-34 rev 01 oleh Sukron Azis" in home and reason in home
    for path in ("/documents/IN.OCC.TELK.P-34/rev/01/edit", "/documents/IN.OCC.TELK.P-34/rev/01"):
        page = client.get(path).get_data(as_text=True)
        assert 'data-testid="returned-note"' in page and "Dikembalikan oleh Sukron Azis" in page and reason in page, path
    with app.test_request_context():
        rev = services.get_document("IN.OCC.TELK.P-34").revisions[-1]
        services.submit(rev, db.session.get(type(dc), dc.id), TEST_PASSWORD)
        db.session.commit()
    assert "Dikembalikan:" not in client.get("/").get_data(as_text=True)  # answered by submitting again


def test_the_references_sidebar_follows_the_revision_shown(app, client, factories):
    """After the clause text of "Rujukan" is corrected in a new revision, the sidebar shows the corrected text."""
    agent, dc, spv, qmr = factories.user(["agent"]), factories.user(["dc"]), factories.user(["spv"]), factories.user(["qmr"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-35", number_sections=[
            {"number": "1", "title": "Rujukan", "body": "1.1. Klausul 9.1 ISO 9001:2008 Pemantauan"},
            {"number": "2", "title": "Tujuan", "body": "Memastikan KPI tercapai."}])
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date.today(), "change_description": "Klausul diperbaiki",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "1.1. Klausul 9.1 ISO 9001:2015 Pemantauan"},
                                               {"number": "2", "title": "Tujuan", "body": "Memastikan KPI tercapai."}]})
        services.submit(rev, dc, TEST_PASSWORD)
        services.check(rev, spv, TEST_PASSWORD)
        services.approve(rev, qmr, TEST_PASSWORD)
        db.session.commit()
    client.login(agent.username)
    page = client.get("/documents/IN.OCC.TELK.P-35").get_data(as_text=True)
    sidebar = page[page.index("<h2>Rujukan</h2>"):] if "<h2>Rujukan</h2>" in page else page
    assert "<li>Klausul 9.1 ISO 9001:2015 Pemantauan</li>" in sidebar and "9001:2008" not in sidebar
    old = client.get("/documents/IN.OCC.TELK.P-35/rev/00").get_data(as_text=True)
    assert "<li>Klausul 9.1 ISO 9001:2008 Pemantauan</li>" in old


def test_wrong_signature_passwords_lock_the_account_like_failed_sign_ins(app, client, make_client, factories):
    """30 wrong passwords at a signature were 30 x 422 and then the right one signed: now they count with the
    sign-in failures, and once the account is locked even the right password neither signs nor signs in."""
    dc = factories.user(["dc"])
    factories.user(["spv"], username="pemeriksa")
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-36")
        rev = services.new_draft(doc, dc)
        services.save_draft(rev, {"effective_date": date.today(), "change_description": "Rev baru",
                                  "sections": [{"number": "1", "title": "Rujukan", "body": "Klausul 9.1 diperbarui"}]})
        services.submit(rev, dc, TEST_PASSWORD)
        db.session.commit()
    client.login("pemeriksa")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert client.post_form("/documents/IN.OCC.TELK.P-36/rev/01/check", {"password": "bukan-sandinya"}).status_code == 422
    locked = client.post_form("/documents/IN.OCC.TELK.P-36/rev/01/check", {"password": TEST_PASSWORD})
    assert locked.status_code == 422 and "Terlalu banyak" in locked.get_data(as_text=True)
    db.session.expire_all()
    assert services.get_document("IN.OCC.TELK.P-36").revisions[-1].status == "submitted"  # not signed
    assert make_client().login("pemeriksa").status_code == 429  # the same lock as sign-in


def test_a_draft_saved_from_an_out_of_date_editor_answers_409_and_keeps_the_typing(app, client, make_client, factories):
    """Two editors on one draft: the second one's autosave, save and sign on the old version answer 409, change
    nothing, and its typing stays on its page (the autosave status says why)."""
    import re

    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-45", "title": "Dua jendela"})
        services.new_draft(doc, dc)
        db.session.commit()
    url = "/documents/IN.OCC.TELK.P-45/rev/00"
    first, second = client, make_client()
    first.login(dc.username)
    second.login(dc.username)
    version_re = re.compile(r'name="row_version" (?:type="hidden" )?value="(\d+)"')
    seen = int(version_re.search(first.get(f"{url}/edit").get_data(as_text=True)).group(1))
    assert int(version_re.search(second.get(f"{url}/edit").get_data(as_text=True)).group(1)) == seen

    def typed(text, version):
        return {"row_version": version, "effective_date": "", "change_description": text, "section_number": ["1"],
                "section_title": ["Tujuan"], "section_body": [text], "record_code": [""], "record_name": [""],
                "record_retention": [""], "record_owner": [""]}

    htmx = {"HX-Request": "true", "HX-Target": "draft-save-status"}
    saved = first.post_form(f"{url}/autosave", typed("dari jendela pertama", seen), token_from=f"{url}/edit", headers=htmx)
    assert saved.status_code == 200
    newer = int(version_re.search(saved.get_data(as_text=True)).group(1))
    assert newer > seen  # the status carries the new version back into the form
    again = first.post_form(f"{url}/autosave", typed("dari jendela pertama, lanjut", newer), token_from=f"{url}/edit",
                            headers=htmx)
    assert again.status_code == 200  # the first window goes on saving

    stale = second.post_form(f"{url}/autosave", typed("dari jendela kedua", seen), token_from=f"{url}/edit", headers=htmx)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "jendela lain" in html and f'value="{seen}"' in html  # later saves refused too
    full = second.post_form(f"{url}/edit", typed("dari jendela kedua", seen), token_from=f"{url}/edit")
    html = full.get_data(as_text=True)
    assert full.status_code == 409 and "jendela lain" in html and "dari jendela kedua" in html  # the typing is kept
    signed = second.post_form(f"{url}/submit", {**typed("dari jendela kedua", seen), "password": TEST_PASSWORD},
                              token_from=f"{url}/edit")
    assert signed.status_code == 409 and "dari jendela kedua" in signed.get_data(as_text=True)
    db.session.expire_all()
    rev = services.get_document("IN.OCC.TELK.P-45").revisions[0]
    assert rev.status == "draft" and rev.change_description == "dari jendela pertama, lanjut"


def test_the_change_log_is_not_free_text_in_the_editor(app, client, factories):
    """Section 13 of an SOP is the revisions' history: the editor shows it as that table (this revision's line is its
    change description), posts its stored text back unchanged, and offers no text box for it."""
    from tests.documents_factories import effective_document

    dc = factories.user(["dc"])
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-46", number_sections=[
            {"number": "1", "title": "Referensi", "body": "Klausul 9.1"},
            {"number": "13", "title": "Catatan Perubahan Dokumen", "body": "00 | 05 Juni 2017 | Dokumen baru"}])
        services.new_draft(doc, dc)
        db.session.commit()
    client.login(dc.username)
    html = client.get("/documents/IN.OCC.TELK.P-46/rev/01/edit").get_data(as_text=True)
    assert 'data-testid="changelog-hint"' in html and "Catatan perubahan disusun dari revisi" in html
    section13 = html.split('value="13"', 1)[1].split("</fieldset>", 1)[0]
    assert "<textarea" not in section13 and 'type="hidden" name="section_body"' in section13
    assert 'class="table changelog"' in section13 and ">00<" in section13
