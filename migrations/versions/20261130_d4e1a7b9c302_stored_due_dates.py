"""speed: stored due dates — document.review_due_on (last review + interval) and record.disposal_due_on (the end of
a fixed retention period), with indexes, so that the qmr's and dc's home pages count overdue reviews and records past
retention by index range instead of grouping every document and approved record

Revision ID: d4e1a7b9c302
Revises: b5436e3fb20c
Create Date: 2026-11-30

"""
import calendar
import re
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e1a7b9c302'
down_revision = 'b5436e3fb20c'
branch_labels = None
depends_on = None

# The rules as they stand in this revision (portal.documents.services.add_months, portal.records.retention), copied
# so that the migration keeps meaning the same when the application's code moves on.
UNITS = {"tahun": "years", "thn": "years", "year": "years", "years": "years",
         "bulan": "months", "bln": "months", "month": "months", "months": "months",
         "hari": "days", "day": "days", "days": "days"}
FIXED_RE = re.compile(r"^\s*(\d{1,3})\s*([a-z]+)\s*$", re.IGNORECASE)


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return None


def _fixed_disposal(text, period_end):
    m = FIXED_RE.match((text or "").strip())
    if not m or m.group(2).lower() not in UNITS or int(m.group(1)) <= 0:
        return None
    amount, unit = int(m.group(1)), UNITS[m.group(2).lower()]
    try:
        if unit == "days":
            return period_end + timedelta(days=amount + 1)
        months = amount * 12 if unit == "years" else amount
        y, mo = divmod(period_end.month - 1 + months, 12)
        year, month = period_end.year + y, mo + 1
        return date(year, month, min(period_end.day, calendar.monthrange(year, month)[1])) + timedelta(days=1)
    except (OverflowError, ValueError):
        return None


def _as_date(value):
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_document_review_due_on'), ['review_due_on'], unique=False)
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disposal_due_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_record_disposal_due', ['status', 'disposal_due_on'], unique=False)

    bind = op.get_bind()
    # One UPDATE per distinct (date, interval) and (retention text, period end), not per row.
    for reviewed, months in bind.execute(sa.text(
            "SELECT DISTINCT last_reviewed_on, review_interval_months FROM document WHERE last_reviewed_on IS NOT NULL")).all():
        due = _add_months(_as_date(reviewed), months or 0)
        if due is not None:
            bind.execute(sa.text("UPDATE document SET review_due_on = :due WHERE last_reviewed_on = :on "
                                 "AND review_interval_months = :months"), {"due": due, "on": _as_date(reviewed), "months": months})
    for text, period_end in bind.execute(sa.text("SELECT DISTINCT retention_text, period_end FROM record")).all():
        due = _fixed_disposal(text, _as_date(period_end))
        if due is not None:
            bind.execute(sa.text("UPDATE record SET disposal_due_on = :due WHERE retention_text = :text "
                                 "AND period_end = :end"), {"due": due, "text": text, "end": _as_date(period_end)})


def downgrade():
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index('ix_record_disposal_due')
        batch_op.drop_column('disposal_due_on')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_review_due_on'))
        batch_op.drop_column('review_due_on')
