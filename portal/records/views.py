"""Records pages: the catalogue of online forms, lists, filling (with autosave), signing, amending,
legal holds, disposal and client contracts."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload

from datetime import date
from functools import cache
from typing import NamedTuple

from portal.core import fragments, paging
from portal.core.db import core_execute
from portal.core.i18n import local_today
from portal.auth.models import Service, Site, User
from portal.core.service import ConflictError, ServiceError
from portal.core.forms import after_refusal, apply_service_error, refusals
from portal.core.unit import begin_writing, keep_changes, reads_first
from portal.core.htmx import render
from portal.core.i18n import fmt_datetime
from portal.core.permissions import require
from portal.extensions import db
from portal.records.labels import PEOPLE_MARKER, list_rows, people_options, status_labels
from portal.printing import cache as pdf_cache
from portal.records import paper
from portal.records import schema as schemas
from portal.records import services
from portal.records.queries import list_shape, shaped_records
from portal.records.forms import ContractForm, DisposalForm, NewRecordForm, RecordReasonForm, SignRecordForm
from portal.records.models import DISPOSED, DRAFT, Contract, Disposal, Record
from portal.documents.models import Document, Revision

bp = Blueprint("records", __name__)
PAGE_SIZE = 50
COUNT_CAP = 1000  # the list says "more than 1,000" instead of counting every matching record


def _record_or_404(record_id: int, saving: bool = False) -> Record:
    if saving:  # a statement built once (`session.get` builds one, and its cache key, on every call)
        record = db.session.execute(_saving_statement(), {"record_id": record_id}).unique().scalar_one_or_none()
    else:
        record = db.session.get(Record, record_id)
    if record is None:
        abort(404)
    if not services.can_view(current_user, record):
        abort(403)
    return record


class Choice(NamedTuple):
    id: int
    name: str


def _sites_for(user) -> tuple[Choice, ...]:
    """The sites a user may file a record for or filter by: (id, name), kept until sites change (fragments.memo)."""
    everywhere = user.can("scope.all_sites")

    def load() -> tuple[Choice, ...]:
        stmt = select(Site.id, Site.name).order_by(Site.is_head_office.desc(), Site.name)
        if not everywhere:
            stmt = stmt.where(Site.id == user.site_id)
        return tuple(Choice(*row) for row in db.session.execute(stmt))

    return fragments.memo("documents", ("records.sites", None if everywhere else user.site_id), load)


def _all_services() -> tuple[Choice, ...]:
    return fragments.memo("documents", ("records.services",), lambda: tuple(
        Choice(*row) for row in db.session.execute(select(Service.id, Service.name).order_by(Service.name))))


# ---------------------------------------------------------------- lists
@cache
def _listed(scope: str, dialect: str, present: tuple):
    """A row of the list is the few columns it shows (not Record objects with their joined form, site, service and
    author). Site, service and author names come from the lists the page holds anyway (`_named_rows`): joined here,
    PostgreSQL spent 0.5 ms planning a five-table join for every page (0.08 ms with the form's document alone)."""
    return (shaped_records(scope, dialect, present)
            .with_only_columns(Record.id, Record.version, Record.form_code, Document.title.label("form_title"),
                               Record.period_start, Record.period_end, Record.site_id, Record.service_id,
                               Record.created_by_id, Record.status, Record.legal_hold, maintain_column_froms=False)
            .select_from(Record).join(Document, Document.id == Record.form_document_id))


def _site_names() -> dict[int, str]:
    """Every site's name by id, kept until the register's sites change (fragments.memo; read-only)."""
    from types import MappingProxyType

    return fragments.memo("documents", ("records.site_names",), lambda: MappingProxyType(
        dict(db.session.execute(select(Site.id, Site.name)).all())))


def _named_rows(rows, people) -> list[tuple]:
    """The list's rows with the names of their site, service and author, as `labels.list_rows` takes them. The authors
    are the "Filled by" filter's people (every author of a visible record); one more statement only if one is
    missing (a record written between the two statements)."""
    sites, services_by_id, authors = _site_names(), {c.id: c.name for c in _all_services()}, dict(people)
    missing = {row.created_by_id for row in rows} - authors.keys()
    if missing:
        authors.update(db.session.execute(select(User.id, User.full_name).where(User.id.in_(missing))).all())
    return [(row.id, row.version, row.form_code, row.form_title, row.period_start, row.period_end,
             sites.get(row.site_id, ""), services_by_id.get(row.service_id) if row.service_id is not None else None,
             authors.get(row.created_by_id, ""), row.status, row.legal_hold) for row in rows]


@cache
def _people_statement(scope: str, dialect: str):
    """The authors among the visible records, as (id, full_name): one index probe per person (EXISTS)."""
    return (select(User.id, User.full_name)
            .where(shaped_records(scope, dialect, ()).with_only_columns(Record.id).where(Record.created_by_id == User.id).exists())
            .order_by(User.full_name))


def _hashable(params: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@bp.route("/")
@require("records.read")
def index():
    args = request.args
    user = current_user._get_current_object()  # asked several times below: not through the proxy each time
    # Built once per shape (the user's scope, which filters are set), the values bound: see queries.list_shape.
    shape, params = list_shape(user, args)
    scope_params = {k: v for k, v in params.items() if k in ("user_id", "site_id", "service_ids")}
    # The authors among the visible records: one index probe per person (EXISTS), never a pass over every record;
    # kept by the worker until a record or a name changes (the "records" area of core/fragments.py).
    people = fragments.memo("records", ("records.people", shape[:2], _hashable(scope_params)), lambda: tuple(
        tuple(row) for row in core_execute(_people_statement(*shape[:2]), scope_params).all()))

    def results() -> tuple[str, dict]:
        stmt = shaped_records(*shape)
        total, more_than = paging.capped_count(stmt, COUNT_CAP, shape=("records.index",) + shape, params=params)
        page = paging.by_key(_listed(*shape), (Record.period_start, Record.id), (date, int),
                             lambda r: (r.period_start, r.id), args, PAGE_SIZE, descending=True, rows=True,
                             shape=("records.index",) + shape, params=params)
        return fragments.render_shared("records/index.html", "results", rows=_named_rows(page.rows, people),
                                       total=total, more_than=more_than, page=page, args=args,
                                       status_labels=status_labels(), list_rows=list_rows), {}

    # The results (count, rows, pager) are the same for everyone with the same scope, filters and permissions until a
    # record, a person's name (the "records" area) or a form's title, a site's or a service's name (the documents
    # area's token, in the key) changes: a shared fragment. An autosave changes none of them.
    listed = fragments.shared("records.index.results", "records", (
        request.query_string, shape, _hashable(params), fragments.tokens().get("documents"), COUNT_CAP), results)
    results_html = fragments.finish(listed.html)
    if request.htmx and request.headers.get("HX-Target") == "record-results":
        return fragments.respond(results_html, _("Records"))
    # Above the results: a shared fragment per filters, site and permissions (forms, sites and services are the
    # register's), the reader's people spliced in.
    top = fragments.shared("records.index.top", "documents", (request.query_string, user.site_id), lambda: (
        fragments.render_shared("records/_list_top.html", args=args, forms=services.forms_in_force(),
                                sites=_sites_for(user), services_=_all_services(), status_labels=status_labels(),
                                people_options=PEOPLE_MARKER), {}))
    top_html = fragments.finish(top.html).replace(PEOPLE_MARKER, people_options(people, args.get("person")))
    return render("records/index.html", top=Markup(top_html), results_html=results_html)


# ---------------------------------------------------------------- a new record
@bp.route("/new/<path:code>", methods=["GET", "POST"])
@require("records.fill")
def new(code: str):
    try:
        doc, rev = services.form_in_force(code)
    except ServiceError:
        abort(404)
    form = NewRecordForm()
    form.site_id.choices = [(s.id, s.name) for s in _sites_for(current_user)]
    form.service_id.choices = [(None, _("— all services —"))] + [(s.id, s.name) for s in services.services_for(current_user, doc)]
    if request.method == "GET":
        form.site_id.data = current_user.site_id
        own = current_user.service_ids
        if len(own) == 1:
            form.service_id.data = next(iter(own))
        form.period_start.data = local_today()
    if form.validate_on_submit():
        with refusals(form):
            record = services.create(doc.code, current_user, form.site_id.data, form.service_id.data,
                                     form.period_start.data, form.period_end.data)
            flash(_("Draft record %(n)s created. It is saved as you type.", n=record.number), "success")
            return redirect(url_for("records.show", record_id=record.id), 303)
    retention, owner = services.retention_for(doc.code)
    status = 422 if (form.errors or getattr(form, "form_errors", None)) else 200
    return render("records/new.html", status=status, form=form, doc=doc, rev=rev, retention=retention, owner=owner)


# ---------------------------------------------------------------- one record
def _page(record: Record, status: int = 200, errors: dict | None = None, data: dict | None = None, **forms):
    user = current_user
    add = request.args.get("add", "")
    data = record.data if data is None else data
    if record.status == DRAFT:  # a draft saved before its header fields were locked shows them filled in too
        data = services.with_header(record, data)
    context = dict(record=record, schema=services.schema_of(record.form_revision) or {"sections": []},
                   data=data, errors=errors or {}, add_row=add,
                   staff=services.staff_choices(record.site_id), status_labels=status_labels(),
                   can_edit=services.can_edit(user, record), can_approve=services.can_approve(user, record),
                   can_amend=services.can_amend(user, record), due=services.disposal_due(record),
                   sign_form=forms.get("sign_form") or SignRecordForm(),
                   approve_form=forms.get("approve_form") or SignRecordForm(prefix="approve"),
                   return_form=forms.get("return_form") or RecordReasonForm(prefix="return"),
                   amend_form=forms.get("amend_form") or RecordReasonForm(prefix="amend"),
                   hold_form=forms.get("hold_form") or RecordReasonForm(prefix="hold"),
                   staff_by_id=services.staff_lookup(record), integrity=services.integrity_warning(record),
                   locked=services.locked_fields(record))
    return render("records/show.html", status=status, **context)


@bp.route("/<int:record_id>")
@require("records.read")
def show(record_id: int):
    return _page(_record_or_404(record_id))


@bp.route("/<int:record_id>/save", methods=["POST"])
@require("records.fill")
@reads_first
def save(record_id: int):
    """Autosave (htmx: answers with the save status only) and "add a row" (a full page).

    On SQLite the post starts as a reading request (core.unit.reads_first): the session, the record and the form are
    read without the write lock, and only a save that changes something takes it (`begin_writing`), reading the
    record again under it — two workers' autosaves no longer wait for each other's reading and parsing, and a save
    with nothing new never waits."""
    record = _record_or_404(record_id, saving=True)
    if not services.can_edit(current_user, record):
        abort(403)
    data = schemas.data_from_form(services.schema_of(record.form_revision), request.form)
    if services.with_header(record, data) != record.data and begin_writing(expire=False):
        # Under the write lock now. What was read stays as read unless the record changed in between (its version,
        # which every change raises, read again: one small statement instead of reloading the user, the record
        # and its form); the UPDATE itself also checks the version (version_id_col).
        now = core_execute(_version_statement(), {"record_id": record_id}).scalar()
        if now != record.row_version:
            db.session.expire_all()
            record = _record_or_404(record_id, saving=True)
            if not services.can_edit(current_user, record):
                abort(403)
    try:
        services.save_draft(record, current_user, data, request.form.get("row_version", type=int))
    except ConflictError as exc:  # an older page: only the status answers, what was typed stays on the page
        if request.htmx:
            return render("records/show.html", block="save_status", record=record, conflict=exc.message,
                          seen_version=request.form.get("row_version", type=int), status=409)
        flash(exc.message, "error")
        return redirect(url_for("records.show", record_id=record.id), 303)
    db.session.flush()  # the new version number goes back to the page
    add = request.form.get("add_row", "")
    if add:
        return redirect(url_for("records.show", record_id=record.id, add=add, _anchor=f"field-{add}"), 303)
    if request.htmx:
        return render("records/show.html", block="save_status", record=record, saved_at=fmt_datetime(record.updated_at, seconds=True))
    flash(_("Draft saved."), "success")
    return redirect(url_for("records.show", record_id=record.id), 303)


@cache
def _saving_statement():
    """What a save reads of the record: its form revision's number and field schema, not its sections (a form's whole
    text), and neither the form's document nor the author (lazy, never asked for on this path)."""
    return (select(Record).options(joinedload(Record.form_revision).load_only(Revision.number, Revision.meta_json),
                                   lazyload(Record.form_document), lazyload(Record.created_by))
            .where(Record.id == bindparam("record_id")))


@cache
def _version_statement():
    return select(Record.row_version).where(Record.id == bindparam("record_id"))


@bp.route("/<int:record_id>/submit", methods=["POST"])
@require("records.fill")
def submit(record_id: int):
    record = _record_or_404(record_id)
    if not services.can_edit(current_user, record):
        abort(403)
    form = SignRecordForm()
    data = schemas.data_from_form(services.schema_of(record.form_revision), request.form)
    try:
        services.save_draft(record, current_user, data, request.form.get("row_version", type=int))
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("records.show", record_id=record.id), 303)
    keep_changes()  # what was typed is kept whatever happens next
    if not form.validate_on_submit():
        return _page(record, 422, sign_form=form)
    try:
        with db.session.begin_nested():  # a refused submission undoes only itself, never the saved draft
            services.submit(record, current_user, form.password.data)
    except services.RecordInvalid as exc:
        form.form_errors = [exc.message]
        return _page(record, 422, errors=exc.errors, sign_form=form)
    except ServiceError as exc:
        after_refusal(exc)
        apply_service_error(form, exc)
        return _page(record, 422, sign_form=form)
    flash(_("Record %(n)s submitted for approval.", n=record.number), "success")
    return redirect(url_for("records.show", record_id=record.id), 303)


@bp.route("/<int:record_id>/approve", methods=["POST"])
@require("records.approve")
def approve(record_id: int):
    record = _record_or_404(record_id)
    form = SignRecordForm(prefix="approve")
    if not services.can_approve(current_user, record):
        abort(403)
    if form.validate_on_submit():
        with refusals(form):
            services.approve(record, current_user, form.password.data)
            flash(_("Record %(n)s approved and locked.", n=record.number), "success")
            return redirect(url_for("records.show", record_id=record.id), 303)
    return _page(record, 422, approve_form=form)


@bp.route("/<int:record_id>/return", methods=["POST"])
@require("records.approve")
def return_record(record_id: int):
    record = _record_or_404(record_id)
    form = RecordReasonForm(prefix="return")
    if form.validate_on_submit():
        with refusals(form):
            services.return_to_draft(record, current_user, form.reason.data)
            flash(_("Record %(n)s returned to its author.", n=record.number), "success")
            return redirect(url_for("records.show", record_id=record.id), 303)
    return _page(record, 422, return_form=form)


@bp.route("/<int:record_id>/amend", methods=["POST"])
@require("records.read")
def amend(record_id: int):
    record = _record_or_404(record_id)
    form = RecordReasonForm(prefix="amend")
    if not services.can_amend(current_user, record):
        abort(403)
    if form.validate_on_submit():
        with refusals(form):
            services.amend(record, current_user, form.reason.data)
            flash(_("Version %(v)d of record %(n)s opened; the approved versions are kept.", v=record.version, n=record.number), "success")
            return redirect(url_for("records.show", record_id=record.id), 303)
    return _page(record, 422, amend_form=form)


@bp.route("/<int:record_id>/discard", methods=["POST"])
@require("records.fill")
def discard(record_id: int):
    record = _record_or_404(record_id)
    with refusals(flash_it=True):
        number = record.number
        services.discard(record, current_user)
        return redirect(url_for("records.show", record_id=record_id), 303)
    flash(_("Draft %(n)s discarded.", n=number), "success")
    return redirect(url_for("records.index"), 303)


@bp.route("/<int:record_id>/hold", methods=["POST"])
@require("records.hold")
def hold(record_id: int):
    record = _record_or_404(record_id)
    form = RecordReasonForm(prefix="hold")
    if form.validate_on_submit():
        with refusals(form):
            services.set_hold(record, current_user, not record.legal_hold, form.reason.data)
            flash(_("Legal hold placed.") if record.legal_hold else _("Legal hold lifted."), "success")
            return redirect(url_for("records.show", record_id=record.id), 303)
    return _page(record, 422, hold_form=form)


@bp.route("/<int:record_id>.pdf")
@require("records.read")
def pdf(record_id: int):
    record = _record_or_404(record_id)
    if record.status == DISPOSED:
        abort(410)
    return pdf_cache.serve(paper.KIND, record.id, paper.pdf_key(record), f"{record.number}-{record.form_code.replace('/', '-')}.pdf")


@bp.route("/<int:record_id>/versions/<int:version>.pdf")
@require("records.read")
def archived_pdf(record_id: int, version: int):
    """The PDF/A archived when that version was approved (byte for byte, its SHA-256 on the page)."""
    record = _record_or_404(record_id)
    row = next((v for v in record.versions if v.version == version), None)
    path = paper.archive_path(row) if row else None
    if path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"{record.number}-v{version}-arsip.pdf")


# ---------------------------------------------------------------- disposal
@bp.route("/disposal", methods=["GET", "POST"])
@require("records.dispose")
def disposal():
    form = DisposalForm()
    form.witness_id.choices = [(None, _("Choose the witness"))] + services.witness_choices(current_user)
    queue = services.disposal_queue()
    status = 200
    if request.method == "POST":
        ids = {int(i) for i in request.form.getlist("record_ids") if i.isdigit()}
        chosen = [r for r, _due in queue if r.id in ids]
        if form.validate_on_submit():
            with refusals(form):
                witness = db.session.get(User, form.witness_id.data)
                batch = services.dispose(chosen, current_user, form.password.data, form.method.data, form.notes.data,
                                         witness=witness, witness_password=form.witness_password.data)
                flash(_("%(n)d record(s) disposed of. The record of destruction is ready.", n=len(chosen)), "success")
                return redirect(url_for("records.disposal_record", disposal_id=batch.id), 303)
        status = 422
        queue = services.disposal_queue()
    held = [(r, d) for r, d in queue if r.legal_hold]
    ready = [(r, d) for r, d in queue if not r.legal_hold]
    past = db.session.scalars(select(Disposal).order_by(Disposal.id.desc()).limit(20)).all()
    return render("records/disposal.html", status=status, form=form, ready=ready, held=held, past=past,
                  chosen={int(i) for i in request.form.getlist("record_ids") if i.isdigit()})


@bp.route("/disposals/<int:disposal_id>")
@require("records.dispose")
def disposal_record(disposal_id: int):
    batch = db.session.get(Disposal, disposal_id) or abort(404)
    return render("records/disposal_record.html", batch=batch, lines=services.disposal_lines(batch))


@bp.route("/disposals/<int:disposal_id>.pdf")
@require("records.dispose")
def disposal_pdf(disposal_id: int):
    batch = db.session.get(Disposal, disposal_id) or abort(404)
    return pdf_cache.serve(paper.DISPOSAL_KIND, batch.id, paper.disposal_key(batch, local_today()),
                           f"berita-acara-pemusnahan-{batch.id}.pdf", on_serve=lambda: services.disposal_printed(batch))


# ---------------------------------------------------------------- contracts
def _contract_form(contract: Contract | None = None) -> ContractForm:
    form = ContractForm(obj=contract)
    form.service_id.choices = [(None, _("— every service —"))] + [
        (s.id, s.name) for s in db.session.scalars(select(Service).order_by(Service.name))]
    return form


@bp.route("/contracts", methods=["GET", "POST"])
@require("records.manage")
def contracts():
    form = _contract_form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with refusals(form):
                services.save_contract(None, {"name": form.name.data, "service_id": form.service_id.data,
                                              "starts_on": form.starts_on.data, "ends_on": form.ends_on.data}, current_user)
                flash(_("Contract saved."), "success")
                return redirect(url_for("records.contracts"), 303)
        status = 422
    rows = db.session.scalars(select(Contract).order_by(Contract.name)).all()
    return render("records/contracts.html", status=status, form=form, rows=rows)


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
@require("records.manage")
def contract_edit(contract_id: int):
    contract = db.session.get(Contract, contract_id) or abort(404)
    form = _contract_form(contract)
    if form.validate_on_submit():
        with refusals(form):
            services.save_contract(contract, {"name": form.name.data, "service_id": form.service_id.data,
                                              "starts_on": form.starts_on.data, "ends_on": form.ends_on.data}, current_user)
            flash(_("Contract saved."), "success")
            return redirect(url_for("records.contracts"), 303)
    status = 422 if form.errors or getattr(form, "form_errors", None) else 200
    return render("records/contract_form.html", status=status, form=form, contract=contract)
