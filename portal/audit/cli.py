"""`flask audit verify`: walk the hash chain of the audit trail."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def audit_verify():
    """Check the audit trail: hash chain, HMAC of every row, anchors; report the first problem."""
    from portal.core.audit import verify_chain

    # A read-only walk: on SQLite do not take the write lock for its duration (writers keep going).
    db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    result = verify_chain()
    db.session.rollback()
    # Then every signed revision and record against its signatures (a mismatch is also recorded for the QMR).
    from portal.core import modules

    changed = [line for module in modules.enabled() if module.integrity_check for line in module.integrity_check()]
    db.session.commit()
    for line in changed:
        click.echo(f"CHANGED: {line}", err=True)
    if result.ok:
        click.echo(f"OK: {result.checked} audit events, chain intact; {result.anchors} anchor(s) hold.")
        for note in result.notes:
            click.echo(f"Note: {note}.")
        if changed:
            click.echo(f"{len(changed)} signed object(s) changed outside the portal.", err=True)
            raise SystemExit(1)
        click.echo("Every signed revision and record matches its signatures.")
        return
    click.echo(f"BROKEN at audit event {result.broken_id}: {result.problem} "
               f"({result.checked} events before it are intact).", err=True)
    raise SystemExit(1)


@audit_cli.command("anchor")
def audit_anchor():
    """Append the chain head to the anchors file outside the database (schedule it, e.g. hourly)."""
    from portal.core.audit import anchors_path, write_anchor

    anchor = write_anchor(reason="flask audit anchor")
    click.echo(f"Anchored {anchor['count']} audit events up to id {anchor['last_id']} "
               f"({anchor['last_hash'][:16]}…) in {anchors_path()}.")
