"""Command-line tools: `flask audit verify|anchor`, `flask backup create|restore`, `flask demo load`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")
demo_cli = AppGroup("demo", help="Demonstration data (only when PORTAL_DEMO is set).")
documents_cli = AppGroup("documents", help="The register of controlled documents.")
backup_cli = AppGroup("backup", help="Consistent backups (database, documents store, manifest) and their restore.")


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
    """Check the audit trail: hash chain, HMAC of every row, anchors; report the first problem."""
    from portal.core.audit import verify_chain

    # A read-only walk: on SQLite do not take the write lock for its duration (writers keep going).
    db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    result = verify_chain()
    db.session.rollback()
    if result.ok:
        click.echo(f"OK: {result.checked} audit events, chain intact; {result.anchors} anchor(s) hold.")
        for note in result.notes:
            click.echo(f"Note: {note}.")
        return
    click.echo(f"BROKEN at audit event {result.broken_id}: {result.problem} "
               f"({result.checked} events before it are intact).", err=True)
    raise SystemExit(1)


@audit_cli.command("anchor")
def audit_anchor():
    """Append the chain head to the anchors file outside the database (schedule it, e.g. hourly)."""
    from portal.core.audit import anchors_path, write_anchor

    anchor = write_anchor(reason="flask audit anchor")
    click.echo(f"Anchored {anchor['count']} audit events up to id {anchor['last_id']} "
               f"({anchor['last_hash'][:16]}…) in {anchors_path()}.")


@backup_cli.command("create")
@click.argument("path", type=click.Path())
def backup_create(path):
    """Write a backup to PATH (a new directory, or a file ending in .tar)."""
    from portal.core import backup

    try:
        manifest = backup.create_backup(path)
    except backup.BackupError as exc:
        click.echo(f"Refused: {exc}", err=True)
        raise SystemExit(1) from exc
    anchor = manifest["audit_anchor"]
    click.echo(f"Backup written to {path}: {len(manifest['files'])} file(s), "
               f"{sum(manifest['tables'].values())} row(s) in {len(manifest['tables'])} table(s), "
               f"audit chain anchored at id {anchor['last_id']}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True))
def backup_restore(path):
    """Restore the backup at PATH into this EMPTY instance (database and documents folder)."""
    from portal.core import backup

    try:
        report = backup.restore_backup(path)
    except backup.BackupError as exc:
        click.echo(f"Refused: {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Restored {report['rows']} row(s) and {report['files']} file(s) from {path}; "
               f"audit chain verified ({report['audit_events']} events).")


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
    from portal.core import audit

    # The audit HMAC key must exist before anything is recorded (required in production; created in
    # demo/debug/test mode). Resolved here because register() runs once per app at start-up.
    audit.init_app(app)
    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(documents_cli)
