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
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


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
    from portal.records.models import Record

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
                         "created_by_id": tl.id, "retention_text": "2 Tahun", "legal_hold": False, "hold_reason": ""})
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Record), rows[start:start + 5000])
        db.session.commit()


def main(records: int = 50_000, repeat: int = 15) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-records-"))
    os.environ["PORTAL_INSTANCE"] = str(tmp)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import database_url, test_config

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        os.environ["TEST_DATABASE_URL"] = url
    app = create_app({**test_config(database_url(tmp, "bench_records"), tmp), "WTF_CSRF_ENABLED": False,
                      "LOG_LEVEL": "ERROR", "JOBS_BACKEND": "inline"})
    with app.app_context():
        upgrade()
        from portal.cli import load_demo

        load_demo()
        db.session.commit()

    # 1. One-page record PDF.
    client = app.test_client()
    client.post("/login", data={"username": "tl", "password": "portal-demo"})
    with app.app_context():
        from portal.records.models import Record

        record_id = db.session.scalar(select(Record.id).where(Record.status == "approved").limit(1))
    app_pdf = _median(lambda: client.get(f"/records/{record_id}.pdf"), repeat)
    with app.test_request_context():
        import weasyprint
        from flask_login import login_user

        from portal.auth.models import User
        from portal.core.pdf import StaticOnlyFetcher
        from portal.printing import services as printing
        from portal.records import paper

        tl = db.session.scalar(select(User).where(User.username == "tl"))
        login_user(tl)
        record = db.session.get(Record, record_id)
        from flask import render_template

        html = render_template("pdf/record.html", **paper.record_context(record, printing.ticket(), tl))
        db.session.rollback()
        root = Path(app.static_folder)
        raw_pdf = _median(lambda: weasyprint.HTML(string=html, base_url=root.resolve().as_uri() + "/",
                                                  url_fetcher=StaticOnlyFetcher(root)).write_pdf(), repeat)

    # 2. 50,000-record Excel export.
    t0 = time.perf_counter()
    build_records(app, records)
    built = time.perf_counter() - t0
    with app.test_request_context():
        from portal.auth.models import User
        from portal.exports import services as exports
        from portal.exports.models import ExportJob

        auditor = db.session.scalar(select(User).where(User.username == "auditor"))
        total = exports.count(auditor, {})

        def run_export():
            job = ExportJob(user_id=auditor.id, kind="xlsx", filters_json="{}", total=total)
            db.session.add(job)
            db.session.commit()
            exports.build(job.id)
            assert db.session.get(ExportJob, job.id).status == "done"

        export_s = _timed(run_export)
        _s, export_peak = _peak(run_export)

        from openpyxl import Workbook

        sample = ["R-000001", "IN.OCC.TELK.F-04", "Real Monitoring Call Handling", "00", "Malang", "147", date(2025, 1, 1),
                  date(2025, 1, 1), "Disetujui (terkunci)", 1, "Dewi Lestari", None, "Sukron Azis", None, "2 Tahun",
                  date(2027, 1, 2), "", "0" * 64, "Layanan: 147; PIC Desk Control (Team Leader): Dewi Lestari; " * 6]

        def raw_openpyxl():
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("Rekaman")
            ws.append(exports.HEADERS)
            for _ in range(total):
                ws.append(sample)
            wb.save(tmp / "raw.xlsx")

        raw_s = _timed(raw_openpyxl)
        _s, raw_peak = _peak(raw_openpyxl)

    print(f"\nRecords benchmark — {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; {total} records built in {built:.1f} s\n")
    print(f"{'measure':58} {'value':>12} {'× baseline':>11}")
    print(f"{'raw WeasyPrint, same one-page record HTML (baseline)':58} {raw_pdf * 1000:10.1f}ms {1:11.2f}")
    print(f"{'GET /records/<id>.pdf through the app (median of %d)' % repeat:58} {app_pdf * 1000:10.1f}ms {app_pdf / raw_pdf:11.2f}")
    print(f"{'raw openpyxl write-only, %d rows from memory (baseline)' % total:58} {raw_s:11.1f}s {1:11.2f}")
    print(f"{'export job to Excel, %d records from the database' % total:58} {export_s:11.1f}s {export_s / raw_s:11.2f}")
    print(f"{'peak Python memory, raw openpyxl (baseline)':58} {raw_peak / 1e6:10.1f}MB {1:11.2f}")
    print(f"{'peak Python memory, export job':58} {export_peak / 1e6:10.1f}MB {export_peak / raw_peak:11.2f}")
