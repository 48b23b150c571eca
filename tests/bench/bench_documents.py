"""The document register at scale: 5,000 documents, 20,000 revisions.

`build(app, docs, revisions_per_doc)` adds the data set with bulk inserts; the benchmarks (tests/bench/__main__.py)
and the statement-count walk (tests/core/test_page_walk.py) use it.
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import insert, select

WORDS = ("roster realisasi absensi cluster desk control recovery plan sampling tapping valid return agent "
         "supervisor laporan harian kualitas pelanggan layanan eskalasi pembinaan pelatihan kontrak "
         "monitoring login shift posduk kalibrasi parameter penilaian retensi formulir").split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def build(app, docs: int, revs_per_doc: int) -> None:
    """Insert the data set with bulk inserts (the services are measured by the tests, not here): documents and
    revisions by executemany in batches, the search index filled in bulk (`search.index_new_documents`), never row by
    row through the services; 100,000 documents build in about a minute."""
    import json

    from portal.documents.models import Document, Revision
    from portal.documents.services import add_months
    from portal.documents import search
    from portal.extensions import db

    rng = random.Random(42)
    pool = [_text(rng, 40) for _ in range(2000)]  # fragments combined: varied text without 20 M random draws

    def fragment() -> str:
        return pool[rng.randrange(2000)]

    types = ["P", "W", "F", "S"]
    units = ["OCC", "QCC", "CC"]
    with app.app_context():
        doc_rows = []
        for i in range(docs):
            t, u = types[i % 4], units[i % 3]
            code = f"IN.{u}.TELK.{t}-{i:04d}"
            # As the portal leaves a document whose revision it made effective: reviewed on that day, due 24 months on.
            in_force = date(2017, 1, 1) + timedelta(days=200 * (revs_per_doc - 1))
            doc_rows.append({"code": code, "code_key": code, "title": f"Prosedur {_text(rng, 4).title()}", "doc_type": t,
                             "unit": u, "outbound": False, "review_interval_months": 24, "withdrawn_reason": "",
                             "last_reviewed_on": in_force, "review_due_on": add_months(in_force, 24)})
        db.session.execute(insert(Document), doc_rows)
        ids = dict(db.session.execute(select(Document.code, Document.id)).all())
        rev_rows, index_rows = [], []
        for row in doc_rows:
            doc_id = ids[row["code"]]
            for n in range(revs_per_doc):
                current = n == revs_per_doc - 1
                sections = [{"number": str(k), "title": "Bagian", "body": fragment()} for k in range(1, 4)]
                rev_rows.append({"document_id": doc_id, "number": f"{n:02d}", "status": "effective" if current else "superseded",
                                 "effective_date": date(2017, 1, 1) + timedelta(days=200 * n), "change_description": "Perubahan",
                                 "sections_json": json.dumps(sections), "meta_json": "{}", "content_hash": "", "file_name": "",
                                 "file_path": "", "file_sha256": "", "file_size": 0, "file_mime": "", "imported": True,
                                 "import_warnings": ""})
                if current:
                    index_rows.append((doc_id, row["code"], row["title"], " ".join((fragment(), fragment(), fragment()))))
        for start in range(0, len(rev_rows), 2000):
            db.session.execute(insert(Revision), rev_rows[start:start + 2000])
        db.session.flush()
        search.index_new_documents(index_rows)
        db.session.commit()


def timed(client, url: str, n: int) -> float:
    """Median seconds of n GETs (after one warm-up)."""
    assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200
    return statistics.median(samples)
