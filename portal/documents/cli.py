"""`flask documents import PATH` and `flask documents activate`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

documents_cli = AppGroup("documents", help="The register of controlled documents.")


@documents_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--review", is_flag=True, help="Leave each file as a pending import for a person to check "
                                             "(/documents/import) instead of registering it.")
def documents_import(path, review):
    """Register the document(s) in PATH (a .docx/.pdf/.odt/.txt/.md file or a folder of them)."""
    from portal.documents.importer import import_path

    if review:
        return _review(path)

    results = import_path(path)
    db.session.commit()
    for r in results:
        code = f"{r.code} rev {r.revision}" if r.code and r.revision else (r.code or "-")
        click.echo(f"{r.source}: {code} -> {r.status}: {r.message}")
        for w in r.warnings:
            click.echo(f"          ! {w}")
    count = {s: sum(r.status == s and not r.unsupported for r in results)
             for s in ("imported", "filled", "draft", "skipped", "conflict", "refused")}
    click.echo(f"{len(results)} file(s): {count['imported']} imported, "
               f"{count['skipped']} already present, {count['refused']} refused.")
    click.echo(f"{count['draft']} new draft(s), {count['filled']} filled, {count['conflict']} conflict(s), "
               f"{sum(r.unsupported for r in results)} unsupported.")
    if count["refused"] or count["conflict"]:
        raise SystemExit(1)


def _review(path):
    """`--review`: every file becomes a pending import; prints what was read from each and its warnings."""
    from portal.documents.pending import parsed_of, review_path

    result = review_path(path)
    db.session.commit()
    for p in result.created:
        parsed = parsed_of(p)
        code = f"{p.code} rev {p.revision_number}" if p.code and p.revision_number else (p.code or "-")
        click.echo(f"{p.file_name}: {code} -> pending import {p.id}: {parsed.title or '-'} "
                   f"({len(parsed.sections)} section(s), {len(p.warnings)} warning(s))")
        for w in p.warnings:
            click.echo(f"          ! {w}")
    for name, why in result.refused:
        click.echo(f"{name}: - -> refused: {why}")
    click.echo(f"{len(result.created) + len(result.refused)} file(s): {len(result.created)} waiting for review, "
               f"{len(result.refused)} refused.")
    if result.refused:
        raise SystemExit(1)


@documents_cli.command("activate")
def documents_activate():
    """Make effective every approved revision whose effective date has come (the scheduler also does this)."""
    from portal.documents.services import activate_due

    due = activate_due()
    db.session.commit()
    click.echo(f"{len(due)} revision(s) became effective.")
