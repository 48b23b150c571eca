"""Revisions become effective by schedule, not by page views; a PDF render holds no lock other writers wait on."""
from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


from sqlalchemy import select

from portal.core import audit, jobs
from portal.core.i18n import local_today
from portal.documents import services
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.documents_factories import effective_document


def _approved_for(doc, people, day: date):
    rev = services.new_draft(doc, people["dc"])
    services.save_draft(rev, {"effective_date": day, "change_description": "Langkah 9 diperjelas",
                              "sections": [*rev.sections[:-1], {**rev.sections[-1], "body": rev.sections[-1]["body"] + " Baru."}]})
    services.submit(rev, people["dc"], TEST_PASSWORD)
    services.check(rev, people["spv"], TEST_PASSWORD)
    services.approve(rev, people["qmr"], TEST_PASSWORD)
    return rev


def test_a_revision_approved_for_tomorrow_becomes_current_at_the_scheduled_run(app, client, factories, monkeypatch):
    people = {"dc": factories.user(["dc"]), "spv": factories.user(["spv"]), "qmr": factories.user(["qmr"])}
    agent = factories.user(["agent"])
    with app.test_request_context():
        doc = effective_document()
        code = doc.code
        tomorrow = local_today() + timedelta(days=1)
        rev = _approved_for(doc, people, tomorrow)
        db.session.commit()
        assert rev.status == "approved"

    client.login(agent.username)
    # Opening the page or the API changes nothing: no activation on a read.
    assert client.get(f"/documents/{code}").status_code == 200
    assert client.get(f"/api/documents/{code}").get_json()["current_revision"]["number"] == "00"
    with app.app_context():
        assert services.get_document(code).current.number == "00"

    # The scheduler's run at 00:00 (portal time) the next day makes it current, with no page view.
    monkeypatch.setattr("portal.documents.services.local_today", lambda: tomorrow)
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    midnight = datetime.combine(tomorrow, time(0, 0, 30), zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    with app.app_context():
        created = jobs.run_due(now=midnight)
        assert "documents.activate" in {j.name for j in created}
        assert all(j.status == "done" for j in created if j.name == "documents.activate")
        db.session.commit()
        assert services.get_document(code).current.number == "01"

    # The page and the API agree.
    assert client.get(f"/api/documents/{code}").get_json()["current_revision"]["number"] == "01"
    listed = client.get("/api/documents").get_json()
    rows = listed["documents"] if isinstance(listed, dict) else listed
    assert next(d for d in rows if d["code"] == code)["current_revision"]["number"] == "01"
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    assert "Rev. 01" in page or "Revisi 01" in page or ">01<" in page


# ------------------------------------------------------------------ a PDF render holds no lock
def test_an_audited_write_completes_while_a_pdf_renders(fresh_app, monkeypatch):
    from portal.auth import services as auth
    from portal.core import pdf as core_pdf

    app = fresh_app("renderlock", WTF_CSRF_ENABLED=False, JOBS_BACKEND="inprocess")
    with app.app_context():
        site = auth.save_site(None, {"code": "PST", "name": "Pusat", "timezone": "Asia/Jakarta", "is_head_office": True})
        user = auth.create_user({"username": "pencetak", "full_name": "Pencetak", "roles": ["agent"], "site_id": site.id,
                                 "must_change_password": False}, TEST_PASSWORD)
        effective_document(code="IN.OCC.TELK.P-91")
        db.session.commit()
        user_id = user.id

    rendering, release = threading.Event(), threading.Event()
    real_render = core_pdf.render_pdf

    def slow_render(*args, **kwargs):
        rendering.set()
        assert release.wait(60), "never released"
        return real_render(*args, **kwargs)

    monkeypatch.setattr("portal.documents.paper.render_pdf", slow_render)
    result = {}

    client = app.test_client()
    client.post("/login", data={"username": "pencetak", "password": TEST_PASSWORD})
    first = client.get("/documents/IN.OCC.TELK.P-91.pdf")  # not rendered yet: a page follows the render job
    assert first.status_code == 202 and b"pdf-progress" in first.data
    with app.app_context():
        job_id = db.session.scalar(select(jobs.Job.id).where(jobs.Job.name == "printing.render"))

    def print_it():  # the worker of the job queue
        with app.app_context():
            result["ran"] = jobs.run_job(job_id)
            db.session.remove()

    printer = threading.Thread(target=print_it)
    printer.start()
    try:
        assert rendering.wait(60), "the render never started"
        done = threading.Event()

        def write():
            with app.app_context():
                audit.record("test.written_during_render", None, new={"by": user_id})
                db.session.commit()
                db.session.remove()
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        # The audited write completes while the render is still held back.
        assert done.wait(30), "an audited write waited for a PDF render"
        assert not release.is_set() and printer.is_alive()
    finally:
        release.set()
        printer.join(60)
    assert result["ran"]
    response = client.get("/documents/IN.OCC.TELK.P-91.pdf")  # served from the store now
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
