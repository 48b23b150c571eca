"""disposal: the witness ("saksi") who signs the record of destruction beside the approver

Revision ID: 4e8b1c7d2a96
Revises: a4c8e2f61b09
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '4e8b1c7d2a96'
down_revision = 'a4c8e2f61b09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disposal') as batch:
        batch.add_column(sa.Column('witness_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('witness_name', sa.String(length=120), nullable=False, server_default=''))
        batch.add_column(sa.Column('witness_position', sa.String(length=160), nullable=False, server_default=''))
        batch.add_column(sa.Column('witnessed_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(batch.f('fk_disposal_witness_id_user_account'), 'user_account', ['witness_id'], ['id'])


def downgrade():
    with op.batch_alter_table('disposal') as batch:
        batch.drop_constraint(batch.f('fk_disposal_witness_id_user_account'), type_='foreignkey')
        batch.drop_column('witnessed_at')
        batch.drop_column('witness_position')
        batch.drop_column('witness_name')
        batch.drop_column('witness_id')
