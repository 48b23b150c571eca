"""capa: nonconformities (register, root cause, effectiveness gate), corrective actions with evidence files,
effectiveness checks and ISO clause evidence packs

Revision ID: a3b56e763423
Revises: e3a1f7c9b2d4
Create Date: 2026-11-30 06:42:54.618419

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3b56e763423'
down_revision = 'e3a1f7c9b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('capa_evidence_pack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=8), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('file_path', sa.String(length=255), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_capa_evidence_pack_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capa_evidence_pack'))
    )
    with op.batch_alter_table('capa_evidence_pack', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capa_evidence_pack_user_id'), ['user_id'], unique=False)

    op.create_table('capa_nc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_ref', sa.String(length=120), nullable=False),
    sa.Column('evidence_json', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('process', sa.String(length=200), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_code', sa.String(length=80), nullable=False),
    sa.Column('clause', sa.String(length=300), nullable=False),
    sa.Column('classification', sa.String(length=12), nullable=False),
    sa.Column('containment', sa.Text(), nullable=False),
    sa.Column('containment_on', sa.Date(), nullable=True),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('correction_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('whys_json', sa.Text(), nullable=False),
    sa.Column('fishbone_json', sa.Text(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('check_due', sa.Date(), nullable=True),
    sa.Column('check_kind', sa.String(length=20), nullable=False),
    sa.Column('check_params_json', sa.Text(), nullable=False),
    sa.Column('check_criterion', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('raised_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_capa_nc_document_id_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'], name=op.f('fk_capa_nc_raised_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_capa_nc_service_id_service')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_capa_nc_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capa_nc')),
    sa.UniqueConstraint('number', name=op.f('uq_capa_nc_number')),
    sa.UniqueConstraint('year', 'seq', name='uq_capa_nc_year_seq')
    )
    with op.batch_alter_table('capa_nc', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capa_nc_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_capa_nc_month', ['month', 'source', 'classification'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_nc_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_nc_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_nc_status'), ['status'], unique=False)

    op.create_table('capa_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nc_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=False),
    sa.Column('links_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['nc_id'], ['capa_nc.id'], name=op.f('fk_capa_action_nc_id_capa_nc'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_capa_action_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capa_action'))
    )
    with op.batch_alter_table('capa_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capa_action_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_action_nc_id'), ['nc_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capa_action_status'), ['status'], unique=False)

    op.create_table('capa_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nc_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_name', sa.String(length=120), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['nc_id'], ['capa_nc.id'], name=op.f('fk_capa_check_nc_id_capa_nc'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_capa_check_verified_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capa_check'))
    )
    with op.batch_alter_table('capa_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capa_check_nc_id'), ['nc_id'], unique=False)

    op.create_table('capa_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('file_path', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['capa_action.id'], name=op.f('fk_capa_attachment_action_id_capa_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_capa_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capa_attachment'))
    )
    with op.batch_alter_table('capa_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capa_attachment_action_id'), ['action_id'], unique=False)



def downgrade():
    with op.batch_alter_table('capa_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capa_attachment_action_id'))

    op.drop_table('capa_attachment')
    with op.batch_alter_table('capa_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capa_check_nc_id'))

    op.drop_table('capa_check')
    with op.batch_alter_table('capa_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capa_action_status'))
        batch_op.drop_index(batch_op.f('ix_capa_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_capa_action_nc_id'))
        batch_op.drop_index(batch_op.f('ix_capa_action_due_on'))

    op.drop_table('capa_action')
    with op.batch_alter_table('capa_nc', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capa_nc_status'))
        batch_op.drop_index(batch_op.f('ix_capa_nc_site_id'))
        batch_op.drop_index(batch_op.f('ix_capa_nc_service_id'))
        batch_op.drop_index('ix_capa_nc_month')
        batch_op.drop_index(batch_op.f('ix_capa_nc_document_id'))

    op.drop_table('capa_nc')
    with op.batch_alter_table('capa_evidence_pack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capa_evidence_pack_user_id'))

    op.drop_table('capa_evidence_pack')
