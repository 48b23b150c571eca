"""`flask audit verify`: walk the hash chain of the audit trail."""
from __future__ import annotations

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit trail.")


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
