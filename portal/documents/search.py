"""Full-text search over the current revision of each document: SQLite FTS5 or PostgreSQL tsvector."""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import text

from portal.extensions import db

START, STOP = "\x02", "\x03"
WORD_RE = re.compile(r"[\w.-]+", re.UNICODE)

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE document_fts USING fts5(code, title, body, document_id UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRES_DDL = [
    "CREATE TABLE document_search (document_id integer PRIMARY KEY REFERENCES document(id) ON DELETE CASCADE, "
    "code text NOT NULL, title text NOT NULL, body text NOT NULL, "
    "tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', code || ' ' || title), 'A') || "
    "setweight(to_tsvector('simple', body), 'B')) STORED)",
    "CREATE INDEX ix_document_search_tsv ON document_search USING gin (tsv)",
]
# Tables the ORM metadata does not know (kept out of migration comparisons).
SEARCH_TABLES = ("document_fts", "document_search")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert_sql() -> str:
    """On SQLite the FTS5 row's rowid is the document's id, so replacing or removing one document's entry is a
    lookup by rowid (`document_id` is UNINDEXED: deleting by it scans the whole index, ≈ 60 ms at 100,000)."""
    if _dialect() == "postgresql":
        return "INSERT INTO document_search (document_id, code, title, body) VALUES (:id, :code, :title, :body)"
    return "INSERT INTO document_fts (rowid, document_id, code, title, body) VALUES (:id, :id, :code, :title, :body)"


def index_document(document_id: int, code: str, title: str, body: str) -> None:
    """Put (or replace) the searchable text of a document's current revision."""
    remove_document(document_id)
    db.session.execute(text(_insert_sql()), {"id": document_id, "code": code, "title": title, "body": body})


def index_new_documents(rows: list[tuple[int, str, str, str]]) -> None:
    """Index many documents not yet in the index, in one executemany per 5,000 rows: (document_id, code, title, body).
    For bulk loads (an import of a register, the benchmarks); `index_document` replaces one document's entry."""
    statement = text(_insert_sql())
    for start in range(0, len(rows), 5000):
        db.session.execute(statement, [{"id": i, "code": c, "title": t, "body": b} for i, c, t, b in rows[start:start + 5000]])


def remove_document(document_id: int) -> None:
    """Take a document out of the search index (withdrawn, or about to be re-indexed)."""
    if _dialect() == "postgresql":
        db.session.execute(text("DELETE FROM document_search WHERE document_id = :id"), {"id": document_id})
    else:
        db.session.execute(text("DELETE FROM document_fts WHERE rowid = :id"), {"id": document_id})


def _terms(query: str) -> list[str]:
    return [w for w in WORD_RE.findall(query or "") if len(w) >= 2][:8]


@dataclass
class Hit:
    document_id: int
    snippet: Markup


def _highlight(raw: str) -> Markup:
    """Escape the snippet, then turn the engine's markers into <mark>."""
    safe = str(escape(raw or ""))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))


def search(query: str, limit: int = 200) -> list[Hit]:
    """Documents whose current revision matches every word of the query (prefix match), best first."""
    terms = _terms(query)
    if not terms:
        return []
    if _dialect() == "postgresql":
        tsquery = " & ".join(re.sub(r"[^\w]", "", t) + ":*" for t in terms if re.sub(r"[^\w]", "", t))
        if not tsquery:
            return []
        rows = db.session.execute(
            text(
                "SELECT document_id, ts_headline('simple', body, q, "
                "'StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=…') "
                "FROM document_search, to_tsquery('simple', :q) AS q WHERE tsv @@ q "
                "ORDER BY ts_rank(tsv, q) DESC, code LIMIT :n"
            ),
            {"q": tsquery, "n": limit},
        )
    else:
        match = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
        rows = db.session.execute(
            text(
                "SELECT document_id, snippet(document_fts, 2, char(2), char(3), '…', 20) FROM document_fts "
                "WHERE document_fts MATCH :q ORDER BY rank LIMIT :n"
            ),
            {"q": match, "n": limit},
        )
    return [Hit(int(r[0]), _highlight(r[1])) for r in rows]
