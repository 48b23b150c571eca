"""revision: who returned a draft, when and why (shown to its author until it is submitted again)

Revision ID: 7b1e4d2c9a05
Revises: 3c7d5a1e9b20
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = '7b1e4d2c9a05'
down_revision = '3c7d5a1e9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revision') as batch:
        batch.add_column(sa.Column('returned_reason', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('returned_by', sa.String(length=120), nullable=False, server_default=''))
        batch.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('revision') as batch:
        batch.drop_column('returned_at')
        batch.drop_column('returned_by')
        batch.drop_column('returned_reason')
