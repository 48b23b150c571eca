"""audit trail: HMAC per row (mac), SQLite trigger against INSERT OR REPLACE

Revision ID: 3c7d5a1e9b20
Revises: 6e8f1904080b
Create Date: 2026-11-29 10:00:00

Existing rows get their MAC here when the audit key is available (AUDIT_HMAC_KEY or instance/audit_key);
otherwise they stay NULL and `flask audit verify` reports them as "no MAC (before key)".
"""
import hashlib
import hmac
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c7d5a1e9b20'
down_revision = '3f7a2c91d4e5'
branch_labels = None
depends_on = None

# Frozen copies of portal.core.audit as of this revision (migrations must not change with the code).
SQLITE_NO_REPLACE = ("CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
                     "WHEN NEW.id IS NULL OR NEW.id <= (SELECT coalesce(max(id), 0) FROM audit_event) "
                     "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
SQLITE_NO_UPDATE = ("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def _key():
    try:
        from flask import current_app

        config, instance = current_app.config, current_app.instance_path
    except RuntimeError:  # alembic without the Flask app: no key
        return None
    if config.get("AUDIT_HMAC_KEY"):
        value = config["AUDIT_HMAC_KEY"]
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    key_file = Path(config.get("AUDIT_HMAC_KEY_FILE") or Path(instance) / "audit_key")
    return key_file.read_bytes() if key_file.exists() else None


def _mac(key, row_id, row_hash):
    return hmac.new(key, f"audit_event:{row_id}:{row_hash}".encode("ascii"), hashlib.sha256).hexdigest()


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    # Plain ADD COLUMN (not batch): a batch copy of the table on SQLite would drop its triggers.
    op.add_column('audit_event', sa.Column('mac', sa.String(length=64), nullable=True))
    key = _key()
    rows = bind.execute(sa.text("SELECT id, hash FROM audit_event ORDER BY id")).all() if key else []
    if rows:
        if dialect == 'postgresql':
            op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete")
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        for row in rows:
            bind.execute(sa.text("UPDATE audit_event SET mac = :mac WHERE id = :id"),
                         {"mac": _mac(key, row.id, row.hash), "id": row.id})
        if dialect == 'postgresql':
            op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete")
        else:
            op.execute(SQLITE_NO_UPDATE)
    if dialect == 'sqlite':
        op.execute(SQLITE_NO_REPLACE)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
        # SQLite >= 3.35 drops a column in place (no table copy, triggers kept).
        op.execute("ALTER TABLE audit_event DROP COLUMN mac")
    else:
        op.drop_column('audit_event', 'mac')
