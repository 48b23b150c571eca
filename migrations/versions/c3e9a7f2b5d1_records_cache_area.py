"""speed: a "records" area of cache generations — its token changes when a record is added or deleted, when one of
the columns the records list filters on or shows changes (status, form, site, service, author, period, version, legal
hold), and when a person's name changes (the list shows its authors' names). The list's results (count, rows, pager)
are then a shared fragment, kept while they cannot have changed. An autosave writes none of those columns (only the
content, its hash, the row version and the time): the token, and every reader's list, stay.

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

# Keep in step with portal/core/fragments.py AREAS and portal/records/views.py (what the list filters on and shows).
AREA = "records"
RECORD_COLUMNS = ("status, form_code, form_document_id, site_id, service_id, created_by_id, period_start, period_end, "
                  "version, legal_hold")
# (trigger name, table, event)
SQLITE_TRIGGERS = [("cg_record_insert", "record", "INSERT"), ("cg_record_delete", "record", "DELETE"),
                   ("cg_record_update", "record", f"UPDATE OF {RECORD_COLUMNS}"),
                   ("cg_user_account_name", "user_account", "UPDATE OF full_name")]
POSTGRES_TRIGGERS = [("cg_record", "record", f"INSERT OR UPDATE OF {RECORD_COLUMNS} OR DELETE OR TRUNCATE"),
                     ("cg_user_account_name", "user_account", "UPDATE OF full_name")]


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    random_token = "floor(random() * 9.2e18)::bigint - 4600000000000000000" if postgres else "random()"
    op.execute(f"INSERT INTO cache_generation (name, token) VALUES ('{AREA}', {random_token})")
    if postgres:  # cache_generation_bump() is f1c3a9d2e6b7's
        for name, table, events in POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION cache_generation_bump('{AREA}')")
    else:
        for name, table, events in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                       f"BEGIN UPDATE cache_generation SET token = random() WHERE name = '{AREA}'; END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _events in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    op.execute(f"DELETE FROM cache_generation WHERE name = '{AREA}'")
