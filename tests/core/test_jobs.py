"""Background jobs (portal/core/jobs.py): backends, failure and retry, scheduler slots, reaping, races."""
from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, update

from portal import create_app
from portal.core import jobs
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.jobs import Job
from portal.extensions import db
from tests.conftest import database_url, drop_database
from tests.conftest import test_config as _test_config

RAN: list[tuple[int, dict, int | None]] = []
FAILURES: list[tuple[int, dict, str]] = []
_ran_lock = threading.Lock()
BOOM = {"fail": True}
RELEASE = threading.Event()


@jobs.task("tests.jobs.echo")
def _echo(ctx, **kwargs):
    ctx.progress(1, 2, "half way")
    with _ran_lock:
        RAN.append((ctx.job_id, kwargs, ctx.user_id))


@jobs.task("tests.jobs.boom", on_failure=lambda job_id, kwargs, error: FAILURES.append((job_id, kwargs, error)))
def _boom(ctx, **kwargs):
    db.session.execute(update(Job).where(Job.id == ctx.job_id).values(message="written by the failed task"))
    if BOOM["fail"]:
        raise RuntimeError("boom")


@jobs.task("tests.jobs.count")
def _count(ctx, **kwargs):
    time.sleep(0.002)
    with _ran_lock:
        RAN.append((ctx.job_id, kwargs, threading.current_thread().name))


@jobs.task("tests.jobs.wait")
def _wait(ctx, **kwargs):
    ctx.progress(1, 2, "waiting")
    assert RELEASE.wait(30), "never released"


@pytest.fixture(autouse=True)
def _clean_registry():
    RAN.clear()
    FAILURES.clear()
    BOOM["fail"] = True
    RELEASE.clear()
    schedules = dict(jobs._schedules)
    jobs._schedules.clear()
    yield
    jobs._schedules.clear()
    jobs._schedules.update(schedules)


def _events(action: str, job_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                          AuditEvent.object_type == "job",
                                                          AuditEvent.object_id == str(job_id))))


# ------------------------------------------------------------------------------------------ inline backend

def test_inline_backend_runs_the_job_inside_enqueue(app, factories):
    user = factories.user()
    assert jobs.backend(app) == "inline"
    job = jobs.enqueue("tests.jobs.echo", user_id=user.id, kind="xlsx", n=3)
    assert RAN == [(job.id, {"kind": "xlsx", "n": 3}, user.id)]
    assert job.status == "done" and job.attempts == 1
    assert (job.progress_done, job.progress_total, job.message) == (1, 2, "half way")
    assert job.kwargs == {"kind": "xlsx", "n": 3} and job.finished_at is not None


def test_unknown_task_is_refused(app):
    with pytest.raises(ValueError):
        jobs.enqueue("tests.jobs.nobody")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_dispatch_waits_for_the_commit_and_a_rollback_dispatches_nothing(app, monkeypatch):
    dispatched = []
    monkeypatch.setattr(jobs, "_dispatch", lambda app_, job_id: dispatched.append(job_id))
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "inprocess")

    jobs.enqueue("tests.jobs.echo", n=1)
    db.session.rollback()
    assert dispatched == [] and db.session.scalar(select(func.count()).select_from(Job)) == 0

    with db.session.begin_nested():
        job = jobs.enqueue("tests.jobs.echo", n=2)
    assert dispatched == []  # a released savepoint is not a commit
    assert job.status == "queued" and RAN == []
    db.session.commit()
    assert dispatched == [job.id]
    db.session.commit()
    assert dispatched == [job.id]


def test_failing_task_is_failed_rolled_back_reported_and_audited(app):
    job = jobs.enqueue("tests.jobs.boom", record=7)
    assert job.status == "failed"
    assert job.error == "RuntimeError: boom"
    assert job.message == ""  # the task's own writes were rolled back
    assert FAILURES == [(job.id, {"record": 7}, "RuntimeError: boom")]
    [event] = _events("job.failed", job.id)
    assert event.new["task"] == "tests.jobs.boom" and event.new["error"] == "RuntimeError: boom"


def test_retry_runs_a_failed_job_again_as_a_new_attempt(app):
    job = jobs.enqueue("tests.jobs.boom")
    assert job.status == "failed" and job.attempts == 1
    BOOM["fail"] = False
    jobs.retry(job.id)
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 2 and job.error == ""
    assert len(_events("job.retried", job.id)) == 1
    with pytest.raises(ValueError):
        jobs.retry(job.id)  # only a failed job


def test_a_stale_running_job_is_reaped(app):
    old = utc = datetime(2026, 11, 29, 10, 0)
    stale = Job(name="tests.jobs.boom", args_json='{"record": 1}', status="running", attempts=1, worker="gone:1:x",
                started_at=old, heartbeat_at=old, created_at=old)
    fresh = Job(name="tests.jobs.boom", args_json="{}", status="running", attempts=1, worker="alive:2:y",
                started_at=utc, heartbeat_at=utc + timedelta(seconds=299), created_at=utc)
    db.session.add_all([stale, fresh])
    db.session.flush()
    now = utc + timedelta(seconds=301)
    assert jobs.reap_stale(now) == [stale.id]
    assert jobs.reap_stale(now) == []  # once
    db.session.refresh(stale)
    db.session.refresh(fresh)
    assert stale.status == "failed" and stale.error == "worker lost" and fresh.status == "running"
    assert FAILURES == [(stale.id, {"record": 1}, "worker lost")]
    assert _events("job.failed", stale.id)[0].new["worker_lost"] is True


# ------------------------------------------------------------------------------------------ scheduler

def test_run_due_enqueues_each_interval_slot_once(app):
    jobs.schedule("tests.hourly", "tests.jobs.echo", every=timedelta(hours=1), kwargs={"what": "hourly"})
    at = datetime(2026, 11, 29, 10, 20)
    [first] = jobs.run_due(at)
    assert first.dedupe_key == "tests.hourly@2026-11-29T10:00:00Z" and first.kwargs == {"what": "hourly"}
    assert jobs.run_due(at) == []
    assert jobs.run_due(at + timedelta(minutes=39)) == []
    [second] = jobs.run_due(at + timedelta(minutes=40))
    assert second.dedupe_key == "tests.hourly@2026-11-29T11:00:00Z"
    assert [r[0] for r in RAN] == [first.id, second.id]


def test_daily_slots_follow_the_portal_time_zone_across_midnight(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_TIMEZONE", "Asia/Jakarta")  # UTC+7
    jobs.schedule("tests.midnight", "tests.jobs.echo", daily_at="00:00")
    # 23:59 WIB on 29 November is 16:59 UTC: the latest midnight is that of 29 November (17:00 UTC on the 28th).
    [a] = jobs.run_due(datetime(2026, 11, 29, 16, 59))
    assert a.dedupe_key == "tests.midnight@2026-11-28T17:00:00Z"
    assert jobs.run_due(datetime(2026, 11, 29, 10, 0)) == []
    # 00:00 WIB on 30 November.
    [b] = jobs.run_due(datetime(2026, 11, 29, 17, 0))
    assert b.dedupe_key == "tests.midnight@2026-11-29T17:00:00Z"
    monkeypatch.setitem(app.config, "PORTAL_TIMEZONE", "UTC")
    [c] = jobs.run_due(datetime(2026, 11, 29, 16, 59))
    assert c.dedupe_key == "tests.midnight@2026-11-29T00:00:00Z"


def test_schedule_needs_exactly_one_rule():
    with pytest.raises(ValueError):
        jobs.schedule("tests.bad", "tests.jobs.echo")
    with pytest.raises(ValueError):
        jobs.schedule("tests.bad", "tests.jobs.echo", every=timedelta(hours=1), daily_at="01:00")
    with pytest.raises(ValueError):
        jobs.schedule("tests.bad", "tests.jobs.echo", daily_at="25:00")


def test_cli_run_due_list_and_retry(app):
    jobs.schedule("tests.cli", "tests.jobs.boom", every=timedelta(days=1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0 and "1 job(s) enqueued" in result.output, result.output
    job = db.session.scalar(select(Job).where(Job.name == "tests.jobs.boom"))
    assert job.status == "failed"
    listing = runner.invoke(args=["jobs", "list"])
    assert f"{job.id}" in listing.output and "RuntimeError: boom" in listing.output
    BOOM["fail"] = False
    again = runner.invoke(args=["jobs", "retry", str(job.id)])
    assert again.exit_code == 0, again.output
    db.session.refresh(job)
    assert job.status == "done"
    assert runner.invoke(args=["jobs", "retry", str(job.id)]).exit_code == 1


# ------------------------------------------------------------------------------------------ a real database for threads

@pytest.fixture(scope="module")
def own_app(_migrated_app, tmp_path_factory):
    """An app on a fresh database of its own whose commits are real (threads and other connections see them)."""
    tmp = tmp_path_factory.mktemp("jobs")
    url = database_url(tmp, "jobs")
    app = create_app({**_test_config(url, tmp), "JOBS_BACKEND": "inprocess", "JOBS_POLL_SECONDS": 0.05,
                      "JOBS_HEARTBEAT_SECONDS": 0.05,
                      "JOBS_QUEUE": f"portal-test-{uuid.uuid4().hex[:12]}"})
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def fresh(own_app):
    """own_app in an app context, with an empty job table."""
    with own_app.app_context():
        db.session.execute(delete(Job))
        db.session.commit()
        try:
            yield own_app
        finally:
            db.session.remove()


def _wait_until(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _count_jobs(app, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(Job).where(*where))
        finally:
            db.session.remove()


def test_two_schedulers_at_once_enqueue_each_slot_once(fresh):
    jobs.schedule("tests.race.hourly", "tests.jobs.count", every=timedelta(hours=1))
    jobs.schedule("tests.race.daily", "tests.jobs.count", daily_at="06:30")
    now = datetime(2026, 11, 29, 10, 20)
    barrier = threading.Barrier(2)
    created: list[int] = []
    errors: list[BaseException] = []

    def scheduler():
        try:
            with fresh.app_context():
                barrier.wait(10)
                try:
                    created.extend(j.dedupe_key for j in jobs.run_due(now))
                    db.session.commit()
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(created) == ["tests.race.daily@2026-11-28T23:30:00Z", "tests.race.hourly@2026-11-29T10:00:00Z"]
    assert _count_jobs(fresh) == 2
    assert RAN == []  # enqueued, not run: no runner is started in tests


def test_two_runner_threads_run_each_of_20_jobs_exactly_once(fresh):
    ids = [jobs.enqueue("tests.jobs.count", n=i).id for i in range(20)]
    db.session.commit()
    runners = [jobs.Runner(fresh, scheduler=False, name=f"runner-{i}") for i in range(2)]
    for r in runners:
        r.start()
    try:
        assert _wait_until(lambda: _count_jobs(fresh, Job.status == "done") == 20)
    finally:
        for r in runners:
            r.stop()
    assert sorted(job_id for job_id, _, _ in RAN) == sorted(ids)
    rows = db.session.execute(select(Job.attempts, Job.status, Job.worker)).all()
    assert {(a, s) for a, s, _ in rows} == {(1, "done")}


def test_progress_and_heartbeat_are_visible_while_the_task_runs(fresh):
    job_id = jobs.enqueue("tests.jobs.wait").id
    db.session.commit()
    runner = jobs.Runner(fresh, scheduler=False, name="runner-progress")
    runner.start()
    try:
        def state():
            with db.engine.connect() as conn:
                return tuple(conn.execute(select(Job.status, Job.progress_done, Job.progress_total, Job.message)
                                          .where(Job.id == job_id)).one())

        _wait_until(lambda: state()[0] == "failed" or state() == ("running", 1, 2, "waiting"))
        assert state() == ("running", 1, 2, "waiting")
        first_beat = db.session.scalar(select(Job.heartbeat_at).where(Job.id == job_id))
        db.session.rollback()

        def beat_moved():
            with db.engine.connect() as conn:
                return conn.scalar(select(Job.heartbeat_at).where(Job.id == job_id)) > first_beat

        assert _wait_until(beat_moved)  # the heartbeat thread refreshes it while the task waits
        RELEASE.set()
        assert _wait_until(lambda: _count_jobs(fresh, Job.status == "done") == 1)
    finally:
        RELEASE.set()
        runner.stop()


def test_runner_reaps_and_fails_like_the_inline_backend(fresh):
    job_id = jobs.enqueue("tests.jobs.boom", record=3).id
    db.session.commit()
    runner = jobs.Runner(fresh, scheduler=False, name="runner-fail")
    runner.start()
    try:
        assert _wait_until(lambda: _count_jobs(fresh, Job.status == "failed") == 1)
    finally:
        runner.stop()
    job = db.session.get(Job, job_id)
    assert job.error == "RuntimeError: boom" and job.message == ""
    assert FAILURES == [(job_id, {"record": 3}, "RuntimeError: boom")]
    assert len(_events("job.failed", job_id)) == 1


# ------------------------------------------------------------------------------------------ RQ

def _redis_or_skip(app):
    from redis.exceptions import ConnectionError as RedisDown

    queue = jobs.rq_queue(app)
    try:
        queue.connection.ping()
    except RedisDown:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip("no Redis at REDIS_URL")
    return queue


def test_rq_backend_runs_a_job_once_even_with_a_duplicate_message(fresh, monkeypatch):
    from rq import SimpleWorker

    monkeypatch.setitem(fresh.config, "JOBS_BACKEND", "rq")
    queue = _redis_or_skip(fresh)
    queue.empty()
    try:
        jobs.enqueue("tests.jobs.count", n=1)
        db.session.rollback()
        assert queue.count == 0  # rolled back: nothing sent

        job_id = jobs.enqueue("tests.jobs.count", n=2).id
        assert queue.count == 0  # not before the commit
        db.session.commit()
        assert queue.count == 1
        queue.enqueue_call("portal.core.jobs.run_job", args=(job_id,))  # a duplicate message
        assert queue.count == 2

        worker = SimpleWorker([queue], connection=queue.connection)
        worker.work(burst=True)
        assert queue.count == 0
        assert [r[0] for r in RAN] == [job_id]
        db.session.remove()
        job = db.session.get(Job, job_id)
        assert job.status == "done" and job.attempts == 1

        # A job whose message was lost (Redis down at commit) is sent again by the scheduler tick; `flask jobs
        # worker --burst` runs it.
        monkeypatch.setitem(fresh.config, "JOBS_BACKEND", "inprocess")
        lost_id = jobs.enqueue("tests.jobs.count", n=3).id
        db.session.commit()
        monkeypatch.setitem(fresh.config, "JOBS_BACKEND", "rq")
        assert queue.count == 0
        jobs.tick(utcnow() + timedelta(seconds=61))
        assert queue.count == 1
        jobs.tick(utcnow() + timedelta(seconds=61))
        assert queue.count == 1  # not sent again while a message waits
        result = fresh.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert [r[0] for r in RAN] == [job_id, lost_id]
        db.session.remove()
        assert db.session.get(Job, lost_id).status == "done"
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
