"""user_account.previous_login_at: the sign-in before the current one (what "Terakhir masuk" shows)

Revision ID: 5d2a8c1f0b37
Revises: 7b1e4d2c9a05
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = '5d2a8c1f0b37'
down_revision = '7b1e4d2c9a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('previous_login_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('previous_login_at')
