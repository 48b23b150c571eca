"""flask monitoring seed-kpis: the KPI definitions of the catalogue for the services that exist."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

monitoring_cli = AppGroup("monitoring", help="Performance monitoring (KPIs).")


@monitoring_cli.command("seed-kpis")
def seed_command():
    """Add the catalogue's KPIs that are missing."""
    from portal.monitoring import services

    for line in services.seed_kpis():
        click.echo(line)
    db.session.commit()
