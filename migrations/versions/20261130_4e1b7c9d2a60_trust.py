"""revision.row_version (a save from an out-of-date editor is refused, 409); api_token.expires_at

Revision ID: 4e1b7c9d2a60
Revises: 4e8b1c7d2a96
Create Date: 2026-11-30
"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = '4e1b7c9d2a60'
down_revision = '4e8b1c7d2a96'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revision') as batch:
        batch.add_column(sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'))
    # Tokens made before expiry existed get the default 90 days from now, then expire like any other.
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    expires = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=90)
    op.get_bind().execute(sa.text("UPDATE api_token SET expires_at = :at WHERE expires_at IS NULL"), {"at": expires})
    with op.batch_alter_table('api_token') as batch:
        batch.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('revision') as batch:
        batch.drop_column('row_version')
