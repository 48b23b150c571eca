"""Auditor exports of records: Excel (streamed, write-only) and a PDF bundle with a SHA-256 manifest.

A job is created in the request and built by the job queue (core.jobs: the RQ worker in production); rows are read
from the database in batches by key and written as they come, so 50,000 records never sit in memory."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select, tuple_, update
from sqlalchemy.orm import joinedload, selectinload
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


@dataclass
class FilterNames:
    """Names of the sites, services and people filters refer to by id (already loaded, or looked up when None)."""
    sites: dict[int, str] | None = None
    services: dict[int, str] | None = None
    people: dict[int, str] | None = None


def describe_filters(filters: dict, names: FilterNames | None = None) -> list[tuple[str, str]]:
    """The filters of an export as people read them: (label, value), e.g. ("Lokasi", "Malang").

    Site and service names come from `names`, or from at most one statement each."""
    from portal.auth.models import Service, Site

    names = names or FilterNames()

    def name_of(model, known, key):
        raw = filters.get(key)
        if not raw or not str(raw).isdigit():
            return raw
        if known is None:
            known = dict(db.session.execute(select(model.id, model.name).where(model.id == int(raw))).all())
        return known.get(int(raw), raw)

    out = []
    if filters.get("form"):
        out.append((_("Form"), filters["form"]))
    if filters.get("site"):
        out.append((_("Site"), name_of(Site, names.sites, "site")))
    if filters.get("service"):
        out.append((_("Service"), name_of(Service, names.services, "service")))
    if filters.get("status"):
        out.append((_("Status"), status_label(filters["status"])))
    if filters.get("person"):
        out.append((_("Filled in by"), name_of_person(filters["person"], names.people)))
    for key, label in (("from", _("Period from")), ("to", _("Period to"))):
        if filters.get(key):
            try:
                out.append((label, fmt_date(date.fromisoformat(filters[key]))))
            except ValueError:
                out.append((label, filters[key]))
    return out


def name_of_person(raw, known: dict[int, str] | None) -> str:
    if not str(raw).isdigit():
        return str(raw)
    if known is None:
        known = dict(db.session.execute(select(User.id, User.full_name).where(User.id == int(raw))).all())
    return known.get(int(raw), str(raw))


def people_named(jobs_: list[ExportJob]) -> dict[int, str]:
    """Full names of the people the filters of these exports name (one statement, none when no filter names one)."""
    ids = {int(j.filters["person"]) for j in jobs_ if str(j.filters.get("person", "")).isdigit()}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


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
    return flatten_fields([f for f in schemas.fields(schema or {}) if f["type"] != "signature"], data, names)


def flatten_fields(fields: list[dict], data: dict, names: dict[int, str], times: dict[str, str] | None = None) -> str:
    """flatten() with the form's fields (signatures left out) worked out once per form."""
    return flattener(fields, names, times)(data)


_SPECIAL = ("staff", "yesno", "time")


def flattener(fields: list[dict], names: dict[int, str], times: dict[str, str] | None = None):
    """flatten_fields() as a function of the data, with the labels, keys and kinds of the form worked out once (an
    export flattens thousands of records of the same form). What a staff, yes/no or time value shows is looked up
    once per column and value (`times` keeps the times already formatted, "08:30" → "08.30", across forms): the
    same few hundred values come back in every record."""
    plan = []
    for f in fields:
        if f["type"] == "table":
            columns = tuple((c["key"], c["label"] + ": ", _memo(c, names, times) if c["type"] in _SPECIAL else None)
                            for c in f["columns"])
            plan.append((f["key"], f["label"] + ": ", columns, None))
        else:
            plan.append((f["key"], f["label"] + ": ", None, _memo(f, names, times) if f["type"] in _SPECIAL else None))
    plan = tuple(plan)

    def run(data: dict) -> str:
        parts = []
        get = data.get
        for key, label, columns, shown in plan:
            value = get(key)
            if columns is not None:
                if not value:
                    parts.append(label + "—")
                    continue
                parts.append(label + " | ".join([f"[{i}] " + ", ".join([
                    column_label + (column_shown(cell) if column_shown is not None else cell if type(cell) is str
                                    else str(cell))
                    for column_key, column_label, column_shown in columns if (cell := row.get(column_key))])
                    for i, row in enumerate(value, start=1)]))
            elif shown is not None:
                parts.append(label + shown(value))
            else:
                parts.append(label + (value if type(value) is str and value else str(value) if value else "—"))
        return "; ".join(parts)

    return run


def _memo(f: dict, names: dict[int, str], times: dict[str, str] | None):
    """_shown() for one field, remembered per value (values that cannot be dict keys are shown each time)."""
    known: dict = {}

    def shown(value) -> str:
        try:
            text = known.get(value)
        except TypeError:
            return _shown(f, value, names, times)
        if text is None:
            text = known[value] = _shown(f, value, names, times)
        return text

    return shown


def _shown(f: dict, value, names: dict[int, str], times: dict[str, str] | None = None) -> str:
    if not value:
        return "—"
    if f["type"] == "staff" and str(value).isdigit():
        return names.get(int(value), str(value))
    if f["type"] == "yesno":
        return "Ya" if value == "yes" else "Tidak"
    if f["type"] == "time":
        if times is None:
            return fmt_iso_time(str(value))  # 08.30, as on the page and on paper
        text = times.get(value)
        if text is None:
            text = times[value] = fmt_iso_time(str(value))
        return text
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


XLSX_BATCH = 2000


def _EMPTY(_data: dict) -> str:
    return ""


def _content(data_json: str) -> dict:
    """A record's content: orjson (several times faster), else the standard library for what orjson refuses and
    `json.dumps` may have written (NaN, integers beyond 64 bits)."""
    try:
        return orjson.loads(data_json)
    except orjson.JSONDecodeError:
        return json.loads(data_json)


def _xlsx_rows(job: ExportJob, user: User, tz_name: str):
    """The rows of the Excel export, read as narrow columns (no ORM objects) in batches by key, with what repeats
    (names, sites, services, forms, contracts, labels, retention dates) looked up once: the database and this
    function together cost a fraction of what openpyxl spends writing the same cells."""
    from portal.auth.models import Service, Site
    from portal.documents.models import Revision
    from portal.records import retention
    from portal.records.labels import status_labels
    from portal.records.models import Contract, RecordSignature

    names = dict(db.session.execute(select(User.id, User.full_name)).all())
    sites = dict(db.session.execute(select(Site.id, Site.name)).all())
    services_ = dict(db.session.execute(select(Service.id, Service.name)).all())
    contracts = db.session.execute(select(Contract.service_id, Contract.ends_on)).all()
    labels = status_labels()
    forms: dict[int, tuple[str, str, object]] = {}
    dues: dict[tuple, object] = {}
    times: dict[str, str] = {}

    def contract_end(service_id):
        covering = [ends for sid, ends in contracts if sid == service_id or sid is None]
        return None if not covering or any(e is None for e in covering) else max(covering)

    def due(text, period_end, service_id):
        key = (text, period_end, service_id)
        if key not in dues:
            rule = retention.parse(text)
            dues[key] = retention.disposal_date(rule, period_end, contract_end(service_id) if rule.kind == "contract" else None)
        return dues[key]

    columns = (Record.id, Record.form_code, Record.form_revision_id, Record.site_id, Record.service_id, Record.period_start,
               Record.period_end, Record.status, Record.version, Record.created_by_id, Record.retention_text,
               Record.legal_hold, Record.content_hash, Record.data_json)
    base = filtered_records(user, MultiDict(job.filters)).with_only_columns(*columns)
    # The batch's signatures by its record ids: on PostgreSQL one array parameter (`= ANY`), not an IN list of 2,000
    # placeholders, which SQLAlchemy rendered and psycopg parsed again for every batch (its cache stops at 4 KB of
    # SQL): 0.45 s of a 50,000-record export.
    signatures = select(RecordSignature.record_id, RecordSignature.role, RecordSignature.version, RecordSignature.name,
                        RecordSignature.signed_at).where(
        RecordSignature.record_id == any_(bindparam("ids", type_=ARRAY(Integer)))
        if db.session.get_bind().dialect.name == "postgresql"
        else RecordSignature.record_id.in_(bindparam("ids", expanding=True)))
    job_id, done, last = job.id, 0, None
    while True:
        stmt = base
        if last is not None:
            stmt = stmt.where(tuple_(Record.period_start, Record.id) > last)
        rows = db.session.execute(stmt.order_by(Record.period_start, Record.id).limit(XLSX_BATCH)).all()
        if not rows:
            break
        last = (rows[-1].period_start, rows[-1].id)
        signed = {(rid, role, version): (name, at) for rid, role, version, name, at in db.session.execute(
            signatures, {"ids": [r.id for r in rows]})}
        missing = {r.form_revision_id for r in rows} - forms.keys()
        if missing:
            for rev in db.session.scalars(select(Revision).options(joinedload(Revision.document).lazyload("*"))
                                          .where(Revision.id.in_(missing))):
                fields = [f for f in schemas.fields(records.schema_of(rev) or {}) if f["type"] != "signature"]
                forms[rev.id] = (rev.document.title, rev.number, flattener(fields, names, times))
        loads, no_form = _content, ("", "", _EMPTY)
        for (rid, form_code, revision_id, site_id, service_id, start, end, status, version, author_id, retention_text,
             hold, content_hash, data_json) in rows:  # unpacked: a Row's attributes cost a lookup each
            title, rev_number, flat = forms.get(revision_id, no_form)
            if signed:
                submitted = signed.get((rid, "submitted", version))
                approved = signed.get((rid, "approved", version))
                submitted_at = _local(submitted[1], tz_name) if submitted else None
                approver, approved_at = (approved[0], _local(approved[1], tz_name)) if approved else ("", None)
            else:
                submitted_at, approver, approved_at = None, "", None
            yield [f"R-{rid:06d}", form_code, title, rev_number, sites.get(site_id, ""),
                   services_.get(service_id, "") if service_id else "", start, end, labels.get(status, status), version,
                   names.get(author_id, ""), submitted_at, approver, approved_at, retention_text,
                   due(retention_text, end, service_id), "Ya" if hold else "", content_hash,
                   flat(loads(data_json) if data_json else {})]
        done += len(rows)
        db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done))
        db.session.commit()  # progress shows; no read cursor stays open across it (SQLite: one writer)
    db.session.get(ExportJob, job_id).done = done


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
            name = f"{r.number}-{r.form_code.replace('/', '-')}-v{r.version}.pdf"  # a code's "/" is no folder
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
