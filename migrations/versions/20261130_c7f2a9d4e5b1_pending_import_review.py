"""Pending imports: the first page of a scanned PDF as an image, and the warnings as read with the field each is about
(so a warning goes away when its field is corrected)

Revision ID: c7f2a9d4e5b1
Revises: b4e8c2d6f913
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7f2a9d4e5b1'
down_revision = 'b4e8c2d6f913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_import') as batch:
        batch.add_column(sa.Column('page_image', sa.String(length=255), nullable=False, server_default=''))
        batch.add_column(sa.Column('read_warnings_json', sa.Text(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('pending_import') as batch:
        batch.drop_column('read_warnings_json')
        batch.drop_column('page_image')
