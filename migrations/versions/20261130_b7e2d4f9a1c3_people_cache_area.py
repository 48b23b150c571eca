"""speed: a "people" area of cache generations — its token changes with every write to `staff` and `staff_contract`
(the same triggers as the documents area, f1c3a9d2e6b7), so values computed from them (the home page's contracts
ending soon, counted over the whole staff and their contracts) are kept while they are unchanged.

Revision ID: b7e2d4f9a1c3
Revises: a8d4c2e9f1b6
Create Date: 2026-11-30

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2d4f9a1c3'
down_revision = 'a8d4c2e9f1b6'
branch_labels = None
depends_on = None

# Keep in step with portal/core/fragments.py AREAS.
AREA, TABLES = "people", ["staff", "staff_contract"]
OPS = ("INSERT", "UPDATE", "DELETE")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    random_token = "floor(random() * 9.2e18)::bigint - 4600000000000000000" if postgres else "random()"
    op.execute(f"INSERT INTO cache_generation (name, token) VALUES ('{AREA}', {random_token})")
    for table in TABLES:
        if postgres:  # cache_generation_bump() is f1c3a9d2e6b7's
            op.execute(f"CREATE TRIGGER cg_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION cache_generation_bump('{AREA}')")
        else:
            for operation in OPS:
                op.execute(f"CREATE TRIGGER cg_{table}_{operation.lower()} AFTER {operation} ON {table} "
                           f"BEGIN UPDATE cache_generation SET token = random() WHERE name = '{AREA}'; END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS cg_{table} ON {table}")
        else:
            for operation in OPS:
                op.execute(f"DROP TRIGGER IF EXISTS cg_{table}_{operation.lower()}")
    op.execute(f"DELETE FROM cache_generation WHERE name = '{AREA}'")
