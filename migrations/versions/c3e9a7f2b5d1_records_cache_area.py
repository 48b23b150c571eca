"""speed: a "records" area of cache generations — its token changes when a record is added or deleted, or when one
of the columns the records list filters on changes (status, form, site, service, author, period), so the list's count
(up to 1,001 index entries read on every page) is kept while it cannot have changed. An autosave writes none of those
columns: the token, and the count, stay.

Revision ID: c3e9a7f2b5d1
Revises: b7e2d4f9a1c3
Create Date: 2026-12-01

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e9a7f2b5d1'
down_revision = 'b7e2d4f9a1c3'
branch_labels = None
depends_on = None

# Keep in step with portal/core/fragments.py AREAS and portal/records/queries.py shaped_records.
AREA, TABLE = "records", "record"
COLUMNS = "status, form_code, site_id, service_id, created_by_id, period_start"
EVENTS = {"insert": "INSERT", "delete": "DELETE", "update": f"UPDATE OF {COLUMNS}"}


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    random_token = "floor(random() * 9.2e18)::bigint - 4600000000000000000" if postgres else "random()"
    op.execute(f"INSERT INTO cache_generation (name, token) VALUES ('{AREA}', {random_token})")
    if postgres:  # cache_generation_bump() is f1c3a9d2e6b7's
        op.execute(f"CREATE TRIGGER cg_{TABLE} AFTER INSERT OR UPDATE OF {COLUMNS} OR DELETE OR TRUNCATE ON {TABLE} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION cache_generation_bump('{AREA}')")
    else:
        for name, event in EVENTS.items():
            op.execute(f"CREATE TRIGGER cg_{TABLE}_{name} AFTER {event} ON {TABLE} "
                       f"BEGIN UPDATE cache_generation SET token = random() WHERE name = '{AREA}'; END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"DROP TRIGGER IF EXISTS cg_{TABLE} ON {TABLE}")
    else:
        for name in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS cg_{TABLE}_{name}")
    op.execute(f"DELETE FROM cache_generation WHERE name = '{AREA}'")
