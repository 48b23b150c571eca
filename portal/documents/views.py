"""The register, reading, drafting and approving of controlled documents."""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select

from portal.core import fragments, paging
from portal.core.urls import db_int
from portal.core.i18n import fmt_date, local_today
from portal.auth.models import Service, Site
from portal.core.service import ConflictError, ServiceError
from portal.core.forms import after_refusal, apply_service_error, form_status, refusals
from portal.core import files
from portal.core.unit import keep_changes
from portal.core.db import core_execute, utcnow
from portal.core.htmx import render
from portal.core.urls import path_part, safe_next
from portal.core.permissions import login_required, require
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.documents import copies as copy_register
from portal.documents import meta, paper, permissions, queries, search, services
from portal.documents import blocks
from portal.documents.diff import Paragraph, diff_html, diff_paragraphs
from portal.printing import cache as pdf_cache
from portal.documents.labels import status_badge, status_label
from portal.documents.forms import (ChangeRequestForm, DocumentForm, DraftForm, FileForm, ReasonForm, ReviewForm,
                                    SignForm)
from portal.documents.models import (APPROVED, CHECKED, DOC_TYPES, DRAFT, EFFECTIVE, SUBMITTED,
                                     SUPERSEDED, WITHDRAWN, ChangeRequest, ControlledCopy, Document, Revision)
from portal.extensions import db

bp = Blueprint("documents", __name__)
PAGE_SIZE = 50


# ---------------------------------------------------------------- loading
def _document_or_404(code: str) -> Document:
    doc = services.get_document(code)
    if doc is None:
        abort(404)
    return doc


def _revision_or_404(doc: Document, number: str) -> Revision:
    rev = next((r for r in doc.revisions if r.number == number), None)
    if rev is None:
        abort(404)
    return rev


def _visible(rev: Revision) -> bool:
    return permissions.can_see_revision(current_user, rev)


def _fill_scope_choices(form: DocumentForm) -> None:
    form.service_ids.choices = [(s.id, s.name) for s in db.session.scalars(select(Service).order_by(Service.name))]
    form.site_ids.choices = [(s.id, s.name) for s in db.session.scalars(select(Site).order_by(Site.is_head_office.desc(), Site.name))]


def _status_of(form) -> int:
    return 422 if (form.errors or getattr(form, "form_errors", None)) else 200


# ---------------------------------------------------------------- register
@bp.route("/")
@require("documents.read")
def register():
    # The list (or, for the filters' htmx requests, its results) is the same for everyone with the same permissions:
    # a shared fragment per query string (core/fragments.py), rendered again when the register changes.
    block = "results" if fragments.wants_fragment() and request.headers.get("HX-Target") == "document-results" else "content"
    entry = fragments.shared("documents.register." + block, "documents", (request.query_string,),
                             lambda: (fragments.render_shared("documents/register.html", block, **_register_context()), {}))
    return fragments.respond(fragments.finish(entry.html), _("Document register"))


def _register_context() -> dict:
    args = request.args
    text = (args.get("text") or "").strip()
    hits = {}
    # A row of the list is the few columns it shows, not a Document object (turning 50 rows into objects cost more
    # than the statement that reads them).
    stmt = queries.register_query(args).with_only_columns(*_REGISTER_COLUMNS)
    if text:
        found = search.search(text, limit=PAGE_SIZE)
        hits = {h.document_id: h.snippet for h in found}
        stmt = stmt.where(Document.id.in_(list(hits) or [0]))
    page = paging.by_key(stmt, (Document.code_key,), (str,), lambda d: (d.code_key,), args, PAGE_SIZE, rows=True)
    docs = page.rows
    if text:
        rank = {doc_id: i for i, doc_id in enumerate(hits)}
        docs.sort(key=lambda d: rank.get(d.id, 0))
    # One query for the revisions in force of the page (not one per row, not their full text).
    # (Filtered by status here, not in SQL: SQLite would otherwise walk the status index over the whole register.)
    current = {row.document_id: row for row in core_execute(_current_statement(), {"ids": [d.id for d in docs]})
               if row.status == EFFECTIVE} if docs else {}
    units, services_all, sites_all = _filter_choices()
    return dict(docs=docs, rows_html=_register_rows(docs, current, hits), args=args, doc_types=DOC_TYPES,
                units=units, services_all=services_all, sites_all=sites_all,
                page=page if not text else paging.Page(docs, None, None), review_due=services.review_due,
                drafts_visible=permissions.can_work_on_drafts(current_user))


_REGISTER_COLUMNS = (Document.id, Document.code, Document.code_key, Document.title, Document.doc_type,
                     Document.withdrawn_at)


@cache
def _current_statement():
    return (select(Revision.document_id, Revision.number, Revision.effective_date, Revision.status)
            .where(Revision.document_id.in_(bindparam("ids", expanding=True))))


def _register_rows(docs, current: dict, hits: dict) -> Markup:
    """The register's table rows, written here rather than by a loop in the template: a row in Jinja made a dozen
    calls and lookups through its runtime (the rows were half of a register page that is not cached yet)."""
    url = url_for("documents.show", code="x")[:-1]
    labels = [escape(label) for label in (_("Code"), _("Title"), _("Type"), _("Rev."), _("Effective"), _("Status"))]
    types = {code: escape(str(label)) for code, label in DOC_TYPES.items()}
    out = []
    for d in docs:
        cur = current.get(d.id)
        snippet = hits.get(d.id)
        snippet = f'<p class="snippet">{snippet}</p>' if snippet else ""
        status = WITHDRAWN if d.withdrawn_at else EFFECTIVE if cur else DRAFT
        out.append(
            f'<tr><td data-label="{labels[0]}"><a href="{url}{escape(path_part(d.code))}"><strong>{escape(d.code)}'
            f'</strong></a></td><td data-label="{labels[1]}">{escape(d.title)}'
            f'{snippet}</td>'
            f'<td data-label="{labels[2]}">{types.get(d.doc_type) or escape(d.doc_type)}</td>'
            f'<td data-label="{labels[3]}">{cur.number if cur else "—"}</td>'
            f'<td data-label="{labels[4]}">{escape(fmt_date(cur.effective_date)) if cur else "—"}</td>'
            f'<td data-label="{labels[5]}">{status_badge(status)}</td></tr>')
    return Markup("".join(out))


def _filter_choices() -> tuple:
    """The register filter's units, services and sites: (units, services, sites), services and sites as (id, name)
    rows by name. Kept until the register, a site or a service changes (a value of the documents area,
    `fragments.memo`), so a page of the register that is not cached yet runs none of their statements."""
    return fragments.memo("documents", ("documents.register.filters",), lambda: (
        tuple(queries.units()),
        tuple(_Named(*row) for row in db.session.execute(select(Service.id, Service.name).order_by(Service.name))),
        tuple(_Named(*row) for row in db.session.execute(select(Site.id, Site.name).order_by(Site.name)))))


class _Named(NamedTuple):
    id: int
    name: str


@bp.route("/new", methods=["GET", "POST"])
@require("documents.draft")
def new():
    form = DocumentForm()
    _fill_scope_choices(form)
    if form.validate_on_submit():
        with refusals(form):
            doc = services.register_document(form.data)
            rev = services.new_draft(doc, current_user)
            flash(_("%(code)s is registered. Write its first revision.", code=doc.code), "success")
            return redirect(url_for("documents.edit_revision", code=doc.code, number=rev.number), 303)
    return render("documents/document_form.html", form=form, doc=None, status=_status_of(form))


@bp.route("/<path:code>/settings", methods=["GET", "POST"])
@require("documents.draft")
def settings(code: str):
    doc = _document_or_404(code)
    form = DocumentForm(obj=doc) if request.method == "GET" else DocumentForm()
    _fill_scope_choices(form)
    if request.method == "GET":
        form.service_ids.data = [s.id for s in doc.services]
        form.site_ids.data = [s.id for s in doc.sites]
    form.code.data = doc.code
    if form.validate_on_submit():
        with refusals(form):
            services.update_document(doc, form.data, reason=form.reason.data or "")
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("documents.show", code=doc.code), 303)
    return render("documents/document_form.html", form=form, doc=doc, status=_status_of(form))


# ---------------------------------------------------------------- reading
# Where the reader's own card ("you must read this revision" / "you have confirmed") goes in the shared page body.
READING_CARD = "<!--portal:reading-card-->"


def _page_body(doc: Document, rev: Revision | None, **extra) -> tuple[str, dict]:
    """The SOP page's body as everyone with the same permissions sees it (core/fragments.py), and what the view needs
    to finish it for one reader: the title and the revision whose reading card to add."""
    with fragments.placeholder_tokens():  # the forms made here carry the CSRF placeholder
        in_progress = next((r for r in doc.revisions if r.status in (DRAFT, SUBMITTED, CHECKED, APPROVED)), None)
        related, cited_by = queries.related_and_citing(doc)
        context = dict(doc=doc, rev=rev, in_progress=in_progress if in_progress is not rev else None, related=related,
                       cited_by=cited_by, review_due=services.review_due(doc), today=local_today(), sign_form=SignForm(),
                       reason_form=ReasonForm(), ack_card=Markup(READING_CARD),
                       integrity=services.integrity_warning(rev) if rev is not None else None)
        context.update(extra)  # a refused signature or return comes back with its own form and errors
        html = fragments.render_shared("documents/_page.html", **context)
    reader = None
    if rev is not None and rev.status == EFFECTIVE:
        reader = (rev.id, rev.number, [s.id for s in doc.sites], [s.id for s in doc.services])
    title = f"{doc.code} rev {rev.number}" if rev is not None else doc.code
    return html, {"code": doc.code, "title": title, "reader": reader}


def _serve_page(html: str, meta: dict, status: int = 200):
    """The page body finished for this reader: their reading card and CSRF token."""
    card = ""
    if meta["reader"] is not None:
        rev_id, number, site_ids, service_ids = meta["reader"]
        must_read, acknowledged = services.reading_state_of(rev_id, site_ids, service_ids, current_user)
        if must_read:
            card = render_template("documents/_ack.html", must_read=True, acknowledged=acknowledged,
                                   code=meta["code"], number=number)
    return fragments.respond(fragments.finish(html.replace(READING_CARD, card, 1)), meta["title"], status)


def _page(doc: Document, rev: Revision | None, **extra):
    """The page of a revision, rendered for this request (a refused form shows its errors: never cached)."""
    return _serve_page(*_page_body(doc, rev, **extra))


def _shown_revision(doc: Document) -> Revision | None:
    rev = doc.current or next((r for r in reversed(doc.revisions) if r.status == WITHDRAWN), None)
    if rev is None:
        rev = next((r for r in reversed(doc.revisions) if _visible(r)), None)
    return rev


@bp.route("/<path:code>")
@require("documents.read")
def show(code: str):
    def build():
        doc = queries.document_for_page(code) or abort(404)
        if doc.code != code:
            return "", {"redirect": doc.code}
        return _page_body(doc, _shown_revision(doc))

    entry = fragments.shared("documents.show", "documents", (code,), build)
    if "redirect" in entry.meta:
        return redirect(url_for("documents.show", code=entry.meta["redirect"]), 301)
    return _serve_page(entry.html, entry.meta)


@bp.route("/<path:code>/rev/<number>")
@require("documents.read")
def revision(code: str, number: str):
    def build():
        doc = queries.document_for_page(code) or abort(404)
        rev = _revision_or_404(doc, number)
        if not _visible(rev):
            abort(403)
        return _page_body(doc, rev)

    entry = fragments.shared("documents.revision", "documents", (code, number), build)
    return _serve_page(entry.html, entry.meta)


@bp.route("/<path:code>/rev/<number>/original")
@require("documents.read")
def original(code: str, number: str):
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    if not _visible(rev) or not rev.file_path:
        abort(404)
    path = services.file_path(rev)
    if not path.exists():
        abort(404)
    # Sent as what the stored file is (its extension was set from its bytes), never under an uploader's .html name.
    return files.send_stored(path, rev.file_name, files.extension_of(rev.file_path))


PRINTABLE = (APPROVED, EFFECTIVE, SUPERSEDED, WITHDRAWN)


def _pdf_response(rev: Revision, copy: ControlledCopy | None = None):
    """The PDF from the cache of rendered PDFs, or a page that follows its rendering in the background."""
    key = paper.pdf_key(rev, copy)
    name = f"{services.file_stem(rev.document.code)}.Rev.{rev.number}" + (f"-salinan-{copy.number}" if copy else "") + ".pdf"
    return pdf_cache.serve(paper.KIND, rev.id, key, name, copy_id=copy.id if copy else None)


@bp.route("/<path:code>.pdf")
@require("documents.read")
def current_pdf(code: str):
    """The revision in force, as paper (an uncontrolled copy, registered for /verify)."""
    doc = _document_or_404(code)
    if doc.current is None:
        abort(404)
    return _pdf_response(doc.current)


@bp.route("/<path:code>/rev/<number>.pdf")
@require("documents.read")
def revision_pdf(code: str, number: str):
    """Any issued revision as paper; drafts do not print (they must not circulate)."""
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    if rev.status not in PRINTABLE or not rev.sections:
        abort(404)
    return _pdf_response(rev)


@bp.route("/<path:code>/diff/<a>/<b>")
@require("documents.read")
def diff(code: str, a: str, b: str):
    doc = _document_or_404(code)
    left, right = _revision_or_404(doc, a), _revision_or_404(doc, b)
    if not (_visible(left) and _visible(right)):
        abort(403)
    old = {s["number"]: s for s in left.sections}
    new = {s["number"]: s for s in right.sections}
    order = list(dict.fromkeys([*old, *new]))
    rows = []
    for number in order:
        o, n = old.get(number), new.get(number)
        o_paras, n_paras = blocks.paragraphs(o), blocks.paragraphs(n)
        rows.append({"number": number, "title": (n or o)["title"], "changed": o_paras != n_paras,
                     "paragraphs": ([Paragraph("changed", diff_html(o["title"], n["title"]))]
                                    if o and n and o["title"] != n["title"] else [])
                     + diff_paragraphs(o_paras[1:], n_paras[1:]),
                     "only": "new" if not o else "old" if not n else ""})
    rec_old = [f"{r.code} {r.name} · {r.retention} · {r.owner}" for r in left.records]
    rec_new = [f"{r.code} {r.name} · {r.retention} · {r.owner}" for r in right.records]
    return render("documents/diff.html", doc=doc, left=left, right=right, rows=rows,
                  records_removed=[r for r in rec_old if r not in rec_new], records_added=[r for r in rec_new if r not in rec_old],
                  no_content=not left.sections or not right.sections)


@bp.route("/<path:code>/acknowledge", methods=["POST"])
@require("documents.read")
def acknowledge(code: str):
    doc = _document_or_404(code)
    rev = doc.current
    if rev is None:
        abort(404)
    with refusals(flash_it="warning"):
        services.acknowledge(rev, current_user)
        flash(_("Thank you: you confirmed reading %(code)s revision %(n)s.", code=doc.code, n=rev.number), "success")
    return redirect(url_for("documents.show", code=doc.code), 303)


@bp.route("/<path:code>/reading")
@require("documents.reports")
def reading(code: str):
    doc = _document_or_404(code)
    rev = doc.current
    rows = services.reading_status(rev) if rev else []
    by_site: dict = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(row)
    return render("documents/reading.html", doc=doc, rev=rev, by_site=by_site,
                  done=sum(1 for r in rows if r["acknowledged_at"]), total=len(rows))


@bp.route("/<path:code>/reading.xlsx")
@require("documents.reports")
def reading_xlsx(code: str):
    from portal.core.i18n import fmt_datetime

    doc = _document_or_404(code)
    rev = doc.current
    if rev is None:
        abort(404)
    rows = services.reading_status(rev)
    data = build_workbook(
        _("Reading"), [_("Site"), _("User name"), _("Full name"), _("Position"), _("Read"), _("Acknowledged at")],
        ([r["site"].name, r["user"].username, r["user"].full_name, r["user"].position, _("yes") if r["acknowledged_at"] else _("no"),
          fmt_datetime(r["acknowledged_at"]) if r["acknowledged_at"] else ""] for r in rows),
        widths=[22, 16, 28, 28, 8, 28])
    return _xlsx_response(data, f"{services.file_stem(doc.code)}-rev{rev.number}-pembacaan.xlsx")


def _xlsx_response(data: bytes, filename: str):
    from flask import Response

    return Response(data, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---------------------------------------------------------------- drafting and signing
def _sections_from_form() -> list[dict]:
    f = request.form
    return [{"number": n, "title": t, "body": b} for n, t, b in
            zip(f.getlist("section_number"), f.getlist("section_title"), f.getlist("section_body"))]


def _records_from_form() -> list[dict]:
    f = request.form
    return [{"code": c, "name": n, "retention": r, "owner": o} for c, n, r, o in
            zip(f.getlist("record_code"), f.getlist("record_name"), f.getlist("record_retention"), f.getlist("record_owner"))]


@bp.route("/<path:code>/drafts", methods=["POST"])
@require("documents.draft")
def start_draft(code: str):
    doc = _document_or_404(code)
    with refusals(flash_it=True):
        rev = services.new_draft(doc, current_user)
        flash(_("Revision %(n)s has been started from the current one.", n=rev.number), "success")
        return redirect(url_for("documents.edit_revision", code=doc.code, number=rev.number), 303)
    return redirect(url_for("documents.show", code=doc.code), 303)


def _schema_ok(doc: Document, form: DraftForm) -> bool:
    """A form's field schema must parse; its errors (by line) stay next to the text the user typed."""
    form.parsed_schema = None
    field = meta.for_type(doc.doc_type)
    if field is None or not (form.form_schema.data or "").strip():
        return True
    parsed, errors = field.parse(form.form_schema.data)
    if errors:
        form.form_schema.errors = [str(e) for e in errors]
        return False
    form.parsed_schema = parsed
    return True


def _posted_draft(doc: Document, rev: Revision, form: DraftForm) -> dict | None:
    """What the revision editor posted, as the draft's new content; None (errors on the form) when it is invalid."""
    if not (form.validate() and _schema_ok(doc, form)):
        return None
    data = {"effective_date": form.effective_date.data, "change_description": form.change_description.data,
            "sections": _sections_from_form(), "records": _records_from_form()}
    meta_field = meta.for_type(doc.doc_type)
    if meta_field is not None:
        data["meta"] = {**rev.meta, meta_field.key: form.parsed_schema}
    return data


def _stored_draft_form(doc: Document, rev: Revision) -> DraftForm:
    """The editor's form filled from the stored draft (not from what this request posted)."""
    form = DraftForm(obj=rev, formdata=None)
    meta_field = meta.for_type(doc.doc_type)
    if meta_field is not None:
        form.form_schema.data = meta_field.text(rev.meta.get(meta_field.key), doc.code)
    return form


def _editor(doc: Document, rev: Revision, form: DraftForm, status: int = 200, sign_form=None, conflict=None,
            file_form=None):
    """The revision editor with what was typed (posted) or stored (GET).

    After a conflict (`conflict`, the message) the page keeps the version it was opened on, so its later saves are
    refused too until it is reloaded: what was typed is shown to be copied, never saved over the newer draft."""
    if form.is_submitted() and "section_body" in request.form:
        sections, records = _sections_from_form(), _records_from_form()
    else:
        sections = rev.sections
        records = [{"code": r.code, "name": r.name, "retention": r.retention, "owner": r.owner} for r in rev.records]
    if conflict:
        form.form_errors.append(conflict)
    return render("documents/edit.html", doc=doc, rev=rev, form=form, sections=sections, records=records,
                  file_form=file_form or FileForm(), sign_form=sign_form or SignForm(), reason_form=ReasonForm(),
                  row_version=_seen_version() if conflict else rev.row_version,
                  save_message=conflict, save_ok=False, status=status if status != 200 else _status_of(form))


def _seen_version() -> int | None:
    """The draft version the posting editor was opened on (None from a client that does not send it)."""
    return request.form.get("row_version", type=int)


@bp.route("/<path:code>/rev/<number>/edit", methods=["GET", "POST"])
@require("documents.draft")
def edit_revision(code: str, number: str):
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    if not rev.editable:
        flash(_("Only a draft can be changed; this revision is %(status)s.", status=status_label(rev.status).lower()), "warning")
        return redirect(url_for("documents.revision", code=doc.code, number=rev.number), 303)
    form = DraftForm(obj=rev) if request.method == "GET" else DraftForm()
    meta_field = meta.for_type(doc.doc_type)
    if request.method == "GET" and meta_field is not None:
        form.form_schema.data = meta_field.text(rev.meta.get(meta_field.key), doc.code)
    if form.is_submitted():
        data = _posted_draft(doc, rev, form)
        if data is not None:
            with refusals(form):
                try:
                    services.save_draft(rev, data, _seen_version())
                except ConflictError as exc:  # an older editor: nothing saved, the typing stays on the page
                    db.session.rollback()
                    return _editor(doc, rev, form, 409, conflict=exc.message)
                if request.form.get("then") == "preview":  # "Preview" saves first, then shows the revision
                    return redirect(url_for("documents.revision", code=doc.code, number=rev.number), 303)
                flash(_("The draft has been saved."), "success")
                return redirect(url_for("documents.edit_revision", code=doc.code, number=rev.number), 303)
    return _editor(doc, rev, form)


@bp.route("/<path:code>/rev/<number>/autosave", methods=["POST"])
@require("documents.draft")
def autosave_revision(code: str, number: str):
    """The editor saves as the user types (htmx): only the save status comes back."""
    from portal.core.i18n import fmt_datetime

    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    form = DraftForm()
    message, status, version = None, 200, _seen_version()
    if not rev.editable:
        message, status = _("Only a draft can be changed; this revision is %(status)s.", status=status_label(rev.status).lower()), 409
    else:
        data = _posted_draft(doc, rev, form)
        if data is None:
            message, status = _("Not saved yet: correct the marked fields, then save."), 422
        else:
            errors: dict = {}
            with refusals(errors=errors):
                try:
                    services.save_draft(rev, data, version)
                except ConflictError as exc:  # an older editor: only the status says so, the typing stays
                    db.session.rollback()
                    message, status = exc.message, 409
                else:
                    version = rev.row_version  # the new version goes back into the form
            if errors:
                message, status = next(iter(errors.values())), 422
    if message is None:
        message = _("Saved automatically at %(when)s.", when=fmt_datetime(utcnow(), seconds=True))
    return render("documents/edit.html", block="save_status", save_message=message, save_ok=status == 200,
                  row_version=version, status=status)


@bp.route("/<path:code>/rev/<number>/file", methods=["POST"])
@require("documents.draft")
def upload(code: str, number: str):
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    form = FileForm()
    storage = request.files.get("file")
    if form.validate_on_submit():
        with refusals(form):
            if storage is None or not storage.filename:
                raise ServiceError(_("Choose a file."), "file")
            services.attach_file(rev, storage.read(), storage.filename)
            flash(_("The original file has been attached."), "success")
            return redirect(url_for("documents.edit_revision", code=doc.code, number=rev.number), 303)
    if not rev.editable:
        return redirect(url_for("documents.revision", code=doc.code, number=rev.number), 303)
    # Refused: the editor again, with the reason next to the file field (the draft as stored, nothing typed lost:
    # the upload form is a form of its own).
    return _editor(doc, rev, _stored_draft_form(doc, rev), 422, file_form=form)


def _signing(code: str, number: str, action, success: str, form_cls=SignForm):
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    form = form_cls()
    if form.validate_on_submit():
        with refusals(form):
            action(rev, form)
            flash(success % {"code": doc.code, "n": rev.number}, "success")
            return redirect(url_for("documents.revision", code=doc.code, number=rev.number), 303)
    if rev.status == DRAFT and current_user.can("documents.draft"):
        return render("documents/edit.html", doc=doc, rev=rev, form=DraftForm(obj=rev, formdata=None),
                      sections=rev.sections, records=rev.records, file_form=FileForm(formdata=None),
                      sign_form=form if form_cls is SignForm else SignForm(formdata=None), reason_form=ReasonForm(formdata=None),
                      status=422)
    page = _page(doc, rev, **({"sign_form": form} if form_cls is SignForm else {"reason_form": form}))
    page.status_code = 422
    return page


@bp.route("/<path:code>/rev/<number>/submit", methods=["POST"])
@require("documents.draft")
def submit(code: str, number: str):
    if "section_body" not in request.form:  # signed from the revision page: nothing typed to save
        return _signing(code, number, lambda rev, f: services.submit(rev, current_user, f.password.data),
                        _("%(code)s revision %(n)s is signed and sent for checking."))
    # Signed from the editor: what was typed is saved first and kept whatever happens to the signature.
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    form, sign_form = DraftForm(), SignForm()
    if not rev.editable:
        abort(409)
    data = _posted_draft(doc, rev, form)
    if data is None:
        return _editor(doc, rev, form, 422, sign_form)
    try:
        services.save_draft(rev, data, _seen_version())
    except ConflictError as exc:  # signed in an older editor: neither saved nor signed, the typing stays
        db.session.rollback()
        return _editor(doc, rev, form, 409, sign_form, conflict=exc.message)
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _editor(doc, rev, form, 422, sign_form)
    keep_changes()
    if not sign_form.validate():
        return _editor(doc, rev, form, 422, sign_form)
    try:
        with db.session.begin_nested():  # a refused signature undoes only itself, never the saved draft
            services.submit(rev, current_user, sign_form.password.data)
    except ServiceError as exc:
        after_refusal(exc)
        apply_service_error(sign_form, exc)
        return _editor(doc, rev, form, 422, sign_form)
    flash(_("%(code)s revision %(n)s is signed and sent for checking.") % {"code": doc.code, "n": rev.number}, "success")
    return redirect(url_for("documents.revision", code=doc.code, number=rev.number), 303)


@bp.route("/<path:code>/rev/<number>/check", methods=["POST"])
@require("documents.check")
def check(code: str, number: str):
    return _signing(code, number, lambda rev, f: services.check(rev, current_user, f.password.data),
                    _("%(code)s revision %(n)s is checked and sent for approval."))


@bp.route("/<path:code>/rev/<number>/approve", methods=["POST"])
@require("documents.approve")
def approve(code: str, number: str):
    return _signing(code, number, lambda rev, f: services.approve(rev, current_user, f.password.data),
                    _("%(code)s revision %(n)s is approved."))


@bp.route("/<path:code>/rev/<number>/return", methods=["POST"])
@require("documents.check")
def return_revision(code: str, number: str):
    return _signing(code, number, lambda rev, f: services.return_to_draft(rev, current_user, f.reason.data),
                    _("%(code)s revision %(n)s has been returned to its author."), form_cls=ReasonForm)


@bp.route("/<path:code>/rev/<number>/discard", methods=["POST"])
@require("documents.draft")
def discard(code: str, number: str):
    doc = _document_or_404(code)
    rev = _revision_or_404(doc, number)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            services.discard_draft(rev, form.reason.data)
            flash(_("The draft has been discarded."), "success")
            return redirect(url_for("documents.show", code=doc.code), 303)
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("documents.edit_revision", code=doc.code, number=rev.number), 303)


@bp.route("/<path:code>/withdraw", methods=["POST"])
@require("documents.manage")
def withdraw(code: str):
    doc = _document_or_404(code)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            services.withdraw(doc, form.reason.data)
            flash(_("%(code)s has been withdrawn.", code=doc.code), "success")
    else:
        flash(_("Give the reason for the withdrawal."), "error")
    return redirect(url_for("documents.show", code=doc.code), 303)


@bp.route("/work")
@login_required
def work():
    """What waits for my signature: drafts to submit, revisions to check or approve."""
    queues = {}
    if current_user.can("documents.draft"):
        queues["draft"] = db.session.scalars(select(Revision).where(Revision.status == DRAFT).order_by(Revision.created_at)).all()
    if current_user.can("documents.check"):
        queues["check"] = db.session.scalars(select(Revision).where(Revision.status == SUBMITTED).order_by(Revision.created_at)).all()
    if current_user.can("documents.approve"):
        queues["approve"] = db.session.scalars(select(Revision).where(Revision.status == CHECKED).order_by(Revision.created_at)).all()
    scheduled = db.session.scalars(select(Revision).where(Revision.status == APPROVED).order_by(Revision.effective_date)).all()
    return render("documents/work.html", queues=queues, scheduled=scheduled)


# ---------------------------------------------------------------- change requests
@bp.route("/<path:code>/change-requests/new", methods=["GET", "POST"])
@require("documents.read")
def propose(code: str):
    doc = _document_or_404(code)
    form = ChangeRequestForm()
    if form.validate_on_submit():
        with refusals(form):
            services.propose_change(doc, current_user, form.proposal.data, form.reason.data)
            flash(_("Your change request has been sent to the document controller."), "success")
            return redirect(url_for("documents.my_requests"), 303)
    return render("documents/propose.html", doc=doc, form=form, status=_status_of(form))


@bp.route("/change-requests")
@require("documents.manage")
def change_requests():
    status = request.args.get("status") or "open"
    stmt = select(ChangeRequest).order_by(ChangeRequest.created_at.desc())
    if status in ("open", "accepted", "rejected"):
        stmt = stmt.where(ChangeRequest.status == status)
    return render("documents/change_requests.html", rows=db.session.scalars(stmt.limit(200)).all(), status_filter=status,
                  reason_form=ReasonForm())


@bp.route("/to-read")
@require("documents.read")
def to_read():
    """The revisions in force this user must still read and confirm (the home page shows their number)."""
    rows = services.unread_for(current_user, limit=TO_READ_MAX + 1)
    return render("documents/to_read.html", rows=rows[:TO_READ_MAX], more=len(rows) > TO_READ_MAX)


TO_READ_MAX = 200


@bp.route("/my-requests")
@require("documents.read")
def my_requests():
    rows = db.session.scalars(select(ChangeRequest).where(ChangeRequest.proposer_id == current_user.id)
                              .order_by(ChangeRequest.created_at.desc())).all()
    for cr in rows:
        services.mark_outcome_seen(cr)
    return render("documents/my_requests.html", rows=rows)


def _change_request_or_404(cr_id: int) -> ChangeRequest:
    cr = db.session.get(ChangeRequest, cr_id)
    if cr is None:
        abort(404)
    return cr


@bp.route("/change-requests/<int:cr_id>/accept", methods=["POST"])
@require("documents.manage")
def accept_request(cr_id: int):
    cr = _change_request_or_404(cr_id)
    with refusals(flash_it=True):
        rev = services.accept_change_request(cr, current_user)
        flash(_("Draft revision %(n)s of %(code)s has been started from the request.", n=rev.number, code=cr.document.code),
              "success")
        return redirect(url_for("documents.edit_revision", code=cr.document.code, number=rev.number), 303)
    return redirect(url_for("documents.change_requests"), 303)


@bp.route("/change-requests/<int:cr_id>/reject", methods=["POST"])
@require("documents.manage")
def reject_request(cr_id: int):
    cr = _change_request_or_404(cr_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            services.reject_change_request(cr, current_user, form.reason.data)
            flash(_("The request has been rejected; the proposer will see your reason."), "success")
    else:
        flash(_("Tell the proposer why the request is rejected."), "error")
    return redirect(url_for("documents.change_requests"), 303)


# ---------------------------------------------------------------- periodic review
@bp.route("/reviews")
@require("documents.review")
def reviews():
    today = local_today()
    upcoming = queries.review_dates()
    return render("documents/reviews.html", overdue=[p for p in upcoming if p[1] <= today],
                  upcoming=[p for p in upcoming if p[1] > today][:50], today=today)


@bp.route("/<path:code>/review", methods=["GET", "POST"])
@require("documents.review")
def review(code: str):
    doc = _document_or_404(code)
    form = ReviewForm()
    if form.validate_on_submit():
        with refusals(form):
            services.record_review(doc, current_user, form.password.data, form.outcome.data, form.notes.data)
            flash(_("The review of %(code)s has been recorded.", code=doc.code), "success")
            return redirect(url_for("documents.reviews"), 303)
    from portal.documents.models import Review

    history = db.session.scalars(select(Review).where(Review.document_id == doc.id).order_by(Review.reviewed_at.desc())).all()
    return render("documents/review.html", doc=doc, form=form, history=history, due=services.review_due(doc),
                  status=_status_of(form))


# ---------------------------------------------------------------- master list
def _master_rows():
    return queries.master_rows()


@bp.route("/master")
@require("documents.read")
def master():
    return render("documents/master.html", rows=_master_rows(), today=local_today(), overdue=queries.review_overdue)


@bp.route("/master.xlsx")
@require("documents.reports")
def master_xlsx():
    from portal.core.xlsx import Styled

    today = local_today()
    late = "FFC7CE"  # an overdue review date, and its flag, on a light red background

    def rows():
        for doc, rev, due in _master_rows():
            overdue = queries.review_overdue(doc, due, today)
            base = [doc.code, doc.title, doc.type_label, rev.number if rev else "", rev.effective_date if rev else None,
                    status_label(doc.status), doc.unit, Styled(due, fill=late) if overdue else due,
                    Styled(_("Overdue"), fill=late, bold=True) if overdue else ""]
            records = rev.records if rev else []
            if not records:
                yield base + ["", "", "", ""]
            for r in records:
                yield base + [r.code, r.name, r.retention, r.owner]

    headers = [_("Code"), _("Title"), _("Type"), _("Revision"), _("Effective date"), _("Status"), _("Owning unit"),
               _("Review due"), _("Review overdue"), _("Record code"), _("Record"), _("Retention"), _("Record owner")]
    data = build_workbook(_("Master list"), headers, rows(), widths=[26, 48, 18, 8, 14, 12, 10, 14, 14, 22, 44, 12, 28],
                          autofilter=True, date_format="DD/MM/YYYY")
    return _xlsx_response(data, "daftar-induk-dokumen.xlsx")


@bp.route("/master.pdf")
@require("documents.reports")
def master_pdf():
    """The master list as PDF, from the cache of rendered PDFs (rendered in the background when the register changed)."""
    return pdf_cache.serve(paper.MASTER_KIND, 0, paper.master_key(local_today()), "daftar-induk-dokumen.pdf",
                           attachment=True)


@bp.app_context_processor
def _labels():
    return {"status_label": status_label, "doc_type_labels": DOC_TYPES, "revision_status_badge": status_badge}


# ---------------------------------------------------------------- controlled copies
@bp.route("/<path:code>/copies", methods=["GET", "POST"])
@require("documents.copies")
def copies(code: str):
    doc = services.get_document(code) or abort(404)
    errors, typed = {}, {"site_id": request.form.get("site_id", ""), "holder": request.form.get("holder", "")}
    if request.method == "POST":
        with refusals(errors=errors):
            copy = copy_register.issue_current(doc, request.form.get("site_id", type=db_int), request.form.get("holder", ""),
                                               current_user)
            flash(_("Controlled copy No. %(n)d registered. Print it now: it carries its number and holder.", n=copy.number),
                  "success")
            return redirect(url_for("documents.copies", code=doc.code), 303)
    sites = db.session.scalars(select(Site).order_by(Site.is_head_office.desc(), Site.name)).all()
    return render("documents/copies.html", status=form_status(errors=errors), doc=doc, rows=copy_register.copies_of(doc),
                  sites=sites, errors=errors, typed=typed)


@bp.route("/<path:code>/copies/<int:copy_id>.pdf")
@require("documents.copies")
def copy_pdf(code: str, copy_id: int):
    copy = db.session.get(ControlledCopy, copy_id)
    if copy is None or copy.revision.document.code_key != code.upper() or copy.status != "issued":
        abort(404)
    return _pdf_response(copy.revision, copy)


@bp.route("/copies/<int:copy_id>/returned", methods=["POST"])
@require("documents.copies")
def copy_returned(copy_id: int):
    copy = db.session.get(ControlledCopy, copy_id) or abort(404)
    with refusals(flash_it=True):
        copy_register.confirm_return(copy, current_user, request.form.get("note", ""))
        flash(_("Return of copy No. %(n)d confirmed.", n=copy.number), "success")
    return redirect(safe_next(request.form.get("next"), url_for("documents.withdrawals")), 303)


@bp.route("/copies/withdrawals")
@require("documents.copies")
def withdrawals():
    return render("documents/withdrawals.html", rows=copy_register.withdrawal_tasks())
