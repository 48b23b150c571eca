"""Command-line tools: `flask audit verify`, `flask demo load`, `flask jobs …`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")
demo_cli = AppGroup("demo", help="Demonstration data (only when PORTAL_DEMO is set).")
documents_cli = AppGroup("documents", help="The register of controlled documents.")
jobs_cli = AppGroup("jobs", help="Background jobs: RQ worker, scheduler, list, retry.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def jobs_worker(burst):
    """Run jobs from the RQ queue (JOBS_BACKEND=rq) in this process, without forking."""
    from rq import SimpleWorker

    from portal.core import jobs

    if jobs.backend() != "rq":
        click.echo(f"Warning: JOBS_BACKEND is {jobs.backend()!r}; nothing is sent to RQ unless it is 'rq'.", err=True)
    queue = jobs.rq_queue()
    worker = SimpleWorker([queue], connection=queue.connection)
    click.echo(f"RQ worker on queue {queue.name!r} ({current_app.config.get('REDIS_URL')}).")
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


@documents_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
def documents_import(path):
    """Register the document(s) in PATH (a text file or a folder of them)."""
    from portal.documents.importer import import_path

    results = import_path(path)
    refused = 0
    for r in results:
        click.echo(f"{r.status:9} {r.code or '-':28} {r.message}  [{r.source}]")
        for w in r.warnings:
            click.echo(f"          ! {w}")
        refused += r.status == "refused"
    click.echo(f"{len(results)} file(s): {sum(r.status == 'imported' for r in results)} imported, "
               f"{sum(r.status == 'skipped' for r in results)} already present, {refused} refused.")
    if refused:
        raise SystemExit(1)


@documents_cli.command("activate")
def documents_activate():
    """Make effective every approved revision whose effective date has come (run daily from cron)."""
    from portal.documents.services import activate_due

    due = activate_due()
    db.session.commit()
    click.echo(f"{len(due)} revision(s) became effective.")


@audit_cli.command("verify")
def audit_verify():
    """Check the hash chain of the audit trail; report the first broken link."""
    from portal.core.audit import verify_chain

    result = verify_chain()
    if result.ok:
        click.echo(f"OK: {result.checked} audit events, chain intact.")
        return
    click.echo(f"BROKEN at audit event {result.broken_id}: {result.problem} "
               f"({result.checked} events before it are intact).", err=True)
    raise SystemExit(1)


@demo_cli.command("load")
def demo_load():
    """Create the sites, services and one demo user per role (password portal-demo)."""
    if not current_app.config.get("PORTAL_DEMO"):
        click.echo("Refused: demo data is only loaded when PORTAL_DEMO=1 is configured "
                   "(it creates accounts with a known password).", err=True)
        raise SystemExit(2)
    from portal import demo

    summary = demo.load()
    db.session.commit()
    for line in summary:
        click.echo(line)


def register(app) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(jobs_cli)
