"""speed: record (status, period_start, id) — the records list filtered by status reads its page in order from this
index; it used the (status, disposal_due_on) index and sorted every record of the status (6 ms at 5,000 approved
records, growing with them).

Revision ID: a8d4c2e9f1b6
Revises: f1c3a9d2e6b7
Create Date: 2026-11-30

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8d4c2e9f1b6'
down_revision = 'f1c3a9d2e6b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_record_status_period', 'record', ['status', 'period_start', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_record_status_period', table_name='record')
