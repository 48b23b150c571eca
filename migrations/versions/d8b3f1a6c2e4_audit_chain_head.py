"""speed: on PostgreSQL, one function takes the audit chain's lock and reads its head (`audit_chain_head()`), so an
audit event costs two round trips (the head, the INSERT) instead of three (the lock, the head, the INSERT).

The function is VOLATILE: its SELECT takes a snapshot of its own after the lock is granted, so it sees the event a
writer that held the lock before it committed (a SELECT in the same statement as the lock would not). SQLite has one
writer at a time and needs neither.

Revision ID: d8b3f1a6c2e4
Revises: c3e9a7f2b5d1
Create Date: 2026-12-01

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8b3f1a6c2e4'
down_revision = 'c3e9a7f2b5d1'
branch_labels = None
depends_on = None

# The chain's lock key (740051) lives here only; portal/core/audit.py calls the function (_LOCKED_HEAD).
FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head(OUT id integer, OUT hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(740051);
    SELECT e.id, e.hash INTO id, hash FROM audit_event AS e ORDER BY e.id DESC LIMIT 1;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head()")
