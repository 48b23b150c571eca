"""flask tapping seed: the return reasons, the assessment parameters of P-03 Rev.00 and the QVS target."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

tapping_cli = AppGroup("tapping", help="Call quality (tapping).")


@tapping_cli.command("seed")
def seed_command():
    """Add the reasons, parameters and the target when missing."""
    from portal.tapping import services

    for line in services.seed():
        click.echo(line)
    db.session.commit()
