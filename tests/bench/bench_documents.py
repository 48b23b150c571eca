"""The document register at scale: 5,000 documents, 20,000 revisions.

Measures, through the real app (WSGI, in process, signed in), the register page, a filtered page,
a full-text search and a document page, each as a ratio to a minimal endpoint of the same app
(`/healthz`) measured in the same run. BENCH_DATABASE_URL=postgresql://... runs it on PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

WORDS = ("roster realisasi absensi cluster desk control recovery plan sampling tapping valid return agent "
         "supervisor laporan harian kualitas pelanggan layanan eskalasi pembinaan pelatihan kontrak "
         "monitoring login shift posduk kalibrasi parameter penilaian retensi formulir").split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build(app, docs: int, revs_per_doc: int) -> None:
    """Insert the data set with bulk inserts (the services are measured by the tests, not here)."""
    from portal.documents.models import Document, Revision
    from portal.documents import search
    from portal.extensions import db

    rng = random.Random(42)
    types = ["P", "W", "F", "S"]
    units = ["OCC", "QCC", "CC"]
    with app.app_context():
        doc_rows = []
        for i in range(docs):
            t, u = types[i % 4], units[i % 3]
            code = f"IN.{u}.TELK.{t}-{i:04d}"
            doc_rows.append({"code": code, "code_key": code, "title": f"Prosedur {_text(rng, 4).title()}", "doc_type": t,
                             "unit": u, "outbound": False, "review_interval_months": 24, "withdrawn_reason": ""})
        db.session.execute(insert(Document), doc_rows)
        ids = dict(db.session.execute(select(Document.code, Document.id)).all())
        rev_rows, index_rows = [], []
        for row in doc_rows:
            doc_id = ids[row["code"]]
            for n in range(revs_per_doc):
                current = n == revs_per_doc - 1
                body = _text(rng, 120)
                sections = [{"number": str(k), "title": "Bagian", "body": _text(rng, 40)} for k in range(1, 4)]
                import json

                rev_rows.append({"document_id": doc_id, "number": f"{n:02d}", "status": "effective" if current else "superseded",
                                 "effective_date": date(2017, 1, 1) + timedelta(days=200 * n), "change_description": "Perubahan",
                                 "sections_json": json.dumps(sections), "meta_json": "{}", "content_hash": "", "file_name": "",
                                 "file_path": "", "file_sha256": "", "file_size": 0, "file_mime": "", "imported": True,
                                 "import_warnings": ""})
                if current:
                    index_rows.append((doc_id, row["code"], row["title"], body))
        for start in range(0, len(rev_rows), 2000):
            db.session.execute(insert(Revision), rev_rows[start:start + 2000])
        db.session.flush()
        for doc_id, code, title, body in index_rows:
            search.index_document(doc_id, code, title, body)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--revisions", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import database_url, test_config

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        os.environ["TEST_DATABASE_URL"] = url
    no_seeds = tmp / "no-seeds"  # the bench data set replaces the seed documents
    no_seeds.mkdir()
    app = create_app({**test_config(database_url(tmp, "bench"), tmp), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR",
                      "PORTAL_SEEDS": str(no_seeds)})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()
    t0 = time.perf_counter()
    build(app, args.docs, max(1, args.revisions // args.docs))
    built = time.perf_counter() - t0
    client = app.test_client()
    client.post("/login", data={"username": "agent", "password": "portal-demo"})
    n = args.repeat
    base = timed(client, "/healthz", n)
    rows = [
        ("minimal endpoint /healthz (baseline)", base),
        ("register page, first 50 of 5,000", timed(client, "/documents/", n)),
        ("register filtered by type and unit", timed(client, "/documents/?type=P&unit=OCC", n)),
        ("register, code/title search 'P-12'", timed(client, "/documents/?q=P-12", n)),
        ("full-text search 'recovery plan'", timed(client, "/documents/?text=recovery+plan", n)),
        ("full-text search, rare word 'kalibrasi posduk'", timed(client, "/documents/?text=kalibrasi+posduk", n)),
        ("document page IN.OCC.TELK.P-0000", timed(client, "/documents/IN.OCC.TELK.P-0000", n)),
        ("JSON API one document", timed(client, "/api/documents/IN.OCC.TELK.P-0000", n)),
    ]
    print(f"\nDocument register benchmark — {args.docs} documents, {args.revisions} revisions, "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; data built in {built:.1f} s; median of {n}\n")
    print(f"{'measure':48} {'median ms':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:48} {seconds * 1000:10.2f} {seconds / base:11.1f}")
