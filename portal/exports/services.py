"""Auditor exports of records: Excel (streamed, write-only) and a PDF bundle with a SHA-256 manifest.

A job is created in the request and built by a background thread of the same server process; rows are read
from the database in batches (yield_per) and written as they come, so 50,000 records never sit in memory."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from portal.auth.models import User
from portal.core.service import ServiceError
from portal.core import audit, jobs
from portal.core.db import utcnow
from portal.core.files import sha256_file
from portal.core.xlsx import write_workbook
from portal.exports.models import QUEUED, DONE, FAILED, RUNNING, ExportJob
from portal.extensions import db
from portal.core.i18n import TZ_LABELS, fmt_date, fmt_iso_time, to_local
from portal.records import paper
from portal.records.labels import status_label
from portal.records import schema as schemas
from portal.records import services as records
from portal.records.models import Record
from portal.records.queries import filtered_records

FILTER_KEYS = ("form", "site", "service", "status", "person", "from", "to")
BATCH = 500
HEADERS = ["No. rekaman", "Kode formulir", "Formulir", "Revisi formulir", "Lokasi", "Layanan", "Periode mulai",
           "Periode selesai", "Status", "Versi", "Diisi oleh", "Diserahkan", "Disetujui oleh", "Disetujui",
           "Masa simpan", "Boleh dimusnahkan mulai", "Penahanan hukum", "SHA-256 isi", "Isi rekaman"]


def clean_filters(args) -> dict:
    return {k: str(args.get(k)).strip() for k in FILTER_KEYS if args.get(k)}


def count(user: User, filters: dict) -> int:
    stmt = filtered_records(user, MultiDict(filters))
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def start(user: User, kind: str, filters: dict) -> ExportJob:
    """Create the export and queue its build on the job queue (it runs once the request has committed)."""
    if kind not in ("xlsx", "bundle"):
        raise ServiceError(_("Choose Excel or a PDF bundle."), "kind")
    total = count(user, filters)
    if kind == "bundle" and total > current_app.config.get("EXPORTS_BUNDLE_MAX", 2000):
        raise ServiceError(_("A PDF bundle holds at most %(n)d records; narrow the filters or export to Excel.",
                             n=current_app.config.get("EXPORTS_BUNDLE_MAX", 2000)), "kind")
    job = ExportJob(user_id=user.id, kind=kind, filters_json=json.dumps(filters, sort_keys=True), total=total)
    db.session.add(job)
    db.session.flush()
    audit.record("records.export_started", job, new={"kind": kind, "filters": filters, "records": total}, actor=user)
    jobs.enqueue("exports.build", user_id=user.id, export_id=job.id)
    return job


@jobs.task("exports.build", on_failure=lambda job_id, kwargs, error: mark_failed(kwargs["export_id"], error))
def _build_task(ctx, export_id: int) -> None:
    """The queued build of one export."""
    build(export_id)


def mark_failed(export_id: int, error: str) -> None:
    """An export whose job died (or whose worker was lost) is failed on its page, never left "running"."""
    job = db.session.get(ExportJob, export_id)
    if job is not None and job.status in (QUEUED, RUNNING):
        job.status = FAILED
        job.error = (error or "")[:500]
        job.finished_at = utcnow()
        audit.record("records.export_failed", job, new={"error": job.error})


def build(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    job.status = RUNNING
    db.session.commit()
    try:
        folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(12)}.{'xlsx' if job.kind == 'xlsx' else 'zip'}"
        path = folder / name
        user = db.session.get(User, job.user_id)
        tz_name = zone_of(user)
        stamp = to_local(utcnow(), tz_name).strftime("%Y%m%d-%H%M")  # the file name in the exporter's local time
        with force_locale("id"):
            if job.kind == "xlsx":
                write_workbook(path, "Rekaman", headers_for(tz_name), _xlsx_rows(job, user, tz_name),
                               widths=[11, 22, 30, 8, 14, 18, 12, 12, 12, 6, 20, 17, 20, 17, 12, 14, 9, 20, 80])
                job.file_name = f"rekaman-{stamp}.xlsx"
            else:
                _write_bundle(job, user, path)
                job.file_name = f"rekaman-{stamp}.zip"
        job.file_path = f"exports/{name}"
        job.sha256 = sha256_file(path)
        job.status = DONE
        job.finished_at = utcnow()
        audit.record("records.exported", job, new={"kind": job.kind, "records": job.done, "sha256": job.sha256}, actor=user)
        db.session.commit()
    except Exception as exc:  # a failed export is reported on its page, never half-served
        db.session.rollback()
        current_app.logger.exception("export %s failed", job_id)
        job = db.session.get(ExportJob, job_id)
        job.status = FAILED
        job.error = str(exc)[:500]
        job.finished_at = utcnow()
        audit.record("records.export_failed", job, new={"error": job.error}, actor=db.session.get(User, job.user_id))
        db.session.commit()


def _stream(job: ExportJob, user: User):
    """The job's records in batches of BATCH: the ids first (a list of integers), then each batch loaded, written,
    and let go of (expunged), with the progress committed between batches. Memory stays flat whatever the count,
    and no read cursor stays open across the progress commits (SQLite allows one writer)."""
    stmt = filtered_records(user, MultiDict(job.filters)).order_by(Record.period_start, Record.id)
    ids = list(db.session.scalars(stmt.with_only_columns(Record.id)))
    job_id, done = job.id, 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        batch = list(db.session.scalars(select(Record).options(selectinload(Record.signatures), selectinload(Record.versions))
                                        .where(Record.id.in_(chunk)).order_by(Record.period_start, Record.id)))
        for record in batch:
            yield record
        done += len(batch)
        db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done))
        db.session.commit()
        for record in batch:
            db.session.expunge(record)
    db.session.get(ExportJob, job_id).done = done


def flatten(schema: dict, data: dict, names: dict[int, str]) -> str:
    """The content of a record in one cell: "Label: value; Table: [1] col: value, col: value | [2] ..."."""
    parts = []
    for f in schemas.fields(schema or {}):
        if f["type"] == "signature":
            continue
        value = data.get(f["key"])
        if f["type"] == "table":
            rows = []
            for i, row in enumerate(value or [], start=1):
                cells = ", ".join(f"{c['label']}: {_shown(c, row.get(c['key']), names)}" for c in f["columns"] if row.get(c["key"]))
                rows.append(f"[{i}] {cells}")
            parts.append(f"{f['label']}: {' | '.join(rows) if rows else '—'}")
        else:
            parts.append(f"{f['label']}: {_shown(f, value, names)}")
    return "; ".join(parts)


def _shown(f: dict, value, names: dict[int, str]) -> str:
    if not value:
        return "—"
    if f["type"] == "staff" and str(value).isdigit():
        return names.get(int(value), str(value))
    if f["type"] == "yesno":
        return "Ya" if value == "yes" else "Tidak"
    if f["type"] == "time":
        return fmt_iso_time(str(value))  # 08.30, as on the page and on paper
    return str(value)


def zone_of(user: User) -> str:
    """The time zone an export is written in: the exporter's site's (WIB/WITA/WIT), else the portal's."""
    return user.site.timezone if user is not None and user.site else current_app.config["PORTAL_TIMEZONE"]


def headers_for(tz_name: str) -> list[str]:
    """The column headings, the time columns naming their zone."""
    zone = TZ_LABELS.get(tz_name, tz_name)
    return [f"{h} ({zone})" if h in ("Diserahkan", "Disetujui") else h for h in HEADERS]


def _local(value, tz_name: str):
    """A UTC time from the database as a real (naive) local date-time cell."""
    return to_local(value, tz_name).replace(tzinfo=None) if value is not None else None


def _xlsx_rows(job: ExportJob, user: User, tz_name: str):
    names = dict(db.session.execute(select(User.id, User.full_name)).all())
    schema_cache: dict[int, dict] = {}
    for r in _stream(job, user):
        if r.form_revision_id not in schema_cache:
            schema_cache[r.form_revision_id] = records.schema_of(r.form_revision) or {}
        submitted, approved = r.signature("submitted"), r.signature("approved")
        due = records.disposal_due(r)
        yield [r.number, r.form_code, r.form_document.title, r.form_revision.number, r.site.name,
               r.service.name if r.service else "", r.period_start, r.period_end, status_label(r.status), r.version,
               r.created_by.full_name, _local(submitted.signed_at if submitted else None, tz_name),
               approved.name if approved else "", _local(approved.signed_at if approved else None, tz_name),
               r.retention_text, due, "Ya" if r.legal_hold else "",
               r.content_hash, flatten(schema_cache[r.form_revision_id], r.data, names)]


def _write_bundle(job: ExportJob, user: User, path: Path) -> None:
    """A zip of one PDF per record (the archived PDF/A of the approved version when there is one) and a manifest."""
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["Berkas", "No. rekaman", "Kode formulir", "Periode", "Status", "Versi", "SHA-256 PDF", "SHA-256 isi",
                     "Sumber"])
    sums = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for r in _stream(job, user):
            if r.status == "disposed":
                # Listed with the reason it has no PDF: a bundle never drops a record silently.
                why = _("no PDF: disposed of on %(date)s after its retention period", date=fmt_date(r.disposed_at))
                if r.disposal_id:
                    why += " " + _("(record of destruction No. %(n)d)", n=r.disposal_id)
                writer.writerow(["", r.number, r.form_code, f"{r.period_start}..{r.period_end}", status_label(r.status),
                                 r.version, "", r.content_hash, why])
                continue
            archived = next((v for v in r.versions if v.version == r.version and v.pdf_path), None)
            archive = paper.archive_path(archived) if archived else None
            if r.status == "approved" and archive is not None and archive.exists():
                data, source = archive.read_bytes(), "arsip PDF/A"
            else:
                data, _printout = paper.render_record_pdf(r, user)
                db.session.commit()  # the printout and its audit event, alone: no lock held while the next PDF renders
                source = "dicetak saat ekspor"
            name = f"{r.number}-{r.form_code}-v{r.version}.pdf"
            digest = hashlib.sha256(data).hexdigest()
            bundle.writestr(name, data)
            writer.writerow([name, r.number, r.form_code, f"{r.period_start}..{r.period_end}", status_label(r.status),
                             r.version, digest, r.content_hash, source])
            sums.append(f"{digest}  {name}")
        bundle.writestr("manifest.csv", manifest.getvalue())
        bundle.writestr("SHA256SUMS", "\n".join(sums) + "\n")
    db.session.commit()  # the printouts registered for records without an archive


def job_for(user: User, job_id: int) -> ExportJob | None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != user.id:
        return None
    return job


def job_file(job: ExportJob) -> Path | None:
    if job.status != DONE or not job.file_path:
        return None
    path = Path(current_app.config["DOCUMENTS_FOLDER"]) / job.file_path
    return path if path.exists() else None


def describe(filters: dict) -> str:
    if not filters:
        return _("all records you may see")
    return ", ".join(f"{k}={v}" for k, v in filters.items())


def downloaded(job: ExportJob) -> None:
    """Note that the user downloaded the export's file."""
    from portal.core.unit import begin_writing

    begin_writing()
    audit.record("records.export_downloaded", job, new={"file": job.file_name, "sha256": job.sha256})
