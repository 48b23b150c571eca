"""`flask jobs worker|scheduler|run-due|list|retry`: the background job queue from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

jobs_cli = AppGroup("jobs", help="Background jobs: RQ worker, scheduler, list, retry.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--nice", type=int, default=None,
              help="CPU priority below the web workers (JOBS_WORKER_NICE, 10): a PDF rendering never slows a page.")
def jobs_worker(burst, nice):
    """Run jobs from the RQ queue (JOBS_BACKEND=rq) in this process, without forking."""
    import os

    from rq import SimpleWorker

    from portal.core import jobs

    nice = current_app.config.get("JOBS_WORKER_NICE", 10) if nice is None else nice
    if nice:
        # Rendering a PDF or writing an export is CPU work that nobody waits on by the second; the pages are. On a
        # machine with as many cores as busy processes the scheduler then gives the web workers the CPU first.
        os.nice(nice)

    if jobs.backend() != "rq":
        click.echo(f"Warning: JOBS_BACKEND is {jobs.backend()!r}; nothing is sent to RQ unless it is 'rq'.", err=True)
    queue = jobs.rq_queue()
    worker = SimpleWorker([queue], connection=queue.connection)
    click.echo(f"RQ worker on queue {queue.name!r} ({current_app.config.get('REDIS_URL')}), nice {os.nice(0)}.")
    worker.work(burst=burst, with_scheduler=False)


@jobs_cli.command("scheduler")
@click.option("--interval", type=float, default=None, help="Seconds between ticks (JOBS_SCHEDULER_SECONDS).")
def jobs_scheduler(interval):
    """Loop: enqueue due schedule slots and reap stale jobs, committing each tick."""
    import time

    from portal.core import jobs

    interval = interval or float(current_app.config.get("JOBS_SCHEDULER_SECONDS", 30))
    click.echo(f"Scheduler: {len(jobs._schedules)} schedule(s), a tick every {interval:g} s.")
    try:
        while True:
            try:
                created, reaped = jobs.tick()
                for job in created:
                    click.echo(f"enqueued job {job.id} {job.name} ({job.dedupe_key})")
                for job_id in reaped:
                    click.echo(f"job {job_id}: worker lost, marked failed")
            except Exception:  # keep ticking: the database may be back next time
                current_app.logger.exception("scheduler tick failed")
            finally:
                db.session.remove()
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Scheduler stopped.")


@jobs_cli.command("run-due")
def jobs_run_due():
    """One scheduler tick (for cron): enqueue due slots, reap stale jobs, commit."""
    from portal.core import jobs

    created, reaped = jobs.tick()
    for job in created:
        click.echo(f"enqueued job {job.id} {job.name} ({job.dedupe_key})")
    click.echo(f"{len(created)} job(s) enqueued, {len(reaped)} stale job(s) marked failed.")


@jobs_cli.command("list")
@click.option("--limit", type=int, default=30, show_default=True)
@click.option("--status", type=click.Choice(["queued", "running", "done", "failed"]), default=None)
def jobs_list(limit, status):
    """The most recent jobs, newest first."""
    from sqlalchemy import select

    from portal.core.jobs import Job

    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Job.status == status)
    for job in db.session.scalars(stmt):
        progress = f"{job.progress_done}/{job.progress_total}" if job.progress_total else ""
        detail = job.error if job.status == "failed" else job.message
        click.echo(f"{job.id:>7} {job.status:8} {job.name:30} try {job.attempts} "
                   f"{job.created_at:%Y-%m-%d %H:%M:%S}Z {progress:>11} {detail}".rstrip())


@jobs_cli.command("retry")
@click.argument("job_id", type=int)
def jobs_retry(job_id):
    """Put failed job JOB_ID back in the queue."""
    from portal.core import jobs

    try:
        jobs.retry(job_id)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"job {job_id} queued again.")
