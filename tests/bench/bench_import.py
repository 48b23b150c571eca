"""Importing files: 200 mixed files of the corpus (Word, PDF, OpenDocument, text in three encodings, seeds and other
layouts), each made distinct (a zip comment, bytes after a PDF's end, a line at the end of a text), read three ways:

1. reading only (`importer.read_document`: extract the text, parse the header and sections);
2. upload as pending imports (`pending.collect`: read, keep the original by its hash, one row and one audit event each);
3. direct registration (`importer.import_bytes`, as `flask documents import`), on a fresh database (the corpus
   holds about twenty documents, so after the first copy of each the others are read and then reported as
   conflicts or already present, as a second load of the same folder would be).

Files per second and peak traced Python memory (tracemalloc, in a second pass so its overhead does not skew the time),
plus the process's maximum resident set size at the end.

    python -m tests.bench import [--files 200]       (BENCH_DATABASE_URL adds PostgreSQL)
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "documents" / "corpus"
READABLE = ("docx", "pdf", "odt", "txt", "md")
UNREADABLE = {"empty.txt", "binary.txt", "scanned.pdf", "not_really.docx", "not_really.pdf"}


def _distinct(name: str, data: bytes, n: int) -> bytes:
    """The same document with different bytes (so its SHA-256 differs)."""
    ext = name.rsplit(".", 1)[-1]
    if ext in ("docx", "odt"):
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info.filename))
            dst.comment = f"bench {n}".encode()
        return out.getvalue()
    if ext == "pdf":
        return data + f"\n%bench {n}\n".encode()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data + f"\n{n}\n".encode("utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be")
    return data + f"\n\nCatatan {n}.\n".encode()


def files(count: int) -> list[tuple[str, bytes]]:
    """`count` distinct files cycling over the readable corpus."""
    corpus = [(p.name, p.read_bytes()) for p in sorted(CORPUS.iterdir())
              if p.suffix.lstrip(".") in READABLE and p.name not in UNREADABLE]
    out = []
    for n in range(count):
        name, data = corpus[n % len(corpus)]
        stem, ext = name.rsplit(".", 1)
        out.append((f"{stem}-{n:03d}.{ext}", _distinct(name, data, n)))
    return out


def _app(database_url: str | None, suffix: str):
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-import-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import database_url as make_url, test_config

    if database_url:
        os.environ["TEST_DATABASE_URL"] = database_url
    app = create_app({**test_config(make_url(tmp, suffix), tmp), "LOG_LEVEL": "ERROR", "JOBS_BACKEND": "inline"})
    with app.app_context():
        upgrade()
        db.session.commit()
        db.session.remove()
    return app


def _measure(app, work) -> tuple[float, int]:
    """(seconds, peak traced bytes): the work timed once without tracemalloc, then again under it (rolled back)."""
    from portal.extensions import db

    with app.test_request_context():
        t0 = time.perf_counter()
        work()
        seconds = time.perf_counter() - t0
        db.session.rollback()
        tracemalloc.start()
        work()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.rollback()
    return seconds, peak


def run(database_url: str | None = None, count: int = 200) -> list[tuple[str, str, str]]:
    from portal.documents import importer, pending

    batch = files(count)
    mb = sum(len(d) for _n, d in batch) / 1e6
    app = _app(database_url, "bench_import")
    rows = []

    def read_all():
        for name, data in batch:
            importer.read_document(data, name)

    def upload_all():
        result = pending.collect(batch, None)
        assert len(result.created) == count, result.refused[:3]

    def import_all():
        for name, data in batch:
            importer.import_bytes(data, name)

    with app.test_request_context():  # warm up: the readers' libraries imported, the translations loaded
        for name, data in batch[:25]:
            importer.read_document(data, name)
    for label, work in (("read only", read_all), ("upload as pending imports", upload_all),
                        ("register (flask documents import)", import_all)):
        seconds, peak = _measure(app, work)
        rows.append((label, f"{count / seconds:.1f} files/s ({seconds:.1f} s, {mb:.1f} MB)", f"{peak / 1e6:.1f} MB"))
    rows.append(("process", "max resident set size", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench import")
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args(argv)
    databases = [("SQLite", None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    print(f"\nImport of {args.files} mixed files from tests/documents/corpus\n")
    print("| db | what | speed | peak Python memory |\n|---|---|---|---|")
    for db_name, url in databases:
        for label, speed, memory in run(url, args.files):
            print(f"| {db_name} | {label} | {speed} | {memory} |")
    return 0
