"""Command-line tools: `flask audit verify`, `flask demo load`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")
demo_cli = AppGroup("demo", help="Demonstration data (only when PORTAL_DEMO is set).")
documents_cli = AppGroup("documents", help="The register of controlled documents.")


@documents_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
def documents_import(path):
    """Register the document(s) in PATH (a .docx/.pdf/.odt/.txt/.md file or a folder of them)."""
    from portal.documents.importer import import_path

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
