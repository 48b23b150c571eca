"""`flask coaching seed`: the warning levels (teguran lisan, SP1-SP3) and the escalation rules, when missing."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

coaching_cli = AppGroup("coaching", help="Coaching and discipline.")


@coaching_cli.command("seed")
def seed_command():
    """Add the warning levels and escalation rules that are missing."""
    from portal.coaching.services import seed

    lines = seed()
    db.session.commit()
    for line in lines or ["nothing to add"]:
        click.echo(line)
