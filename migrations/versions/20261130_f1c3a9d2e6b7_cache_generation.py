"""speed: cache generations — one row per area of shared page fragments (`core/fragments.py`), whose token the
database itself replaces with a random number whenever a table of that area changes (triggers: every INSERT,
UPDATE or DELETE, through the portal or not), so a fragment cached under a token can never be served after a change.

Revision ID: f1c3a9d2e6b7
Revises: e5f2b8c1d407
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1c3a9d2e6b7'
down_revision = 'e5f2b8c1d407'
branch_labels = None
depends_on = None

# The tables whose rows the shared fragments of an area show. Keep in step with portal/core/fragments.py AREAS.
AREAS = {
    "documents": ["document", "revision", "signature", "document_link", "record_type", "document_service",
                  "document_site", "site", "service"],
}
OPS = ("INSERT", "UPDATE", "DELETE")


def upgrade():
    op.create_table('cache_generation',
                    sa.Column('name', sa.String(length=40), nullable=False),
                    sa.Column('token', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_generation')))
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE OR REPLACE FUNCTION cache_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN UPDATE cache_generation SET token = floor(random() * 9.2e18)::bigint - 4600000000000000000 "
                   "WHERE name = TG_ARGV[0]; RETURN NULL; END $$")
    for area, tables in AREAS.items():
        random_token = "floor(random() * 9.2e18)::bigint - 4600000000000000000" if postgres else "random()"
        op.execute(f"INSERT INTO cache_generation (name, token) VALUES ('{area}', {random_token})")
        for table in tables:
            if postgres:
                op.execute(f"CREATE TRIGGER cg_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION cache_generation_bump('{area}')")
            else:
                for operation in OPS:
                    op.execute(f"CREATE TRIGGER cg_{table}_{operation.lower()} AFTER {operation} ON {table} "
                               f"BEGIN UPDATE cache_generation SET token = random() WHERE name = '{area}'; END")


def downgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for tables in AREAS.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS cg_{table} ON {table}")
            else:
                for operation in OPS:
                    op.execute(f"DROP TRIGGER IF EXISTS cg_{table}_{operation.lower()}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS cache_generation_bump()")
    op.drop_table('cache_generation')
