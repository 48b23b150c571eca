"""record.row_version: a version counter, so a save made on an out-of-date draft is refused (409), never lost

Revision ID: 9c4f2b7e1d83
Revises: 5d2a8c1f0b37
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = '9c4f2b7e1d83'
down_revision = '5d2a8c1f0b37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('record') as batch:
        batch.add_column(sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('record') as batch:
        batch.drop_column('row_version')
