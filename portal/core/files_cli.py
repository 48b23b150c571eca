"""`flask files orphans [--delete]`: files of the documents store that no database row refers to."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.extensions import db

files_cli = AppGroup("files", help="The documents store: files no row refers to.")


@files_cli.command("orphans")
@click.option("--delete", is_flag=True, help="Delete them (each deletion is written to the audit trail).")
@click.option("--min-age", type=click.IntRange(min=0), default=60, show_default=True,
              help="Minutes: younger files are left alone (their request or job may not have committed yet).")
def files_orphans(delete, min_age):
    """List files no row refers to (originals, record archives, exports) and temporary files left by a crash."""
    from portal.core import files

    orphans = files.find_orphans(timedelta(minutes=min_age))
    for o in orphans:
        click.echo(f"{o.reason:12} {o.size:>12,} B  {o.modified:%Y-%m-%d %H:%M}Z  {o.path}")
    total = sum(o.size for o in orphans)
    if not delete:
        click.echo(f"{len(orphans)} orphan file(s), {total:,} bytes." + (" Run with --delete to remove them." if orphans else ""))
        return
    deleted = files.delete_orphans(orphans)
    db.session.commit()
    click.echo(f"{deleted} orphan file(s) deleted ({total:,} bytes), each recorded in the audit trail.")
