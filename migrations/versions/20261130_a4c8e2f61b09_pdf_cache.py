"""Rendered PDFs kept in the documents store: printout.cache_key

Revision ID: a4c8e2f61b09
Revises: 9c4f2b7e1d83
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = 'a4c8e2f61b09'
down_revision = '9c4f2b7e1d83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('printout') as batch:
        batch.add_column(sa.Column('cache_key', sa.String(length=64), nullable=True))
        batch.create_index('ix_printout_cache_key', ['cache_key'])


def downgrade():
    with op.batch_alter_table('printout') as batch:
        batch.drop_index('ix_printout_cache_key')
        batch.drop_column('cache_key')
