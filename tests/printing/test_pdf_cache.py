"""Rendered PDFs are cached by what they show (printing/cache.py): one render per content, never a stale one."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.core import jobs
from portal.core.audit import AuditEvent
from portal.core.storage import store
from portal.extensions import db
from portal.printing import cache
from portal.printing.models import Printout
from tests.conftest import TEST_PASSWORD
from tests.documents_factories import effective_document
from tests.printing.test_document_pdf import _doc, _new_revision, pdf_text


def _count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_the_same_revision_printed_twice_renders_once(app, client, factories, monkeypatch):
    agent = factories.user(["agent"])
    code = _doc(app)
    client.login(agent.username)
    renders = []
    real = cache._renderers["document"]
    monkeypatch.setitem(cache._renderers, "document", lambda *a, **k: renders.append(a) or real(*a, **k))
    first = client.get(f"/documents/{code}.pdf")
    second = client.get(f"/documents/{code}.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and len(renders) == 1
    assert first.headers["X-Printout-Token"] == second.headers["X-Printout-Token"]
    assert _count("document.printed") == 1 and _count("printout.served") == 2
    printout = db.session.scalar(select(Printout).where(Printout.token == first.headers["X-Printout-Token"]))
    assert store().exists(cache.store_key(printout.cache_key))


def test_a_change_to_what_the_paper_shows_is_a_new_pdf_never_a_stale_one(app, client, factories):
    agent = factories.user(["agent"])
    code = _doc(app)
    client.login(agent.username)
    old = client.get(f"/documents/{code}/rev/00.pdf")
    assert "DIGANTIKAN" not in pdf_text(old.data)
    with app.test_request_context():
        _new_revision(code, agent, date(2026, 2, 1))
    superseded = client.get(f"/documents/{code}/rev/00.pdf")  # the same revision, now superseded: a new render
    assert superseded.headers["X-Printout-Token"] != old.headers["X-Printout-Token"]
    text = pdf_text(superseded.data)
    assert "DIGANTIKAN" in text
    current = pdf_text(client.get(f"/documents/{code}.pdf").data)
    assert "Revisi 01" in " ".join(current.split()) and "DIGANTIKAN" not in current


def test_a_revision_pdf_is_prepared_when_it_becomes_effective(app, factories):
    app.config["PDF_PREPARE_ON_EFFECTIVE"] = True
    try:
        with app.test_request_context():
            doc = effective_document(code="IN.OCC.TELK.P-92")
            db.session.commit()
            from portal.documents import paper

            assert cache.cached(paper.pdf_key(doc.current)) is not None  # rendered before anyone asked
            assert db.session.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.name == cache.TASK)) == 1
    finally:
        app.config["PDF_PREPARE_ON_EFFECTIVE"] = False


def test_a_pdf_not_ready_shows_its_progress_then_opens(fresh_app):
    from portal.auth import services as auth

    app = fresh_app("pdfqueue", WTF_CSRF_ENABLED=False, JOBS_BACKEND="inprocess")
    with app.app_context():
        site = auth.save_site(None, {"code": "PST", "name": "Pusat", "timezone": "Asia/Jakarta", "is_head_office": True})
        auth.create_user({"username": "pembaca", "full_name": "Pembaca", "roles": ["agent"], "site_id": site.id,
                          "must_change_password": False}, TEST_PASSWORD)
        effective_document(code="IN.OCC.TELK.P-93")
        db.session.commit()
    clients = [app.test_client() for _ in range(5)]
    for c in clients:
        c.post("/login", data={"username": "pembaca", "password": TEST_PASSWORD})
    pages = [c.get("/documents/IN.OCC.TELK.P-93.pdf") for c in clients]  # five people ask at the same time
    assert {p.status_code for p in pages} == {202}
    html = pages[0].get_data(as_text=True)
    assert 'data-testid="pdf-progress"' in html and "Menyiapkan PDF" in html and 'data-status="queued"' in html
    with app.app_context():
        job_ids = db.session.scalars(select(jobs.Job.id).where(jobs.Job.name == cache.TASK)).all()
    assert len(job_ids) == 1  # one render for all of them
    poll = clients[0].get(f"/printing/pdf/{job_ids[0]}?next=/documents/IN.OCC.TELK.P-93.pdf", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "HX-Redirect" not in poll.headers
    with app.app_context():
        assert jobs.run_job(job_ids[0])
        db.session.remove()
    poll = clients[0].get(f"/printing/pdf/{job_ids[0]}?next=/documents/IN.OCC.TELK.P-93.pdf", headers={"HX-Request": "true"})
    assert poll.headers["HX-Redirect"] == "/documents/IN.OCC.TELK.P-93.pdf"
    evil = clients[0].get(f"/printing/pdf/{job_ids[0]}?next=//evil.example/x", headers={"HX-Request": "true"})
    assert evil.headers["HX-Redirect"] == "/"
    served = [c.get("/documents/IN.OCC.TELK.P-93.pdf") for c in clients]
    assert {r.status_code for r in served} == {200} and len({r.data for r in served}) == 1
    assert served[0].data.startswith(b"%PDF-")
    assert clients[0].get("/printing/pdf/999999").status_code == 404


def test_the_master_list_pdf_is_cached_until_the_register_changes(app, client, factories, monkeypatch, tmp_path):
    from portal.core.storage import LocalStore

    # A store of its own: the key counts audit events, which restart with every rolled-back test, so a master list
    # cached by an earlier test (same day, same count) would otherwise be served here.
    monkeypatch.setitem(app.extensions, "portal_store", LocalStore(str(tmp_path / "store")))
    dc = factories.user(["dc"])
    _doc(app)
    client.login(dc.username)
    renders = []
    real = cache._renderers["master_list"]
    monkeypatch.setitem(cache._renderers, "master_list", lambda *a, **k: renders.append(a) or real(*a, **k))
    first = client.get("/documents/master.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF-") and "attachment" in first.headers["Content-Disposition"]
    assert client.get("/documents/master.pdf").data == first.data and len(renders) == 1
    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-94", title="Prosedur Baru")
        db.session.commit()
    text = pdf_text(client.get("/documents/master.pdf").data)
    assert len(renders) == 2 and "IN.OCC.TELK.P-94" in text  # never the stale list
