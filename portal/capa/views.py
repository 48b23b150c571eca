"""Nonconformity pages (/capa): the register with its filters, one NC with its root cause, actions, evidence and the
effectiveness check, the new-NC form (pre-filled from a registered source), trends, the register as Excel and PDF,
the NC report on paper, and the ISO clause evidence packs."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import Service, Site, User
from portal.capa import evidence, labels, links, permissions, queries, sources
from portal.capa import services as capa
from portal.capa.forms import (ActionForm, CheckSetForm, DoneForm, EvidenceForm, LinkForm, NcForm, PackForm, PlainForm,
                               RootCauseForm, VerifyForm)
from portal.capa.models import CLASSIFICATIONS, FISHBONE, SOURCES, STATUSES, Action, EvidencePack, Nonconformity
from portal.core import files
from portal.core.forms import form_status, refusals
from portal.core.htmx import render
from portal.core.i18n import local_today
from portal.core.paging import by_key
from portal.core.permissions import require
from portal.core.service import ServiceError
from portal.core.xlsx import XLSX_MIMETYPE, build_workbook
from portal.extensions import db

bp = Blueprint("capa", __name__)
PAGE = 50


def _choices():
    sites = list(db.session.scalars(select(Site).order_by(Site.name)))
    services_ = list(db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name)))
    return sites, services_


def _label_maps() -> dict:
    return {"sources": labels.source_labels(), "classes": labels.classification_labels(), "statuses": labels.status_labels(),
            "status_tone": labels.STATUS_TONE, "class_tone": labels.CLASS_TONE, "action_labels": labels.action_labels(),
            "bones": labels.fishbone_labels(), "results": labels.check_labels(), "link_labels": labels.link_labels()}


# ---------------------------------------------------------------- the register
@bp.route("/")
@require("capa.read")
def index():
    args = request.args
    today = local_today()
    stmt = queries.filtered(args, current_user, today).options(joinedload(Nonconformity.site), joinedload(Nonconformity.service))
    page = by_key(stmt, [Nonconformity.year, Nonconformity.seq], [int, int], lambda n: (n.year, n.seq), args, PAGE,
                  descending=True)
    figures = queries.action_figures([n.id for n in page.rows], today)
    sites, services_ = _choices()
    return render("capa/index.html", page=page, figures=figures, args=args, sites=sites, services_=services_,
                  can_raise=current_user.can("capa.raise"), status_keys=STATUSES, source_keys=SOURCES,
                  class_keys=CLASSIFICATIONS, **_label_maps())


def _fill_choices(form: NcForm, sites, services_) -> None:
    form.source.choices = [(k, v) for k, v in labels.source_labels().items()]
    form.classification.choices = [(k, labels.classification_labels()[k]) for k in CLASSIFICATIONS]
    form.site_id.choices = [("", "—")] + [(str(s.id), s.name) for s in sites]
    form.service_id.choices = [("", "—")] + [(str(s.id), s.name) for s in services_]


def _nc_data(form: NcForm) -> dict:
    def as_id(value):
        return int(value) if (value or "").isdigit() and len(value) < 10 else None

    return {"title": form.title.data, "description": form.description.data, "source": form.source.data,
            "classification": form.classification.data, "found_on": form.found_on.data,
            "site_id": as_id(form.site_id.data), "service_id": as_id(form.service_id.data), "process": form.process_name.data,
            "document_code": form.document_code.data, "clause": form.clause.data, "containment": form.containment.data,
            "containment_on": form.containment_on.data, "correction": form.correction.data, "correction_on": form.correction_on.data}


@bp.route("/new", methods=["GET", "POST"])
@require("capa.raise")
def new():
    """A new NC; `?source=<kind>&ref=<ref>` opens it pre-filled from a registered source, carrying its evidence."""
    form = NcForm()
    sites, services_ = _choices()
    _fill_choices(form, sites, services_)
    kind = (request.values.get("source_kind") or request.args.get("source") or "").strip()
    ref = (request.values.get("source_ref") or request.args.get("ref") or "").strip()
    found = links.load_source(kind, ref) if kind else None
    if kind and found is None:
        kind = ref = ""
    if request.method == "GET":
        form.found_on.data = local_today()
        form.classification.data = "minor"
        if found is not None:
            form.title.data = found.title[:200]
            form.description.data = found.description
            form.source.data = found.source or "internal_audit"
            form.found_on.data = found.occurred_on if found.occurred_on and found.occurred_on <= local_today() else local_today()
            form.site_id.data = str(found.site_id or "")
            service_id = found.service_id or (next((s.id for s in services_ if s.code == found.service_code), None)
                                              if found.service_code else None)
            form.service_id.data = str(service_id or "")
            form.source_kind.data, form.source_ref.data = kind, ref
    if form.validate_on_submit():
        with refusals(form):
            nc = capa.raise_nc(_nc_data(form), current_user, kind, ref)
            flash(_("Nonconformity %(n)s raised.", n=nc.number), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
    try:  # the month whose RETURN clusters are offered (?month=YYYY-MM from the QVS page; this month by default)
        month = date.fromisoformat(f"{request.args.get('month', '')}-01") if request.args.get("month") else None
    except ValueError:
        month = None
    month = month or local_today().replace(day=1)
    clusters = sources.return_clusters(month) if not kind else []
    return render("capa/new.html", form=form, found=found, kind=kind, ref=ref, clusters=clusters, month=month,
                  source_label=links.sources().get(kind).label if kind else "", status=form_status(form))


# ---------------------------------------------------------------- one NC
def _nc_or_404(nc_number: str) -> Nonconformity:
    nc = db.session.scalar(select(Nonconformity).options(
        joinedload(Nonconformity.site), joinedload(Nonconformity.service), joinedload(Nonconformity.document),
        selectinload(Nonconformity.actions).joinedload(Action.owner), selectinload(Nonconformity.actions).selectinload(Action.attachments),
        selectinload(Nonconformity.checks)).where(Nonconformity.number == (nc_number or "").upper()[:20]))
    if nc is None:
        abort(404)
    return nc


def _show(nc: Nonconformity, status: int = 200, **forms):
    manage = permissions.can_manage(current_user, nc)
    today = local_today()
    root = forms.get("root_form")
    if manage and root is None:
        root = RootCauseForm(formdata=None)
        for i, (why, answer) in enumerate(nc.whys, start=1):
            getattr(root, f"why_{i}").data, getattr(root, f"answer_{i}").data = why, answer
        for key in FISHBONE:
            getattr(root, key).data = nc.fishbone.get(key, "")
        root.root_cause.data = nc.root_cause
    action_form = forms.get("action_form") or (ActionForm(formdata=None) if manage else None)
    if action_form is not None:
        action_form.owner.choices = [("", "—")] + [(str(u.id), u.full_name) for u in capa.action_owners()]
    check_form = forms.get("check_form")
    if manage and check_form is None:
        check_form = CheckSetForm(formdata=None)
        check_form.check_due.data = nc.check_due or capa.check_due_default(nc.found_on)
        check_form.check_kind.data = nc.check_kind
        check_form.check_criterion.data = nc.check_criterion
        check_form.kpi_id.data = nc.check_params.get("kpi_id")
        check_form.periods.data = nc.check_params.get("n")
        kpi = links.criteria().get("kpi")
        if not nc.check_params and kpi is not None and kpi.defaults is not None and nc.source_kind:
            proposed = kpi.defaults(nc.source_kind, nc.source_ref or "")  # an NC opened from a missed KPI reading
            if proposed:
                check_form.check_kind.data = nc.check_kind if nc.check_kind != "manual" else "kpi"
                check_form.kpi_id.data, check_form.periods.data = proposed.get("kpi_id"), proposed.get("n")
    if check_form is not None:
        _check_choices(check_form)
    can_verify = permissions.can_verify(current_user, nc)
    verify_form = forms.get("verify_form") or (VerifyForm(formdata=None) if can_verify else None)
    gate = capa.gate_refusal(nc, current_user) if can_verify else None
    criterion = links.criteria().get(nc.check_kind)
    link_form = LinkForm(formdata=None)
    link_form.kind.choices = list(labels.link_labels().items())
    return render("capa/show.html", status=status, nc=nc, today=today, manage=manage, root_form=root,
                  action_form=action_form, check_form=check_form, verify_form=verify_form, can_verify=can_verify,
                  gate=gate, automatic=criterion is not None and criterion.evaluator is not None,
                  criterion_label=criterion.label if criterion else nc.check_kind,
                  done_forms=forms.get("done_forms", {}), done_form=DoneForm(formdata=None),
                  evidence_forms=forms.get("evidence_forms", {}), evidence_form=EvidenceForm(formdata=None),
                  link_forms=forms.get("link_forms", {}), link_form=link_form, plain=PlainForm(formdata=None),
                  can_complete=lambda a: permissions.can_complete(current_user, a),
                  can_edit_action=lambda a: permissions.can_edit_action(current_user, a),
                  source_label=(links.sources().get(nc.source_kind).label if nc.source_kind in links.sources() else nc.source_kind),
                  **_label_maps())


@bp.route("/<nc_number>")
@require("capa.read")
def show(nc_number: str):
    return _show(_nc_or_404(nc_number))


@bp.route("/<nc_number>/edit", methods=["GET", "POST"])
@require("capa.manage")
def edit(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_manage(current_user, nc):
        abort(403)
    sites, services_ = _choices()
    form = NcForm(obj=None) if request.method == "POST" else NcForm(formdata=None)
    _fill_choices(form, sites, services_)
    if request.method == "GET":
        for key in ("title", "description", "source", "classification", "found_on", "document_code", "clause",
                    "containment", "containment_on", "correction", "correction_on"):
            getattr(form, key).data = getattr(nc, key)
        form.site_id.data, form.service_id.data = str(nc.site_id or ""), str(nc.service_id or "")
        form.process_name.data = nc.process
    if form.validate_on_submit():
        with refusals(form):
            capa.update_nc(nc, _nc_data(form), current_user)
            flash(_("Saved."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
    return render("capa/edit.html", form=form, nc=nc, status=form_status(form))


@bp.route("/<nc_number>/root-cause", methods=["POST"])
@require("capa.manage")
def root_cause(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_manage(current_user, nc):
        abort(403)
    form = RootCauseForm()
    if form.validate_on_submit():
        with refusals(form):
            whys = [(getattr(form, f"why_{i}").data, getattr(form, f"answer_{i}").data) for i in range(1, 6)]
            capa.save_root_cause(nc, whys, {k: getattr(form, k).data for k in FISHBONE}, form.root_cause.data, current_user)
            flash(_("Root cause saved."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, root_form=form)


@bp.route("/<nc_number>/actions", methods=["POST"])
@require("capa.manage")
def action_add(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_manage(current_user, nc):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        with refusals(form):
            owner_id = int(form.owner.data) if (form.owner.data or "").isdigit() and len(form.owner.data) < 10 else 0
            capa.add_action(nc, form.description.data, db.session.get(User, owner_id) if owner_id else None,
                            form.due_on.data, current_user)
            flash(_("Corrective action added."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, action_form=form)


def _action_or_404(nc: Nonconformity, action_id: int) -> Action:
    action = next((a for a in nc.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


@bp.route("/<nc_number>/actions/<int:action_id>/done", methods=["POST"])
@require("capa.act")
def action_done(nc_number: str, action_id: int):
    nc = _nc_or_404(nc_number)
    action = _action_or_404(nc, action_id)
    if not permissions.can_complete(current_user, action):
        abort(403)
    form = DoneForm()
    if form.validate_on_submit():
        with refusals(form):
            capa.complete_action(action, form.note.data, current_user)
            flash(_("Action recorded done."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, done_forms={action_id: form})


@bp.route("/<nc_number>/actions/<int:action_id>/evidence", methods=["POST"])
@require("capa.act")
def action_evidence(nc_number: str, action_id: int):
    nc = _nc_or_404(nc_number)
    action = _action_or_404(nc, action_id)
    if not permissions.can_edit_action(current_user, action):
        abort(403)
    form = EvidenceForm()
    if form.validate_on_submit():
        with refusals(form):
            upload = request.files.get("file")
            data = upload.read(capa.MAX_EVIDENCE + 1) if upload and upload.filename else b""
            capa.attach(action, data, upload.filename if upload else "", current_user)
            flash(_("Evidence file added."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, evidence_forms={action_id: form})


@bp.route("/<nc_number>/actions/<int:action_id>/link", methods=["POST"])
@require("capa.act")
def action_link(nc_number: str, action_id: int):
    nc = _nc_or_404(nc_number)
    action = _action_or_404(nc, action_id)
    if not permissions.can_edit_action(current_user, action):
        abort(403)
    form = LinkForm()
    form.kind.choices = list(labels.link_labels().items())
    if form.validate_on_submit():
        with refusals(form):
            capa.add_link(action, form.kind.data, form.code.data, form.number.data, current_user)
            flash(_("Link added."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, link_forms={action_id: form})


@bp.route("/<nc_number>/attachments/<int:attachment_id>")
@require("capa.read")
def attachment(nc_number: str, attachment_id: int):
    nc = _nc_or_404(nc_number)
    row = next((f for a in nc.actions for f in a.attachments if f.id == attachment_id), None)
    if row is None:
        abort(404)
    path = capa.attachment_path(row)
    if not path.exists():
        abort(404)
    from portal.core import audit
    from portal.core.unit import begin_writing

    begin_writing()
    audit.record("capa.evidence_viewed", nc, new={"file": row.file_name, "sha256": row.sha256})
    stem = row.file_name.rsplit(".", 1)[0] or "bukti"
    return files.send_stored(path, stem, row.file_path.rsplit(".", 1)[-1])


def _check_choices(form) -> None:
    form.check_kind.choices = [(k, str(c.label)) for k, c in links.criteria().items()]
    kpi = links.criteria().get("kpi")
    form.kpi_id.choices = [("", "—")] + ([(i, label) for i, label in kpi.choices()] if kpi and kpi.choices else [])


@bp.route("/<nc_number>/check", methods=["POST"])
@require("capa.manage")
def check_set(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_manage(current_user, nc):
        abort(403)
    form = CheckSetForm()
    _check_choices(form)
    if form.validate_on_submit():
        with refusals(form):
            params = {}
            if form.check_kind.data == "kpi":
                if not form.kpi_id.data or not form.periods.data:
                    raise ServiceError(_("Give the KPI and the number of periods."), "kpi_id")
                params = {"kpi_id": form.kpi_id.data, "n": form.periods.data}
            capa.set_check(nc, form.check_due.data, form.check_kind.data, params, form.check_criterion.data, current_user)
            flash(_("Effectiveness check saved."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, check_form=form)


@bp.route("/<nc_number>/verify", methods=["POST"])
@require("capa.verify")
def verify(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_verify(current_user, nc):
        abort(403)
    form = VerifyForm()
    if form.validate_on_submit():
        with refusals(form):
            row = capa.record_check(nc, form.result.data, form.note.data, current_user)
            flash(_("Effective: the nonconformity is closed.") if row.result == "effective"
                  else _("Ineffective: the actions are open again."), "success")
            return redirect(url_for("capa.show", nc_number=nc.number), 303)
        nc = _nc_or_404(nc_number)
    return _show(nc, status=422, verify_form=form)


@bp.route("/<nc_number>/read-check", methods=["POST"])
@require("capa.verify")
def read_check(nc_number: str):
    nc = _nc_or_404(nc_number)
    if not permissions.can_verify(current_user, nc):
        abort(403)
    form = PlainForm()
    if form.validate_on_submit():
        with refusals(flash_it=True):
            row = capa.read_check(nc, current_user)
            flash(_("Not decided yet: the criterion has no result yet.") if row is None else
                  (_("Effective: the nonconformity is closed.") if row.result == "effective"
                   else _("Ineffective: the actions are open again.")), "success")
    return redirect(url_for("capa.show", nc_number=nc.number), 303)


@bp.route("/<nc_number>/report.pdf")
@require("capa.read")
def report_pdf(nc_number: str):
    from portal.capa import paper

    from portal.printing import cache as pdf_cache

    nc = _nc_or_404(nc_number)
    return pdf_cache.serve(paper.NC_REPORT, nc.id, paper.pdf_key(nc), f"{nc.number}.pdf")


# ---------------------------------------------------------------- trends and the register as files
@bp.route("/trends")
@require("capa.read")
def trends():
    from portal.core.charts import count_chart

    t = queries.trends(local_today())
    most = max(t.totals.values(), default=0)
    chart = count_chart([(m.strftime("%m/%y"), t.totals.get(m, 0)) for m in t.months], title=_("Nonconformities per month"),
                        ceiling=max(4, -(-most // 4) * 4))  # whole numbers on the axis
    return render("capa/trends.html", t=t, chart=chart, dims=[("source", _("By source"), labels.source_labels()),
                                                              ("classification", _("By classification"), labels.classification_labels()),
                                                              ("clause", _("By SOP"), {}), ("site", _("By site"), {}),
                                                              ("service", _("By service"), {})])


HEADERS = ["Nomor", "Ditemukan", "Sumber", "Klasifikasi", "Judul", "Lokasi", "Layanan", "Proses", "Dokumen", "Klausul",
           "Status", "Tindakan", "Tindakan terbuka", "Akar masalah", "Batas cek efektivitas", "Ditutup"]


def _register_rows():
    today = local_today()
    rows = queries.register_rows(queries.filtered(request.args, current_user, today))
    m = _label_maps()
    out = []
    for n in rows:
        out.append([n.number, n.found_on, str(m["sources"].get(n.source, n.source)), str(m["classes"].get(n.classification, "")),
                    n.title, n.site.name if n.site else "", n.service.name if n.service else "", n.process, n.document_code,
                    n.clause, str(m["statuses"].get(n.status, n.status)), len(n.actions), sum(1 for a in n.actions if a.is_open),
                    n.root_cause, n.check_due, n.closed_at.date() if n.closed_at else None])
    return rows, out


@bp.route("/register.xlsx")
@require("capa.read")
def register_xlsx():
    _rows, out = _register_rows()
    data = build_workbook("Register NC", HEADERS, out, widths=[14, 11, 16, 12, 40, 14, 18, 18, 22, 20, 22, 9, 9, 40, 12, 11])
    return Response(data, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": 'attachment; filename="register-nc.xlsx"'})


@bp.route("/register.pdf")
@require("capa.read")
def register_pdf():
    from flask import current_app

    from portal.core.pdf import render_pdf

    rows, _out = _register_rows()
    data = render_pdf("pdf/capa_register.html", rows=rows[:1000], today=local_today(),
                      organisation=current_app.config["PORTAL_ORGANISATION"], **_label_maps())
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": 'attachment; filename="register-nc.pdf"'})


# ---------------------------------------------------------------- ISO clause evidence packs
@bp.route("/evidence", methods=["GET", "POST"], endpoint="evidence")
@require("capa.evidence")
def evidence_page():
    form = PackForm()
    form.clause.choices = [(k, str(v)) for k, v in labels.clause_labels().items()]
    if request.method == "GET":
        today = local_today()
        form.period_to.data = today
        form.period_from.data = date(today.year, 1, 1)
    if form.validate_on_submit():
        with refusals(form):
            pack = evidence.start(current_user, form.clause.data, form.period_from.data, form.period_to.data)
            return redirect(url_for("capa.pack", pack_id=pack.id), 303)
    history = list(db.session.scalars(select(EvidencePack).where(EvidencePack.user_id == current_user.id)
                                      .order_by(EvidencePack.id.desc()).limit(20)))
    return render("capa/evidence.html", form=form, history=history, clauses=labels.clause_labels(), status=form_status(form))


@bp.route("/evidence/<int:pack_id>")
@require("capa.evidence")
def pack(pack_id: int):
    row = evidence.pack_for(current_user, pack_id) or abort(404)
    if request.htmx:
        return render("capa/pack.html", block="progress", pack=row, clauses=labels.clause_labels())
    return render("capa/pack.html", pack=row, clauses=labels.clause_labels())


@bp.route("/evidence/<int:pack_id>/download")
@require("capa.evidence")
def pack_download(pack_id: int):
    row = evidence.pack_for(current_user, pack_id) or abort(404)
    path = evidence.pack_file(row)
    if path is None:
        abort(404)
    evidence.downloaded(row)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=row.file_name)
