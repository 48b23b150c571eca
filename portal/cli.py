"""`flask demo load`: each enabled module adds its demonstration data, in module order."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core import modules
from portal.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data (only when PORTAL_DEMO is set).")


@demo_cli.command("load")
def demo_load():
    """Create the demo data of every enabled module (sites, services, one user per role, documents, records...)."""
    if not current_app.config.get("PORTAL_DEMO"):
        click.echo("Refused: demo data is only loaded when PORTAL_DEMO=1 is configured "
                   "(it creates accounts with a known password).", err=True)
        raise SystemExit(2)
    lines = load_demo()
    db.session.commit()
    for line in lines:
        click.echo(line)


def load_demo() -> list[str]:
    """Run every enabled module's demo loader in order; running it twice changes nothing."""
    out: list[str] = []
    for module in modules.enabled():
        if module.demo is not None:
            out += module.demo()
            db.session.flush()
    return out or ["demo data already present; nothing changed"]


def register(app) -> None:
    from portal.core.backup_cli import backup_cli
    from portal.core.files_cli import files_cli
    from portal.core.jobs_cli import jobs_cli

    app.cli.add_command(backup_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(jobs_cli)
