"""Pending imports: uploaded files read into documents, waiting for a person to accept or reject them

Revision ID: 5b9d3e7f1a42
Revises: a7d3e5f1c210
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '5b9d3e7f1a42'
down_revision = 'a7d3e5f1c210'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_path', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('revision_number', sa.String(length=4), nullable=False),
    sa.Column('parsed_json', sa.Text(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('source_truncated', sa.Boolean(), nullable=False),
    sa.Column('warnings_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('outcome_message', sa.Text(), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_pending_import_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_pending_import_revision_id_revision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_pending_import_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_import'))
    )
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_import_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_import_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_import_status'))
        batch_op.drop_index(batch_op.f('ix_pending_import_file_sha256'))
    op.drop_table('pending_import')
