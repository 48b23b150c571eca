"""`flask documents import PATH` and `flask documents activate`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

documents_cli = AppGroup("documents", help="The register of controlled documents.")


@documents_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
def documents_import(path):
    """Register the document(s) in PATH (a text file or a folder of them)."""
    from portal.documents.importer import import_path

    results = import_path(path)
    db.session.commit()
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
    """Make effective every approved revision whose effective date has come (the scheduler also does this)."""
    from portal.documents.services import activate_due

    due = activate_due()
    db.session.commit()
    click.echo(f"{len(due)} revision(s) became effective.")
