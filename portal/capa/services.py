"""Nonconformity and corrective action services (ISO 9001:2015 8.7, 10.2; PM-08): raise an NC (by hand or from a
registered source), record where it was found, its containment and correction, its root cause, corrective actions
with owners, evidence and links, and the effectiveness gate: an NC closes only on a check recorded effective by
someone who owns none of its actions; an ineffective check reopens the actions. Services change rows, flush and write
their audit events; they never commit."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.auth.models import Service, Site, User
from portal.capa import links as registry
from portal.capa.permissions import can_edit_action
from portal.capa.models import (ACTION_DONE, ACTION_OPEN, ACTION_REOPENED, ACTIONS, ANALYSED, CLASSIFICATIONS, CLOSED,
                                EFFECTIVE, FISHBONE, INEFFECTIVE, OPEN, REOPENED, SOURCES, VERIFYING,
                                Action, Attachment, Check, Nonconformity)
from portal.core import audit, files
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db

MAX_WHYS = 5
EVIDENCE_KINDS = ("pdf", "jpg", "png", "xlsx", "docx")
MAX_EVIDENCE = 10 * 1024 * 1024
LINK_KINDS = ("record", "document", "revision")


# ---------------------------------------------------------------- numbers
def next_number(year: int) -> tuple[int, str]:
    """The next number of the year: NC-2026-0001 (a sequence per year; the unique (year, seq) guards a race)."""
    seq = (db.session.scalar(select(func.max(Nonconformity.seq)).where(Nonconformity.year == year)) or 0) + 1
    return seq, f"NC-{year}-{seq:04d}"


def by_number(number: str) -> Nonconformity | None:
    if not number or len(number) > 20:
        return None
    return db.session.scalar(select(Nonconformity).where(Nonconformity.number == number.strip().upper()))


# ---------------------------------------------------------------- where found
def _document(code: str):
    """The registered document of a code (case-insensitive), or a refusal naming the field."""
    from portal.documents.models import Document

    code = (code or "").strip()
    if not code:
        return None
    doc = db.session.scalar(select(Document).where(Document.code_key == code.upper()))
    if doc is None:
        raise ServiceError(_("No document %(code)s in the register.", code=code), "document_code")
    return doc


def _where(data: dict) -> dict:
    """The checked fields shared by raising and editing an NC."""
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Give the nonconformity a short title."), "title")
    if not (data.get("description") or "").strip():
        raise ServiceError(_("Describe the nonconformity."), "description")
    if data.get("source") not in SOURCES:
        raise ServiceError(_("Choose where the nonconformity was found."), "source")
    if data.get("classification") not in CLASSIFICATIONS:
        raise ServiceError(_("Choose the classification."), "classification")
    found_on = data.get("found_on")
    if not isinstance(found_on, date):
        raise ServiceError(_("Enter the date it was found."), "found_on")
    from portal.core.i18n import local_today

    if found_on > local_today():
        raise ServiceError(_("The date it was found cannot be in the future."), "found_on")
    site_id, service_id = data.get("site_id"), data.get("service_id")
    if site_id and db.session.get(Site, site_id) is None:
        raise ServiceError(_("Choose a site."), "site_id")
    if service_id and db.session.get(Service, service_id) is None:
        raise ServiceError(_("Choose a service."), "service_id")
    doc = _document(data.get("document_code") or "")
    for what, when, field in (("containment", "containment_on", "containment_on"), ("correction", "correction_on", "correction_on")):
        if data.get(when) and not (data.get(what) or "").strip():
            raise ServiceError(_("Describe what was done on that date."), what)
        if data.get(when) and data[when] < found_on:
            raise ServiceError(_("This date is before the nonconformity was found."), field)
    return {"title": title[:200], "description": data["description"].strip(), "source": data["source"],
            "classification": data["classification"], "found_on": found_on, "month": found_on.replace(day=1),
            "site_id": site_id or None, "service_id": service_id or None,
            "process": (data.get("process") or "").strip()[:200],
            "document_id": doc.id if doc else None, "document_code": doc.code if doc else "",
            "clause": (data.get("clause") or "").strip()[:300],
            "containment": (data.get("containment") or "").strip(), "containment_on": data.get("containment_on"),
            "correction": (data.get("correction") or "").strip(), "correction_on": data.get("correction_on")}


def raise_nc(data: dict, actor, source_kind: str = "", source_ref: str = "") -> Nonconformity:
    """A new NC (status open); from a registered source it keeps the kind, the ref and the source's evidence links."""
    values = _where(data)
    evidence = []
    if source_kind:
        found = registry.load_source(source_kind, source_ref)
        if found is None:
            raise ServiceError(_("The source this nonconformity was opened from no longer exists."), "source")
        evidence = [[str(label), url] for label, url in found.links]
    seq, number = next_number(values["found_on"].year)
    row = Nonconformity(number=number, year=values["found_on"].year, seq=seq, status=OPEN,
                        source_kind=source_kind if source_kind else "", source_ref=source_ref if source_kind else "",
                        evidence_json=json.dumps(evidence, ensure_ascii=False), raised_by_id=actor.id,
                        raised_name=actor.full_name, **values)
    db.session.add(row)
    db.session.flush()
    audit.record("capa.raised", row, new={"number": number, "source": row.source, "classification": row.classification,
                                          "title": row.title, "found_on": row.found_on,
                                          **({"from": f"{source_kind}:{source_ref}"} if source_kind else {})}, actor=actor)
    return row


def update_nc(nc: Nonconformity, data: dict, actor) -> None:
    """Edit the description, where found, classification, containment and correction (not once closed)."""
    if nc.status == CLOSED:
        raise ServiceError(_("A closed nonconformity cannot be changed."), "title")
    values = _where(data)
    if values["found_on"].year != nc.year:
        raise ServiceError(_("The date it was found must stay in %(year)d (the year of its number).", year=nc.year), "found_on")
    old, new = {}, {}
    for key, value in values.items():
        if getattr(nc, key) != value:
            old[key], new[key] = getattr(nc, key), value
            setattr(nc, key, value)
    if not new:
        return
    db.session.flush()
    audit.record("capa.updated", nc, old=old, new=new, actor=actor)


# ---------------------------------------------------------------- root cause
def save_root_cause(nc: Nonconformity, whys: list[tuple[str, str]], fishbone: dict, conclusion: str, actor) -> None:
    """The 5-why (up to five why/answer pairs, filled from the top) and the fishbone categories; open -> analysed."""
    if nc.status == CLOSED:
        raise ServiceError(_("A closed nonconformity cannot be changed."), "root_cause")
    pairs = [[(w or "").strip()[:500], (a or "").strip()[:500]] for w, a in whys][:MAX_WHYS]
    while pairs and not pairs[-1][0] and not pairs[-1][1]:
        pairs.pop()
    for i, (why, answer) in enumerate(pairs, start=1):
        if not why or not answer:
            raise ServiceError(_("Why %(n)d needs both the question and its answer.", n=i), f"why_{i}")
    bones = {k: (fishbone.get(k) or "").strip()[:1000] for k in FISHBONE if (fishbone.get(k) or "").strip()}
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise ServiceError(_("State the root cause found."), "root_cause")
    if not pairs and not bones:
        raise ServiceError(_("Fill in at least one why or one fishbone category."), "why_1")
    old = {"whys": nc.whys, "fishbone": nc.fishbone, "root_cause": nc.root_cause}
    nc.whys_json = json.dumps(pairs, ensure_ascii=False)
    nc.fishbone_json = json.dumps(bones, ensure_ascii=False, sort_keys=True)
    nc.root_cause = conclusion
    if nc.status == OPEN:
        nc.status = ANALYSED
    db.session.flush()
    audit.record("capa.analysed", nc, old=old, new={"whys": pairs, "fishbone": bones, "root_cause": conclusion,
                                                    "status": nc.status}, actor=actor)


# ---------------------------------------------------------------- actions
def add_action(nc: Nonconformity, description: str, owner: User | None, due_on: date | None, actor) -> Action:
    """A corrective action with its owner and due date; the NC's actions are then in progress."""
    if nc.status == CLOSED:
        raise ServiceError(_("A closed nonconformity cannot be changed."), "description")
    if not (description or "").strip():
        raise ServiceError(_("Describe the action."), "description")
    if owner is None or not owner.active or not owner.can("capa.act"):
        raise ServiceError(_("Choose the owner of the action (someone who may own corrective actions)."), "owner")
    if not isinstance(due_on, date):
        raise ServiceError(_("Enter the due date."), "due_on")
    if due_on < nc.found_on:
        raise ServiceError(_("The due date is before the nonconformity was found."), "due_on")
    row = Action(description=description.strip(), owner_id=owner.id, due_on=due_on, status=ACTION_OPEN)
    nc.actions.append(row)  # the collection loads first, then gets the new row (added to the session by cascade)
    old_status = nc.status
    if nc.status in (OPEN, ANALYSED, VERIFYING):
        nc.status = ACTIONS
    db.session.flush()
    audit.record("capa.action_added", nc, new={"action": row.id, "description": row.description, "owner": owner.username,
                                               "due_on": due_on, **({"status": nc.status} if nc.status != old_status else {})},
                 actor=actor)
    return row


def complete_action(action: Action, note: str, actor) -> None:
    """The owner records the action done; when every action is done the NC waits for its effectiveness check."""
    nc = action.nc
    if action.owner_id != actor.id:
        raise ServiceError(_("Only the owner of the action records it done."), "note")
    if not action.is_open or nc.status == CLOSED:
        raise ServiceError(_("This action is already done."), "note")
    if not (note or "").strip():
        raise ServiceError(_("Say what was done (and where the evidence is)."), "note")
    action.status, action.done_at, action.done_note = ACTION_DONE, utcnow(), note.strip()
    new = {"action": action.id, "note": action.done_note}
    if all(not a.is_open for a in nc.actions):
        nc.status = VERIFYING
        new["status"] = VERIFYING
    db.session.flush()
    audit.record("capa.action_done", nc, new=new, actor=actor)


def attach(action: Action, data: bytes, filename: str, actor) -> Attachment:
    """Keep an evidence file (PDF, JPEG, PNG, XLSX or DOCX judged by its content, at most 10 MB)."""
    if not can_edit_action(actor, action):
        raise ServiceError(_("You may not add evidence to this action."), "file")
    stored, name, digest = keep_file(data, filename, "file")
    row = Attachment(file_path=stored, file_name=name, sha256=digest, size=len(data), uploaded_by_id=actor.id)
    action.attachments.append(row)
    db.session.flush()
    audit.record("capa.evidence_added", action.nc, new={"action": action.id, "file": name, "sha256": digest}, actor=actor)
    return row


def keep_file(data: bytes, filename: str, field: str) -> tuple[str, str, str]:
    """(stored path, original name, sha256) of an accepted evidence file, written under capa/ (removed again if the
    transaction rolls back)."""
    if not data:
        raise ServiceError(_("Choose the file to upload."), field)
    if len(data) > MAX_EVIDENCE:
        raise ServiceError(_("The file is larger than 10 MB."), field)
    name = Path((filename or "bukti").replace("\\", "/")).name[:255] or "bukti"
    judged = name[:-5] + ".jpg" if name.lower().endswith(".jpeg") else name
    try:
        ext, _mime = files.check_upload(data, judged, EVIDENCE_KINDS)
    except files.FileRefused as exc:
        raise ServiceError(exc.message, field) from None
    stored = f"{secrets.token_hex(16)}.{ext}"
    files.write_atomic(Path(current_app.config["DOCUMENTS_FOLDER"]) / "capa", stored, data)
    return f"capa/{stored}", name, hashlib.sha256(data).hexdigest()


def attachment_path(row: Attachment) -> Path:
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / row.file_path


def add_link(action: Action, kind: str, code: str, number: str, actor) -> dict:
    """Link an action to a record (R-000123 or its id), a document (its code) or a revision (code + number), checked
    against the register: "SOP P-10 revised to rev 03" opens that revision's page."""
    from portal.documents.models import Document, Revision
    from portal.records.models import Record

    if not can_edit_action(actor, action):
        raise ServiceError(_("You may not change this action."), "code")
    code, number = (code or "").strip(), (number or "").strip()
    if kind not in LINK_KINDS:
        raise ServiceError(_("Choose what to link."), "kind")
    if not code:
        raise ServiceError(_("Enter the code or number."), "code")
    if kind == "record":
        digits = code.upper().removeprefix("R-").lstrip("0") or "0"
        record = db.session.get(Record, int(digits)) if digits.isdigit() and len(digits) < 10 else None
        if record is None:
            raise ServiceError(_("No record %(code)s.", code=code), "code")
        link = {"kind": kind, "ref": str(record.id), "label": f"{record.number} {record.form_code}"}
    else:
        doc = db.session.scalar(select(Document).where(Document.code_key == code.upper()))
        if doc is None:
            raise ServiceError(_("No document %(code)s in the register.", code=code), "code")
        if kind == "document":
            link = {"kind": kind, "ref": doc.code, "label": f"{doc.code} {doc.title}"}
        else:
            rev = db.session.scalar(select(Revision).where(Revision.document_id == doc.id, Revision.number == number.zfill(2)[:4]))
            if rev is None or not number:
                raise ServiceError(_("%(code)s has no revision %(number)s.", code=doc.code, number=number or "—"), "number")
            link = {"kind": kind, "ref": doc.code, "number": rev.number, "label": f"{doc.code} Rev. {rev.number}"}
    current = action.links
    if any(l["kind"] == link["kind"] and l["ref"] == link["ref"] and l.get("number") == link.get("number") for l in current):
        raise ServiceError(_("This link is there already."), "code")
    action.links_json = json.dumps(current + [link], ensure_ascii=False)
    db.session.flush()
    audit.record("capa.action_linked", action.nc, new={"action": action.id, "link": link["label"]}, actor=actor)
    return link


# ---------------------------------------------------------------- the effectiveness gate
def owner_ids(nc: Nonconformity) -> set[int]:
    return {a.owner_id for a in nc.actions}


def set_check(nc: Nonconformity, due: date | None, kind: str, params: dict, criterion: str, actor) -> None:
    """The effectiveness check: its due date and its criterion (manual, or a registered automatic one)."""
    if nc.status == CLOSED:
        raise ServiceError(_("A closed nonconformity cannot be changed."), "check_due")
    if not isinstance(due, date):
        raise ServiceError(_("Enter when the effectiveness is checked."), "check_due")
    if due < nc.found_on:
        raise ServiceError(_("The check cannot be due before the nonconformity was found."), "check_due")
    if kind not in registry.criteria():
        raise ServiceError(_("Choose the criterion."), "check_kind")
    if not (criterion or "").strip():
        raise ServiceError(_("Describe the criterion: what shows the actions worked."), "check_criterion")
    old = {"check_due": nc.check_due, "check_kind": nc.check_kind, "check_criterion": nc.check_criterion, "params": nc.check_params}
    nc.check_due, nc.check_kind, nc.check_criterion = due, kind, criterion.strip()
    nc.check_params_json = json.dumps(params or {}, sort_keys=True)
    db.session.flush()
    audit.record("capa.check_set", nc, old=old, new={"check_due": due, "check_kind": kind, "check_criterion": nc.check_criterion,
                                                     "params": params or {}}, actor=actor)


def gate_refusal(nc: Nonconformity, actor) -> ServiceError | None:
    """Why this person may not record the effectiveness check now (None: they may)."""
    if nc.status == CLOSED:
        return ServiceError(_("This nonconformity is closed."), "result")
    if not nc.actions:
        return ServiceError(_("The nonconformity has no corrective action yet."), "result")
    if any(a.is_open for a in nc.actions) or nc.status != VERIFYING:
        return ServiceError(_("The effectiveness is checked once every action is done."), "result")
    if not nc.check_due or not nc.check_criterion:
        return ServiceError(_("Set the effectiveness check (due date and criterion) first."), "result")
    if actor is not None and actor.id in owner_ids(nc):
        return ServiceError(_("You own an action of this nonconformity: someone else checks its effectiveness."), "result")
    return None


def record_check(nc: Nonconformity, result: str, note: str, actor) -> Check:
    """The verifier's reading: effective closes the NC; ineffective reopens its actions (history kept)."""
    if result not in (EFFECTIVE, INEFFECTIVE):
        raise ServiceError(_("Choose effective or ineffective."), "result")
    refused = gate_refusal(nc, actor)
    if refused is not None:
        raise refused
    if not (note or "").strip():
        raise ServiceError(_("Say what you checked and what you found."), "note")
    return _apply(nc, result, note.strip(), actor, nc.check_kind)


def _apply(nc: Nonconformity, result: str, note: str, actor, kind: str) -> Check:
    row = Check(result=result, kind=kind, note=note, verified_by_id=actor.id if actor else None,
                verified_name=actor.full_name if actor else "Portal Mutu")
    nc.checks.append(row)
    db.session.flush()
    audit.record("capa.checked", nc, new={"result": result, "note": note, "kind": kind}, actor=actor)
    if result == EFFECTIVE:
        close(nc, actor)
    elif result == INEFFECTIVE:
        reopen(nc, actor, note)
    return row


def close(nc: Nonconformity, actor) -> None:
    """Close the NC: only when its latest check is effective and was recorded by someone who owns no action of it."""
    last = nc.checks[-1] if nc.checks else None
    if last is None or last.result != EFFECTIVE:
        raise ServiceError(_("It cannot close before its effectiveness check is recorded effective."), "result")
    if last.verified_by_id is not None and last.verified_by_id in owner_ids(nc):
        raise ServiceError(_("You own an action of this nonconformity: someone else checks its effectiveness."), "result")
    if any(a.is_open for a in nc.actions):
        raise ServiceError(_("The effectiveness is checked once every action is done."), "result")
    nc.status, nc.closed_at = CLOSED, utcnow()
    db.session.flush()
    audit.record("capa.closed", nc, new={"status": CLOSED, "check": last.id}, actor=actor)


def reopen(nc: Nonconformity, actor, why: str) -> None:
    """An ineffective check: every action is open again (its done note kept in the history) and the NC reopened."""
    reopened = []
    for a in nc.actions:
        if a.status == ACTION_DONE:
            a.status, a.done_at = ACTION_REOPENED, None
            reopened.append(a.id)
    nc.status = REOPENED
    nc.reopened += 1
    db.session.flush()
    audit.record("capa.reopened", nc, new={"status": REOPENED, "actions": reopened}, reason=why, actor=actor)


def read_check(nc: Nonconformity, actor=None) -> Check | None:
    """Read an automatic criterion now (the "read now" button, or the schedule with actor None): met closes the NC,
    not met reopens it, pending writes nothing and returns None."""
    criterion = registry.criteria().get(nc.check_kind)
    if criterion is None or criterion.evaluator is None:
        raise ServiceError(_("This criterion is recorded by the verifier."), "result")
    refused = gate_refusal(nc, actor)
    if refused is not None:
        raise refused
    since = max((a.done_at for a in nc.actions if a.done_at), default=utcnow()).date()
    found = registry.evaluate(nc.check_kind, nc.check_params, since)
    if found.status == "pending":
        return None
    result = EFFECTIVE if found.status == "met" else INEFFECTIVE
    return _apply(nc, result, found.detail or str(criterion.label), actor, nc.check_kind)


def read_due_checks(today: date) -> int:
    """The scheduled reading: every NC waiting for an automatic check that is due (read as the portal)."""
    automatic = [k for k, c in registry.criteria().items() if c.evaluator is not None]
    if not automatic:
        return 0
    n = 0
    for nc in db.session.scalars(select(Nonconformity).where(Nonconformity.status == VERIFYING,
                                                            Nonconformity.check_kind.in_(automatic),
                                                            Nonconformity.check_due <= today)):
        if read_check(nc, None) is not None:
            n += 1
    return n


def manual_evaluator_label():
    from flask_babel import lazy_gettext as _l

    return _l("Recorded by the verifier (effective / ineffective, with a note)")


def overdue(today: date):
    """A WHERE clause: the actions not done past their due date."""
    return (Action.status != ACTION_DONE) & (Action.due_on < today)


def action_owners() -> list[User]:
    """People who may own corrective actions (active holders of capa.act), by name."""
    from portal.auth.models import UserRole
    from portal.core.permissions import ROLE_PERMISSIONS

    roles = [r for r, perms in ROLE_PERMISSIONS.items() if "capa.act" in perms]
    return list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role.in_(roles), User.active.is_(True)).distinct()
                                   .order_by(User.full_name, User.id)))


def check_due_default(found_on: date) -> date:
    return found_on + timedelta(days=60)
