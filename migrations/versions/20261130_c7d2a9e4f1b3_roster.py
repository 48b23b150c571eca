"""roster: shifts and operating hours per service, a team's month of shifts (draft, published with its signed
version), changes after publishing, attendance (check-in, check-out, absence); the company's days off of the
working-day calendar (core/workdays.py)

Revision ID: c7d2a9e4f1b3
Revises: c5f9d3e7a214
Create Date: 2026-11-30 03:32:38.283600

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d2a9e4f1b3'
down_revision = 'c5f9d3e7a214'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_service_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.Column('late_tolerance', sa.Integer(), nullable=False),
    sa.Column('early_tolerance', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_roster_service_hours_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_service_hours')),
    sa.UniqueConstraint('service_id', name=op.f('uq_roster_service_hours_service_id'))
    )
    op.create_table('roster_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_roster_shift_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_shift')),
    sa.UniqueConstraint('service_id', 'code', name=op.f('uq_roster_shift_service_id'))
    )
    with op.batch_alter_table('roster_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_shift_service_id'), ['service_id'], unique=False)

    op.create_table('company_day_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_company_day_off_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_day_off')),
    sa.UniqueConstraint('day', name=op.f('uq_company_day_off_day'))
    )
    op.create_table('roster_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('check_in', sa.DateTime(), nullable=True),
    sa.Column('check_out', sa.DateTime(), nullable=True),
    sa.Column('in_address', sa.String(length=64), nullable=False),
    sa.Column('out_address', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('absence', sa.String(length=12), nullable=False),
    sa.Column('absence_note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_roster_attendance_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_roster_attendance_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_attendance')),
    sa.UniqueConstraint('staff_id', 'day', name=op.f('uq_roster_attendance_staff_id'))
    )
    with op.batch_alter_table('roster_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_attendance_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_attendance_staff_id'), ['staff_id'], unique=False)

    op.create_table('roster_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_name', sa.String(length=120), nullable=False),
    sa.Column('published_position', sa.String(length=120), nullable=False),
    sa.Column('published_json', sa.Text(), nullable=False),
    sa.Column('f02_record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_roster_month_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_roster_month_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_month')),
    sa.UniqueConstraint('team_id', 'month', name=op.f('uq_roster_month_team_id'))
    )
    with op.batch_alter_table('roster_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_month_team_id'), ['team_id'], unique=False)

    op.create_table('roster_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('old_code', sa.String(length=10), nullable=False),
    sa.Column('new_code', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('by_name', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_roster_change_by_id_user_account')),
    sa.ForeignKeyConstraint(['month_id'], ['roster_month.id'], name=op.f('fk_roster_change_month_id_roster_month'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_roster_change_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_change'))
    )
    with op.batch_alter_table('roster_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_change_month_id'), ['month_id'], unique=False)

    op.create_table('roster_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['month_id'], ['roster_month.id'], name=op.f('fk_roster_entry_month_id_roster_month'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['roster_shift.id'], name=op.f('fk_roster_entry_shift_id_roster_shift')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_roster_entry_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entry')),
    sa.UniqueConstraint('staff_id', 'day', name=op.f('uq_roster_entry_staff_id'))
    )
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entry_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_month_id'), ['month_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_staff_id'), ['staff_id'], unique=False)



def downgrade():
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entry_staff_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_month_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_day'))

    op.drop_table('roster_entry')
    with op.batch_alter_table('roster_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_change_month_id'))

    op.drop_table('roster_change')
    with op.batch_alter_table('roster_month', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_month_team_id'))

    op.drop_table('roster_month')
    with op.batch_alter_table('roster_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_attendance_staff_id'))
        batch_op.drop_index(batch_op.f('ix_roster_attendance_day'))

    op.drop_table('roster_attendance')
    op.drop_table('company_day_off')
    with op.batch_alter_table('roster_shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_shift_service_id'))

    op.drop_table('roster_shift')
    op.drop_table('roster_service_hours')
