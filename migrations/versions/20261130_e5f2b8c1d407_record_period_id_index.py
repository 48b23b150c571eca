"""speed: the records list's order as one index — record (period_start, id) replaces the index on period_start
alone. PostgreSQL read every record of the latest days and sorted them to show 50 (the records list grew 1.27× from
5,000 to 200,000 records); SQLite's index already ends with the rowid, so it reads the same entries either way.

Revision ID: e5f2b8c1d407
Revises: d4e1a7b9c302
Create Date: 2026-11-30

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f2b8c1d407'
down_revision = 'd4e1a7b9c302'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_record_period', 'record', ['period_start', 'id'], unique=False)
    op.drop_index('ix_record_period_start', table_name='record')


def downgrade():
    op.create_index('ix_record_period_start', 'record', ['period_start'], unique=False)
    op.drop_index('ix_record_period', table_name='record')
