"""The PDF cache is pruned (printing/cache.py: prune, the daily printing.prune_cache job): PDFs unused for
PDF_CACHE_KEEP_DAYS days and those of record drafts saved since they were printed leave the store; the printouts
stay in the register (still verifiable) and the next request renders the PDF again."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from portal.core import jobs
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.storage import store
from portal.extensions import db
from portal.printing import cache
from portal.printing.models import Printout
from portal.records import services as records
from portal.records.models import Record
from tests.printing.test_document_pdf import _doc
from tests.records_factories import f04_data, online_form


def _printout(token: str) -> Printout:
    db.session.expire_all()
    return db.session.scalar(select(Printout).where(Printout.token == token))


def _pruned_events() -> list[dict]:
    return [e.new for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "printout.cache_pruned")
                                              .order_by(AuditEvent.id))]


def test_the_pdf_of_a_record_draft_saved_since_is_pruned_and_the_current_one_kept(app, client, factories):
    tl = factories.user(["tl"])
    with app.test_request_context():
        online_form()
        record = records.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 2))
        records.save_draft(record, tl, f04_data(tl.id))
        db.session.commit()
        record_id = record.id
    client.login(tl.username)
    first = client.get(f"/records/{record_id}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    old = _printout(first.headers["X-Printout-Token"])
    old_key = old.cache_key
    with app.test_request_context():
        record = db.session.get(Record, record_id)
        records.save_draft(record, tl, f04_data(tl.id, score="75"))  # the draft moves on: the first PDF is dead
        db.session.commit()
    second = client.get(f"/records/{record_id}.pdf")
    new = _printout(second.headers["X-Printout-Token"])
    assert new.cache_key != old_key
    with app.test_request_context():
        counts = cache.prune()
        db.session.commit()
    assert counts == {"unused": 0, "superseded": 1, "reports": 0}
    assert not store().exists(cache.store_key(old_key)) and store().exists(cache.store_key(new.cache_key))
    assert _printout(old.token).cache_key is None  # the printout stays in the register, without its file
    assert client.get(f"/verify/{old.token}").status_code == 200
    assert _pruned_events()[-1] == {"unused": 0, "superseded": 1, "reports": 0, "days": 30}
    again = client.get(f"/records/{record_id}.pdf")  # the current one is served from the cache, not rendered again
    assert again.headers["X-Printout-Token"] == new.token and again.data == second.data


def test_a_pdf_unused_for_the_days_kept_is_pruned_and_rendered_again_when_asked(app, client, factories, monkeypatch):
    agent = factories.user(["agent"])
    code = _doc(app)
    client.login(agent.username)
    first = client.get(f"/documents/{code}.pdf")
    token = first.headers["X-Printout-Token"]
    key = _printout(token).cache_key
    with app.test_request_context():
        assert cache.prune(now=utcnow() + timedelta(days=29)) == {"unused": 0, "superseded": 0, "reports": 0}
        assert store().exists(cache.store_key(key)) and not _pruned_events()  # nothing gone: no event
        # Printed 40 days ago but downloaded today: in use.
        db.session.execute(update(Printout).where(Printout.token == token).values(printed_at=utcnow() - timedelta(days=40)))
        assert cache.prune()["unused"] == 0 and store().exists(cache.store_key(key))
        # Neither printed nor downloaded in the last 30 days: pruned.
        assert cache.prune(now=utcnow() + timedelta(days=31))["unused"] == 1
        db.session.commit()
    assert not store().exists(cache.store_key(key)) and _printout(token).cache_key is None
    renders = []
    real = cache._renderers["document"]
    monkeypatch.setitem(cache._renderers, "document", lambda *a, **k: renders.append(a) or real(*a, **k))
    again = client.get(f"/documents/{code}.pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF-") and len(renders) == 1
    assert _printout(again.headers["X-Printout-Token"]).cache_key == key  # the same content, the same key, again


def test_a_report_without_printouts_is_pruned_by_when_it_was_written(app, tmp_path, monkeypatch):
    from portal.core.storage import LocalStore

    monkeypatch.setitem(app.extensions, "portal_store", LocalStore(str(tmp_path / "store")))
    with app.test_request_context():
        report = cache.store_key("ab" * 32)
        store().put(report, b"%PDF-1 master list")
        assert cache.prune(keep_days=1)["reports"] == 0 and store().exists(report)  # written just now
        assert cache.prune(now=utcnow() + timedelta(days=2), keep_days=1)["reports"] == 1
        assert not store().exists(report)
        db.session.rollback()


def test_pruning_runs_daily_through_the_job_queue(app):
    spec = jobs._schedules[f"{cache.PRUNE_TASK}@daily"]
    assert spec.task == cache.PRUNE_TASK and spec.daily_at == "03:30"
    with app.test_request_context():
        job = jobs.enqueue(cache.PRUNE_TASK)  # the tests' inline backend runs it at once
        db.session.commit()
        assert db.session.get(jobs.Job, job.id).status == jobs.DONE
        assert db.session.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.name == cache.PRUNE_TASK)) == 1
