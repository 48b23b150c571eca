"""speed: a partial index on the revisions that carry an online form's field schema (the list of forms no longer
reads every effective revision of the register)

Revision ID: c5f9d3e7a214
Revises: c7f2a9d4e5b1
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = 'c5f9d3e7a214'
down_revision = 'c7f2a9d4e5b1'
branch_labels = None
depends_on = None

FORM_SCHEMA_SQL = """meta_json LIKE '%"form_schema"%'"""  # as portal/documents/models.py


def upgrade():
    op.create_index('ix_revision_online_form', 'revision', ['status', 'document_id'],
                    sqlite_where=sa.text(FORM_SCHEMA_SQL), postgresql_where=sa.text(FORM_SCHEMA_SQL))


def downgrade():
    op.drop_index('ix_revision_online_form', table_name='revision')
