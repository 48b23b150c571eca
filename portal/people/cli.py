"""`flask people ...`: positions of the manual, contracts that ended."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

people_cli = AppGroup("people", help="Staff, positions and contracts.")


@people_cli.command("seed-positions")
def seed_positions_command():
    """Add the positions and requirements of MNOP-01 §2.1 that are missing."""
    from portal.people.seed import seed_positions

    lines = seed_positions()
    db.session.commit()
    click.echo("\n".join(lines) or "positions already present; nothing changed")


@people_cli.command("end-expired")
def end_expired_command():
    """End the staff records whose last contract ended before today (and stop their login)."""
    from portal.people.services import end_expired

    ended = end_expired()
    db.session.commit()
    click.echo(f"{len(ended)} staff record(s) ended")
