"""search: on SQLite the FTS5 row of a document takes the document's id as its rowid (re-indexing one document is a
lookup, not a scan of the index)

Revision ID: e3a1f7c9b2d4
Revises: 7b2d960e0de6
Create Date: 2026-11-30
"""
from alembic import op

revision = 'e3a1f7c9b2d4'
down_revision = '7b2d960e0de6'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return  # PostgreSQL's document_search has document_id as its primary key already
    op.execute("CREATE TEMP TABLE fts_copy AS SELECT rowid AS old_rowid, document_id, code, title, body FROM document_fts")
    op.execute("DELETE FROM document_fts")
    op.execute("INSERT INTO document_fts (rowid, document_id, code, title, body) "
               "SELECT document_id, document_id, code, title, body FROM fts_copy "
               "WHERE old_rowid IN (SELECT max(old_rowid) FROM fts_copy WHERE document_id IS NOT NULL GROUP BY document_id)")
    op.execute("DROP TABLE fts_copy")


def downgrade():
    pass  # rowids equal to the document ids are valid rowids for the earlier code too
