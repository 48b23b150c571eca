"""`flask backup create|restore`: consistent backups of the database, the documents store and a signed manifest."""
from __future__ import annotations

import click
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Consistent backups (database, documents store, manifest) and their restore.")


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
