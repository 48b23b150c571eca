"""Background jobs: one interface (task, enqueue, schedule) over three backends chosen by JOBS_BACKEND.

- ``inline``: the job runs inside enqueue(), in the caller's session, before enqueue returns (tests).
- ``inprocess``: a daemon thread per server process polls the ``job`` table, claims and runs jobs, reaps stale
  ones and runs the scheduler tick (``make run``; no Redis).
- ``rq``: after the enqueuing transaction commits, the job id goes to an RQ queue in Redis; ``flask jobs worker``
  runs it (production).

The ``job`` row is the truth in every backend: a page reload or another process sees status and progress there,
and a row is only run by whoever claims it (``UPDATE … WHERE status='queued'`` with rowcount 1), so a duplicate
message or a second runner never runs a job twice. Jobs are dispatched only after the transaction that enqueued
them commits; a rolled-back request leaves no job and dispatches nothing.

API: ``@task(name, on_failure=None)``, ``enqueue(name, *, user_id=None, dedupe_key=None, **kwargs) -> Job``,
``retry(job_id, actor=None)``, ``reap_stale(now=None)``, ``schedule(name, task, every=None, daily_at=None,
kwargs=None)``, ``run_due(now=None)``, ``tick(now=None)``, ``run_job(job_id)``, ``init_app(app)``,
``start_runner(app)`` / ``stop_runner(app)``, ``Runner``. Task kwargs must be JSON-serialisable and may not be
called name, user_id or dedupe_key. On SQLite, progress reported while the task holds an open transaction is
written in that transaction and shows at the task's next commit (one writer); PostgreSQL shows it at once.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import ForeignKey, String, Text, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core import audit
from portal.core.db import utcnow
from portal.extensions import db

log = logging.getLogger("portal.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
BACKENDS = ("inline", "inprocess", "rq")
EPOCH = datetime(1970, 1, 1)
_PENDING = "portal_jobs_pending"  # key in Session.info: (app, job_id) to dispatch after commit


class Job(db.Model):
    """One run of a registered task: its arguments, state, progress and outcome."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    args_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name} {self.status}>"

    @property
    def kwargs(self) -> dict:
        """The keyword arguments the task is called with."""
        return json.loads(self.args_json or "{}")

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown)."""
        if not self.progress_total:
            return 100 if self.status == DONE else 0
        return min(100, int(100 * self.progress_done / self.progress_total))


# ---------------------------------------------------------------------------------------------------- registry

@dataclass
class Task:
    name: str
    fn: Callable[..., Any]
    on_failure: Callable[[int, dict, str], Any] | None = None


@dataclass
class Schedule:
    name: str
    task: str
    every: timedelta | None = None
    daily_at: str | None = None
    kwargs: dict = field(default_factory=dict)


_tasks: dict[str, Task] = {}
_schedules: dict[str, Schedule] = {}


def task(name: str, on_failure: Callable[[int, dict, str], Any] | None = None):
    """Decorator: register fn(ctx, **kwargs) as the task `name`; on_failure(job_id, kwargs, error) on failure."""
    if len(name) > 80:
        raise ValueError("task names have at most 80 characters")

    def register(fn):
        _tasks[name] = Task(name, fn, on_failure)
        return fn

    return register


def schedule(name: str, task: str, every: timedelta | None = None, daily_at: str | None = None,
             kwargs: dict | None = None) -> Schedule:
    """Register (or replace) a schedule: run `task` every interval (epoch-aligned) or daily at HH:MM local time."""
    if (every is None) == (daily_at is None):
        raise ValueError("give exactly one of every= and daily_at=")
    if every is not None and every.total_seconds() < 1:
        raise ValueError("every= must be at least one second")
    if daily_at is not None:
        _parse_hhmm(daily_at)
    _schedules[name] = Schedule(name, task, every, daily_at, dict(kwargs or {}))
    return _schedules[name]


def _parse_hhmm(value: str) -> tuple[int, int]:
    hours, minutes = value.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {value!r}")
    return h, m


# ---------------------------------------------------------------------------------------------------- context

class JobContext:
    """What a running task gets as its first argument: its job id, its user and a progress reporter."""

    def __init__(self, job: Job, worker: str, inline: bool, engine=None):
        self.job_id: int = job.id
        self.user_id: int | None = job.user_id
        self.name: str = job.name
        self.attempt: int = job.attempts
        self._worker = worker
        self._inline = inline
        self._engine = engine

    @property
    def inline(self) -> bool:
        """True when the task runs inside its caller's transaction (the inline backend): it must not commit."""
        return self._inline

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress (and a heartbeat) so that a page polling the job row sees it now."""
        values: dict[str, Any] = {"progress_done": int(done), "heartbeat_at": utcnow(), "message": (message or "")[:300]}
        if total is not None:
            values["progress_total"] = int(total)
        stmt = update(Job).where(Job.id == self.job_id, Job.status == RUNNING).values(**values)
        # Inline: the job row is not committed yet, so only the caller's session can write it. SQLite while the task
        # holds a transaction: a second connection would wait for the task's own write lock, so write through the
        # task's session; the page sees it at the task's next (batch) commit.
        if self._inline or (self._engine.dialect.name == "sqlite" and db.session().in_transaction()):
            db.session.execute(stmt, execution_options={"synchronize_session": False})
            return
        try:
            with self._engine.begin() as conn:
                conn.execute(stmt)
        except Exception:  # progress is informative: never fail the task over it
            log.warning("progress of job %s not written", self.job_id, exc_info=True)


# ---------------------------------------------------------------------------------------------------- enqueue

def backend(app: Flask | None = None) -> str:
    """The configured backend: inline, inprocess or rq."""
    app = app or current_app
    name = app.config.get("JOBS_BACKEND") or ("inline" if app.testing else "inprocess")
    if name not in BACKENDS:
        raise ValueError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name


def enqueue(name: str, *, user_id: int | None = None, dedupe_key: str | None = None, **kwargs) -> Job:
    """Add a job to the current transaction (flush only); it is dispatched once that transaction commits.

    With a dedupe_key already used, nothing is added and the existing job is returned."""
    return _enqueue(name, user_id=user_id, dedupe_key=dedupe_key, kwargs=kwargs)[0]


def _enqueue(name: str, *, user_id: int | None, dedupe_key: str | None, kwargs: dict) -> tuple[Job, bool]:
    if name not in _tasks:
        raise ValueError(f"unknown task {name!r}")
    job = Job(name=name, args_json=json.dumps(kwargs, sort_keys=True), status=QUEUED, attempts=0,
              user_id=user_id, dedupe_key=dedupe_key, created_at=utcnow())
    if dedupe_key is None:
        db.session.add(job)
        db.session.flush()
    else:
        try:
            with db.session.begin_nested():
                db.session.add(job)
                db.session.flush()
        except IntegrityError:
            existing = db.session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
            if existing is None:  # another constraint failed
                raise
            return existing, False
    _dispatch_after_commit(job.id)
    return job, True


def _dispatch_after_commit(job_id: int) -> None:
    app = current_app._get_current_object()
    if backend(app) == "inline":
        _run(job_id, inline=True)
        return
    db.session().info.setdefault(_PENDING, []).append((app, job_id))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the outer transaction may still roll back
        return
    pending = session.info.pop(_PENDING, None)
    for app, job_id in pending or ():
        try:
            _dispatch(app, job_id)
        except Exception:  # the commit stands; the row stays queued (the in-process runner polls the table anyway)
            log.exception("job %s committed but not dispatched", job_id)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _dispatch(app: Flask, job_id: int) -> None:
    kind = backend(app)
    if kind == "rq":
        queue = rq_queue(app)
        queue.enqueue_call("portal.core.jobs.run_job", args=(job_id,), description=f"portal job {job_id}",
                           timeout=app.config.get("JOBS_RQ_TIMEOUT", 3600), result_ttl=3600, failure_ttl=7 * 86400)
    else:
        _wake.set()


def rq_queue(app: Flask | None = None):
    """The RQ queue of this app (Redis at REDIS_URL, queue JOBS_QUEUE)."""
    from redis import Redis
    from rq import Queue

    app = app or current_app._get_current_object()
    state = _state(app)
    if state.get("redis") is None:
        state["redis"] = Redis.from_url(app.config.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return Queue(app.config.get("JOBS_QUEUE") or "portal", connection=state["redis"])


# ---------------------------------------------------------------------------------------------------- running

def worker_name() -> str:
    """host:pid:thread, the name a claim records in job.worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]


def claim(job_id: int, worker: str) -> bool:
    """Atomically move a queued job to running for `worker` (in the current transaction); True if this call won."""
    now = utcnow()
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == QUEUED)
        .values(status=RUNNING, worker=worker, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now,
                finished_at=None, error=""),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def run_job(job_id: int) -> bool:
    """Claim and run one job in the current app context, committing its outcome; False if someone else has it."""
    return _run(job_id, inline=False)


def _run(job_id: int, inline: bool) -> bool:
    """Claim, run and finish one job. Inline: in the caller's transaction (task inside a savepoint), no commit.
    Otherwise: claim committed, task in a fresh transaction, outcome committed, heartbeat thread meanwhile."""
    worker = worker_name()
    if not inline:
        db.session.rollback()  # start from a fresh transaction whose first statement is the claim (SQLite snapshots)
    if not claim(job_id, worker):
        if not inline:
            db.session.rollback()
        return False
    if not inline:
        db.session.commit()
    job = db.session.get(Job, job_id, populate_existing=True)
    spec = _tasks.get(job.name)
    kwargs = job.kwargs
    ctx = JobContext(job, worker, inline, None if inline else db.engine)
    if inline:
        _execute_inline(ctx, spec, kwargs)
        db.session.expire(job)
        return True
    db.session.commit()  # the task starts without an open transaction (SQLite: progress can use its own connection)
    beat = _Heartbeat(db.engine, job_id, worker, current_app.config.get("JOBS_HEARTBEAT_SECONDS", 30))
    beat.start()
    error = None
    try:
        _call(ctx, spec, kwargs)
        _finish(ctx)
        db.session.commit()
    except Exception as exc:
        error = _error_text(ctx, exc)
        db.session.rollback()
    finally:
        beat.stop()  # after the commit or rollback: a heartbeat may be waiting behind the task's own write lock
    if error is not None:
        _fail(job_id, error, worker=worker, spec=spec, kwargs=kwargs)
        db.session.commit()
    return True


def _execute_inline(ctx: JobContext, spec: Task | None, kwargs: dict) -> None:
    nested = db.session.begin_nested()
    try:
        _call(ctx, spec, kwargs)
        if nested.is_active:
            nested.commit()
        _finish(ctx)
    except Exception as exc:
        error = _error_text(ctx, exc)
        if nested.is_active:
            nested.rollback()
        _fail(ctx.job_id, error, worker=ctx._worker, spec=spec, kwargs=kwargs)


def _call(ctx: JobContext, spec: Task | None, kwargs: dict) -> None:
    if spec is None:
        raise LookupError(f"task {ctx.name!r} is not registered in this process")
    spec.fn(ctx, **kwargs)


def _finish(ctx: JobContext) -> None:
    now = utcnow()
    finished = db.session.execute(
        update(Job).where(Job.id == ctx.job_id, Job.status == RUNNING, Job.worker == ctx._worker)
        .values(status=DONE, finished_at=now, heartbeat_at=now),
        execution_options={"synchronize_session": False},
    )
    if finished.rowcount != 1:
        raise RuntimeError("the job was taken from this worker (reaped as stale) before it finished")


def _error_text(ctx: JobContext, exc: BaseException) -> str:
    """Log the full traceback; keep its last line for job.error."""
    current_app.logger.error("job %s (%s) failed", ctx.job_id, ctx.name, exc_info=exc)
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1][:2000]


def _fail(job_id: int, error: str, *, worker: str | None, spec: Task | None, kwargs: dict, lost: bool = False,
          older_than: datetime | None = None) -> bool:
    """Mark a running job failed (if it still is), then on_failure and the audit event, in the current transaction."""
    stmt = update(Job).where(Job.id == job_id, Job.status == RUNNING)
    if worker is not None:
        stmt = stmt.where(Job.worker == worker)
    if older_than is not None:
        stmt = stmt.where(Job.heartbeat_at < older_than)
    result = db.session.execute(stmt.values(status=FAILED, error=error, finished_at=utcnow()),
                                execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        return False
    if spec is not None and spec.on_failure is not None:
        try:
            with db.session.begin_nested():
                spec.on_failure(job_id, kwargs, error)
        except Exception:
            log.exception("on_failure of job %s failed", job_id)
    name = spec.name if spec else db.session.scalar(select(Job.name).where(Job.id == job_id))
    audit.record("job.failed", ("job", job_id), new={"task": name, "error": error, "worker_lost": lost}, actor=None)
    return True


class _Heartbeat:
    """A thread refreshing job.heartbeat_at every few seconds on its own connection while the task runs."""

    def __init__(self, engine, job_id: int, worker: str, every: float):
        self.engine, self.job_id, self.worker, self.every = engine, job_id, worker, max(0.05, float(every))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"job-{job_id}-heartbeat")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(Job).where(Job.id == self.job_id, Job.status == RUNNING, Job.worker == self.worker)
                                 .values(heartbeat_at=utcnow()))
            except Exception:
                log.warning("heartbeat of job %s not written", self.job_id, exc_info=True)


def reap_stale(now: datetime | None = None) -> list[int]:
    """Fail running jobs whose heartbeat is older than JOBS_STALE_SECONDS ("worker lost"); the caller commits."""
    now = _naive_utc(now)
    cutoff = now - timedelta(seconds=current_app.config.get("JOBS_STALE_SECONDS", 300))
    stale = db.session.execute(
        select(Job.id, Job.name, Job.args_json).where(Job.status == RUNNING, Job.heartbeat_at < cutoff)
    ).all()
    reaped = []
    for job_id, name, args_json in stale:
        if _fail(job_id, "worker lost", worker=None, spec=_tasks.get(name), kwargs=json.loads(args_json or "{}"),
                 lost=True, older_than=cutoff):
            reaped.append(job_id)
    return reaped


def retry(job_id: int, actor: Any = None) -> Job:
    """Put a failed job back in the queue (it runs as a new attempt); the caller commits."""
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == FAILED)
        .values(status=QUEUED, worker="", error="", message="", started_at=None, heartbeat_at=None, finished_at=None,
                progress_done=0),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise ValueError(f"job {job_id} is not a failed job")
    job = db.session.get(Job, job_id, populate_existing=True)
    audit.record("job.retried", ("job", job_id), new={"task": job.name, "attempts": job.attempts}, actor=actor)
    _dispatch_after_commit(job_id)
    return job


# ---------------------------------------------------------------------------------------------------- scheduler

def _naive_utc(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def slot_start(spec: Schedule, now: datetime, tz_name: str) -> datetime:
    """The start (naive UTC) of the latest slot of `spec` at or before `now` (naive UTC)."""
    if spec.every is not None:
        step = spec.every.total_seconds()
        return EPOCH + timedelta(seconds=((now - EPOCH).total_seconds() // step) * step)
    hour, minute = _parse_hhmm(spec.daily_at)
    tz = ZoneInfo(tz_name)
    local_now = now.replace(tzinfo=timezone.utc).astimezone(tz)
    day = local_now.date()
    for _ in range(3):
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(timezone.utc)
        if start.replace(tzinfo=None) <= now:
            return start.replace(tzinfo=None)
        day -= timedelta(days=1)
    raise AssertionError("unreachable")


def run_due(now: datetime | None = None) -> list[Job]:
    """Enqueue the latest slot of every schedule unless already enqueued (dedupe_key name@slot); the caller commits."""
    now = _naive_utc(now)
    tz_name = current_app.config.get("PORTAL_TIMEZONE", "UTC")
    created = []
    for spec in list(_schedules.values()):
        if spec.task not in _tasks:
            log.error("schedule %s names the unknown task %s", spec.name, spec.task)
            continue
        key = f"{spec.name}@{slot_start(spec, now, tz_name).isoformat(timespec='seconds')}Z"
        # No read before the insert: the unique dedupe_key (inside a savepoint) decides, even between processes.
        job, new = _enqueue(spec.task, user_id=None, dedupe_key=key, kwargs=dict(spec.kwargs))
        if new:
            created.append(job)
    return created


def tick(now: datetime | None = None) -> tuple[list[Job], list[int]]:
    """One scheduler tick, committed: run_due(), reap_stale(), and with RQ redispatch_stranded()."""
    try:
        created = run_due(now)
        reaped = reap_stale(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if backend() == "rq":
        try:
            redispatch_stranded(now)
        except Exception:
            log.exception("stranded jobs not redispatched")
    return created, reaped


def redispatch_stranded(now: datetime | None = None, older_than: float = 60) -> list[int]:
    """RQ: when the Redis queue is empty, send again the jobs queued in the table for over `older_than` seconds
    (their message was lost, e.g. Redis was down at commit); a duplicate message is harmless (claim)."""
    queue = rq_queue()
    if queue.count:
        return []
    cutoff = _naive_utc(now) - timedelta(seconds=older_than)
    ids = list(db.session.scalars(select(Job.id).where(Job.status == QUEUED, Job.created_at < cutoff).order_by(Job.id)))
    app = current_app._get_current_object()
    for job_id in ids:
        _dispatch(app, job_id)
    return ids


# ---------------------------------------------------------------------------------------------------- in-process runner

_wake = threading.Event()


def _state(app: Flask) -> dict:
    return app.extensions.setdefault("portal_jobs", {"runner": None, "lock": threading.Lock(), "redis": None})


class Runner(threading.Thread):
    """A daemon thread that runs queued jobs from the table (and, with scheduler=True, the scheduler tick)."""

    def __init__(self, app: Flask, *, scheduler: bool = True, name: str = "jobs-runner"):
        super().__init__(daemon=True, name=name)
        self.app = app
        self.scheduler = scheduler
        self.poll = float(app.config.get("JOBS_POLL_SECONDS", 1.0))
        self.tick_every = float(app.config.get("JOBS_SCHEDULER_SECONDS", 30))
        self._stopping = threading.Event()
        self._last_tick = 0.0

    def stop(self, timeout: float | None = 30) -> None:
        """Ask the thread to finish after its current job and wait for it."""
        self._stopping.set()
        _wake.set()
        self.join(timeout)

    def run(self) -> None:
        while not self._stopping.is_set():
            _wake.clear()
            try:
                with self.app.app_context():
                    try:
                        self.run_once()
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("jobs runner: iteration failed")
            _wake.wait(self.poll)

    def run_once(self) -> int:
        """Scheduler tick when due, then run every queued job this runner can claim; the number run."""
        if self.scheduler and time.monotonic() - self._last_tick >= self.tick_every:
            self._last_tick = time.monotonic()
            try:
                tick()
            except Exception:
                log.exception("jobs runner: scheduler tick failed")
        ran = 0
        while not self._stopping.is_set():
            # A read (SQLite: BEGIN DEFERRED): polling must not queue for the write lock behind busy requests.
            db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            ids = list(db.session.scalars(select(Job.id).where(Job.status == QUEUED).order_by(Job.id).limit(20)))
            db.session.rollback()  # end the read before claiming (SQLite: a stale snapshot cannot write)
            if not ids:
                break
            for job_id in ids:
                if self._stopping.is_set():
                    break
                ran += _run(job_id, inline=False)
        return ran


def start_runner(app: Flask) -> Runner:
    """Start this process's runner thread for `app` once (idempotent); returns it."""
    state = _state(app)
    with state["lock"]:
        runner = state["runner"]
        if runner is None or not runner.is_alive():
            runner = Runner(app)
            runner.start()
            state["runner"] = runner
    return runner


def stop_runner(app: Flask) -> None:
    """Stop this process's runner thread for `app`, if any."""
    runner = _state(app).get("runner")
    if runner is not None:
        runner.stop()
        _state(app)["runner"] = None


def init_app(app: Flask) -> None:
    """Wire the jobs into the app: after-commit dispatch; with JOBS_BACKEND=inprocess, the runner on first request."""
    _state(app)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    kind = backend(app)
    if kind == "inprocess" and not app.testing:
        @app.before_request
        def _start_jobs_runner():  # lazily, so that a forking server starts it in each worker, not in the master
            if _state(app).get("runner") is None:
                start_runner(app)
