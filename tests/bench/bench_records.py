"""Records at scale, as ratios to raw library baselines measured in the same run:

1. a one-page record PDF through the app (GET /records/<id>.pdf: permission checks, printout register, QR code,
   template, warm WeasyPrint) against raw WeasyPrint rendering the same HTML;
2. the Excel export of 50,000 records (the real export job: rows streamed from the database, content flattened,
   openpyxl write-only) against raw openpyxl write-only writing 50,000 rows of the same shape from memory;
   peak Python memory (tracemalloc) of both is reported too.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select


def _median(fn, n: int) -> float:
    fn()
    samples = []
    for _ in range(n):
        t0 = CLOCK()
        fn()
        samples.append(CLOCK() - t0)
    return statistics.median(samples)


CLOCK = time.perf_counter  # SQLite: time.process_time (all the work is in this process; see run())


def _timed(fn) -> float:
    t0 = CLOCK()
    fn()
    return CLOCK() - t0


def _peak(fn) -> tuple[float, int]:
    """Seconds (slowed down by tracemalloc: not reported) and peak traced Python memory."""
    tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def _hash(form_code, form_revision, site_id, service_id, day, data) -> str:
    """The record's real content hash (as records.services.content_hash computes it), so the portal's integrity
    check finds the built records intact."""
    import hashlib

    payload = {"form": form_code, "form_revision": form_revision, "site": site_id, "service": service_id,
               "period": [day.isoformat(), day.isoformat()], "version": 1, "data": data}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build_records(app, count: int) -> None:
    from portal.auth.models import Service, User
    from portal.documents import services as documents
    from portal.extensions import db
    from portal.records.models import Record, fixed_disposal_date

    rng = random.Random(7)
    with app.app_context():
        doc = documents.get_document("IN.OCC.TELK.F-04")
        rev = doc.current
        tl = db.session.scalar(select(User).where(User.username == "tl"))
        service = db.session.scalar(select(Service).where(Service.code == "147"))
        rows = []
        for i in range(count):
            data = {"layanan_line": "147", "desk_control": str(tl.id), "jam_mulai": "09:00", "jam_selesai": "10:00",
                    "sampling": [{"agent": str(tl.id), "jam": f"09:{k:02d}", "no_tiket": f"IN-{i}-{k}", "jenis": "Keluhan",
                                  "salam": "yes", "verifikasi": "yes", "solusi": rng.choice(["yes", "no"]),
                                  "nilai": str(rng.randint(60, 100)), "temuan": "Empati baik"} for k in range(3)],
                    "rekomendasi": "", "recovery_plan": "no"}
            day = date(2025, 1, 1) + timedelta(days=i % 600)
            rows.append({"form_document_id": doc.id, "form_revision_id": rev.id, "form_code": doc.code, "site_id": tl.site_id,
                         "service_id": service.id, "period_start": day, "period_end": day, "status": "approved", "version": 1,
                         "data_json": json.dumps(data), "content_hash": _hash(doc.code, rev.number, tl.site_id, service.id, day, data),
                         "amendment_reason": "", "return_reason": "",
                         "created_by_id": tl.id, "retention_text": "2 Tahun", "legal_hold": False, "hold_reason": "",
                         "disposal_due_on": fixed_disposal_date("2 Tahun", day)})
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Record), rows[start:start + 5000])
        db.session.commit()


def run(database_url: str | None = None, records: int = 50_000, repeat: int = 15) -> list:
    # On SQLite the export, the PDF and their baselines all run in this process: timed in CPU time, they hold on a
    # machine busy with other work. PostgreSQL works in another process: wall clock.
    global CLOCK
    CLOCK = time.perf_counter if database_url else time.process_time
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-records-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import database_url as make_url, test_config

    if database_url:
        os.environ["TEST_DATABASE_URL"] = database_url
    app = create_app({**test_config(make_url(tmp, "bench_records"), tmp), "WTF_CSRF_ENABLED": False,
                      "LOG_LEVEL": "ERROR", "JOBS_BACKEND": "inline"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()

    # 1. One-page record PDF: what the render job does, and serving it from the cache, against raw WeasyPrint.
    client = app.test_client()
    client.post("/login", data={"username": "tl", "password": "portal-demo"})
    with app.app_context():
        from portal.records.models import Record

        record_id = db.session.scalar(select(Record.id).where(Record.status == "approved").limit(1))
    cached_pdf = _median(lambda: client.get(f"/records/{record_id}.pdf"), repeat)
    with app.test_request_context():
        import weasyprint

        from portal.core.pdf import StaticOnlyFetcher
        from portal.printing import services as printing
        from portal.records import paper

        record = db.session.get(Record, record_id)
        from flask import render_template

        html = render_template("pdf/record.html", **paper.record_context(record, printing.ticket(), None))
        job_pdf = _median(lambda: paper._render(record_id, printing.ticket()), repeat)
        db.session.rollback()
        root = Path(app.static_folder)
        raw_pdf = _median(lambda: weasyprint.HTML(string=html, base_url=root.resolve().as_uri() + "/",
                                                  url_fetcher=StaticOnlyFetcher(root)).write_pdf(), repeat)

    # 2. Excel export of `records` records against raw openpyxl writing the same cells from memory.
    t0 = time.perf_counter()
    build_records(app, records)
    built = time.perf_counter() - t0
    with app.test_request_context():
        from portal.auth.models import User
        from portal.exports import services as exports
        from portal.exports.models import ExportJob

        auditor = db.session.scalar(select(User).where(User.username == "auditor"))
        total = exports.count(auditor, {})

        def new_job():
            job = ExportJob(user_id=auditor.id, kind="xlsx", filters_json="{}", total=total)
            db.session.add(job)
            db.session.commit()
            return job.id

        def run_export():
            job_id = new_job()
            exports.build(job_id)
            assert db.session.get(ExportJob, job_id).status == "done"

        _s, export_peak = _peak(run_export)
        tz = exports.zone_of(auditor)
        cells = list(exports._xlsx_rows(db.session.get(ExportJob, new_job()), auditor, tz))  # the same cells

        from openpyxl import Workbook

        def raw_openpyxl():
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("Rekaman")
            ws.append(exports.headers_for(tz))
            for row in cells:
                ws.append(row)
            wb.save(tmp / "raw.xlsx")

        # The best of three of each, interleaved: one run of either moves by ±5 % with what else the machine does.
        export_runs, raw_runs = [], []
        for _ in range(3):
            export_runs.append(_timed(run_export))
            raw_runs.append(_timed(raw_openpyxl))
        export_s, raw_s = min(export_runs), min(raw_runs)

    clock = "wall clock" if database_url else "CPU time"
    return [
        ("pdf", f"{clock}: raw WeasyPrint, one-page record HTML (baseline)", f"{raw_pdf * 1000:.1f} ms", 1.0, "", None),
        ("pdf", "record PDF rendered as the render job does", f"{job_pdf * 1000:.1f} ms", job_pdf / raw_pdf, "", None),
        ("pdf", "record PDF served from the cache (GET, signed in)", f"{cached_pdf * 1000:.1f} ms", cached_pdf / raw_pdf, "", None),
        ("export", f"raw openpyxl write-only, the same {total:,} rows from memory, best of 3 (baseline; data built in {built:.0f} s)",
         f"{raw_s:.1f} s", 1.0, "", None),
        ("export", f"export job to Excel, {total:,} records from the database, best of 3", f"{export_s:.1f} s", export_s / raw_s,
         "≤ 1.3×", export_s / raw_s <= 1.3),
        ("export", "peak traced Python memory of the export job", f"{export_peak / 1e6:.1f} MB", None, "< +50 MB",
         export_peak < 50e6),
    ]
