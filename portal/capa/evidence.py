"""ISO clause evidence packs (/capa/evidence): for one ISO 9001:2015 clause and a period, a ZIP of the records,
documents and NC files that show it, with a manifest of SHA-256 hashes (manifest.csv and SHA256SUMS). Built by a
background job (core.jobs, like the records export) with its progress in the pack's row.

What each clause holds (decided here; monitoring may add KPI readings to 9.1 later):
- 7.5 Documented information: the document register (CSV) and the original file of every revision that took effect in
  the period;
- 8.5 Production and service provision: the approved records (filled F forms) of the period, as PDF;
- 8.7 Control of nonconforming outputs and 10.2 Nonconformity and corrective action: the report of every NC found in the
  period (containment, correction, root cause, actions, effectiveness checks) and its actions' evidence files;
- 9.1 Monitoring, measurement, analysis and evaluation: the Quality Validation Score of each month of the period (PDF)
  and the approved roster compliance records (F-02)."""
from __future__ import annotations

import csv
import hashlib
import io
import secrets
import zipfile
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.capa.models import CLAUSES, Action, EvidencePack, Nonconformity
from portal.core import audit, jobs
from portal.core.db import utcnow
from portal.core.files import sha256_file
from portal.core.service import ServiceError
from portal.extensions import db

MAX_RECORDS = 500
MAX_PERIOD_DAYS = 400
F02 = "IN.OCC.TELK.F-02"


def start(user: User, clause: str, period_from: date | None, period_to: date | None) -> EvidencePack:
    """Create the pack and queue its build (it runs once the request has committed)."""
    if clause not in CLAUSES:
        raise ServiceError(_("Choose the ISO clause."), "clause")
    if not isinstance(period_from, date):
        raise ServiceError(_("Enter the start of the period."), "period_from")
    if not isinstance(period_to, date):
        raise ServiceError(_("Enter the end of the period."), "period_to")
    if period_to < period_from:
        raise ServiceError(_("The period ends before it starts."), "period_to")
    if (period_to - period_from).days > MAX_PERIOD_DAYS:
        raise ServiceError(_("A pack covers at most %(n)d days.", n=MAX_PERIOD_DAYS), "period_to")
    pack = EvidencePack(user_id=user.id, clause=clause, period_from=period_from, period_to=period_to)
    db.session.add(pack)
    db.session.flush()
    audit.record("capa.pack_started", pack, new={"clause": clause, "from": period_from, "to": period_to}, actor=user)
    jobs.enqueue("capa.evidence_pack", user_id=user.id, pack_id=pack.id)
    return pack


def mark_failed(pack_id: int, error: str) -> None:
    pack = db.session.get(EvidencePack, pack_id)
    if pack is not None and pack.status in ("queued", "running"):
        pack.status, pack.error, pack.finished_at = "failed", (error or "")[:500], utcnow()
        audit.record("capa.pack_failed", pack, new={"error": pack.error})


@jobs.task("capa.evidence_pack", on_failure=lambda job_id, kwargs, error: mark_failed(kwargs["pack_id"], error))
def _build_task(ctx, pack_id: int) -> None:
    build(pack_id)


@jobs.task("capa.read_checks")
def _read_checks_task(ctx) -> None:
    """The daily reading of automatic effectiveness criteria that are due."""
    from portal.capa import services
    from portal.core.i18n import local_today

    services.read_due_checks(local_today())
    db.session.commit()


class _Zip:
    """A ZIP being written, with its manifest rows and SHA256SUMS lines."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.rows: list[list[str]] = []
        self.names: set[str] = set()

    def add(self, name: str, data: bytes, what: str) -> None:
        base, n = name, 2
        while name in self.names:  # two files of one name never overwrite each other
            stem, dot, ext = base.rpartition(".")
            name = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
            n += 1
        self.names.add(name)
        self.zip.writestr(name, data)
        self.rows.append([name, hashlib.sha256(data).hexdigest(), str(len(data)), what])

    def close(self, header: list[str]) -> None:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(self.rows)
        self.zip.writestr("manifest.csv", out.getvalue())
        self.zip.writestr("SHA256SUMS", "".join(f"{r[1]}  {r[0]}\n" for r in self.rows))
        self.zip.close()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)


def _progress(pack_id: int, done: int, total: int | None = None) -> None:
    values = {"done": done} if total is None else {"done": done, "total": total}
    db.session.execute(update(EvidencePack).where(EvidencePack.id == pack_id).values(**values))
    db.session.commit()


def build(pack_id: int) -> None:
    pack = db.session.get(EvidencePack, pack_id)
    pack.status = "running"
    db.session.commit()
    try:
        folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "capa-packs"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(12)}.zip"
        user = db.session.get(User, pack.user_id)
        with force_locale("id"):
            archive = _Zip(folder / name)
            {"7.5": _documents, "8.5": _records, "8.7": _ncs, "10.2": _ncs, "9.1": _monitoring}[pack.clause](pack, user, archive)
            archive.close(["Berkas", "SHA-256", "Ukuran (bita)", "Isi"])
        pack = db.session.get(EvidencePack, pack_id)
        pack.file_path = f"capa-packs/{name}"
        pack.file_name = f"bukti-iso-{pack.clause}-{pack.period_from:%Y%m%d}-{pack.period_to:%Y%m%d}.zip"
        pack.sha256 = sha256_file(folder / name)
        pack.status, pack.finished_at = "done", utcnow()
        pack.done = pack.total = len(archive.rows)
        audit.record("capa.pack_built", pack, new={"clause": pack.clause, "files": len(archive.rows), "sha256": pack.sha256},
                     actor=user)
        db.session.commit()
    except Exception as exc:  # a failed pack is reported on its page, never half-served
        db.session.rollback()
        current_app.logger.exception("evidence pack %s failed", pack_id)
        pack = db.session.get(EvidencePack, pack_id)
        pack.status, pack.error, pack.finished_at = "failed", str(exc)[:500], utcnow()
        audit.record("capa.pack_failed", pack, new={"error": pack.error}, actor=db.session.get(User, pack.user_id))
        db.session.commit()


def _documents(pack: EvidencePack, user: User, archive: _Zip) -> None:
    from portal.documents.models import Document, Revision

    docs = list(db.session.scalars(select(Document).options(selectinload(Document.revisions)).order_by(Document.code)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Kode", "Judul", "Jenis", "Revisi berlaku", "Tanggal berlaku", "Status"])
    for d in docs:
        cur = d.current
        writer.writerow([d.code, d.title, d.doc_type, cur.number if cur else "", cur.effective_date or "" if cur else "", d.status])
    archive.add("daftar-induk-dokumen.csv", out.getvalue().encode("utf-8"), "Daftar induk dokumen (register)")
    revisions = list(db.session.scalars(select(Revision).join(Document).where(
        Revision.effective_date >= pack.period_from, Revision.effective_date <= pack.period_to, Revision.file_path != "")
        .order_by(Document.code, Revision.number)))
    _progress(pack.id, 1, len(revisions) + 1)
    root = Path(current_app.config["DOCUMENTS_FOLDER"])
    for i, rev in enumerate(revisions, start=2):
        path = root / rev.file_path
        if path.exists():
            ext = rev.file_path.rsplit(".", 1)[-1]
            archive.add(f"revisi/{_safe(rev.document.code)}-Rev.{rev.number}.{ext}", path.read_bytes(),
                        f"{rev.document.code} Rev. {rev.number}, berlaku {rev.effective_date}")
        _progress(pack.id, i)


def _record_pdfs(pack: EvidencePack, user: User, archive: _Zip, form: str = "") -> None:
    from werkzeug.datastructures import MultiDict

    from portal.records import paper as record_paper
    from portal.records.models import Record
    from portal.records.queries import filtered_records

    filters = {"status": "approved", "from": pack.period_from.isoformat(), "to": pack.period_to.isoformat()}
    if form:
        filters["form"] = form
    ids = list(db.session.scalars(filtered_records(user, MultiDict(filters)).with_only_columns(Record.id)
                                  .order_by(Record.period_start, Record.id).limit(MAX_RECORDS)))
    _progress(pack.id, pack.done, pack.total + len(ids))
    for record_id in ids:
        r = db.session.get(Record, record_id)
        archived = next((v for v in r.versions if v.version == r.version and v.pdf_path), None)
        path = record_paper.archive_path(archived) if archived else None
        if path is not None and path.exists():
            data = path.read_bytes()
        else:
            data, _printout = record_paper.render_record_pdf(r, user)
        archive.add(f"rekaman/{r.number}-{_safe(r.form_code)}-v{r.version}.pdf", data,
                    f"{r.number} {r.form_code} periode {r.period_start}..{r.period_end}")
        pack = db.session.get(EvidencePack, pack.id)
        _progress(pack.id, pack.done + 1)


def _records(pack: EvidencePack, user: User, archive: _Zip) -> None:
    _record_pdfs(pack, user, archive)


def _ncs(pack: EvidencePack, user: User, archive: _Zip) -> None:
    from portal.capa import paper
    from portal.capa.services import attachment_path

    ids = list(db.session.scalars(select(Nonconformity.id).where(Nonconformity.found_on >= pack.period_from,
                                                                 Nonconformity.found_on <= pack.period_to)
                                  .order_by(Nonconformity.year, Nonconformity.seq)))
    _progress(pack.id, 0, len(ids))
    for i, nc_id in enumerate(ids, start=1):
        nc = db.session.scalar(select(Nonconformity).options(selectinload(Nonconformity.actions).selectinload(Action.attachments))
                               .where(Nonconformity.id == nc_id))
        data, _printout = paper.render_nc(nc, user, base=current_app.config.get("PORTAL_BASE_URL") or None)
        archive.add(f"ketidaksesuaian/{nc.number}.pdf", data, f"Laporan {nc.number}: {nc.title}")
        for action in nc.actions:
            for a in action.attachments:
                path = attachment_path(a)
                if path.exists():
                    archive.add(f"ketidaksesuaian/{nc.number}/tindakan-{action.id}/{_safe(a.file_name)}", path.read_bytes(),
                                f"Bukti tindakan {action.id} {nc.number}")
        _progress(pack.id, i)


def _monitoring(pack: EvidencePack, user: User, archive: _Zip) -> None:
    from portal.core.modules import is_enabled

    if is_enabled("tapping"):
        from portal.core.i18n import local_today
        from portal.core.pdf import render_pdf
        from portal.tapping import qvs

        month = pack.period_from.replace(day=1)
        months = []
        while month <= pack.period_to:
            months.append(month)
            month = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
        _progress(pack.id, 0, len(months))
        for i, m in enumerate(months, start=1):
            points = qvs.trend(m, None)
            figures = qvs.month_figures(m, None, points[-1][2])
            data = render_pdf("pdf/tapping_qvs.html", month=m, m=figures, chart=qvs.chart(points),
                              reasons=qvs.return_reasons(m, None), today=local_today(),
                              organisation=current_app.config["PORTAL_ORGANISATION"])
            archive.add(f"qvs/qvs-{m:%Y-%m}.pdf", data, f"Quality Validation Score {m:%Y-%m}")
            _progress(pack.id, i)
    pack = db.session.get(EvidencePack, pack.id)
    _record_pdfs(pack, user, archive, form=F02)


def pack_for(user: User, pack_id: int) -> EvidencePack | None:
    pack = db.session.get(EvidencePack, pack_id)
    return pack if pack is not None and pack.user_id == user.id else None


def pack_file(pack: EvidencePack) -> Path | None:
    if pack.status != "done" or not pack.file_path:
        return None
    path = Path(current_app.config["DOCUMENTS_FOLDER"]) / pack.file_path
    return path if path.exists() else None


def downloaded(pack: EvidencePack) -> None:
    from portal.core.unit import begin_writing

    begin_writing()
    audit.record("capa.pack_downloaded", pack, new={"file": pack.file_name, "sha256": pack.sha256})
