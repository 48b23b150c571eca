"""Coaching and discipline ("pembinaan", MNOP-01 §4.1.4; F-03; P-10 steps 13, 16, 18): findings, coaching
sessions acknowledged by the person, warnings (teguran lisan, SP1-SP3) signed electronically, the escalation rule
that proposes the next level, and the "under coaching" reading the people module's screening uses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import Staff
from portal.coaching.models import FINDING_KINDS, CoachingSession, EscalationRule, Finding, Warning, WarningLevel
from portal.training.services import add_months


def _evidence_file(data: bytes, filename: str) -> tuple[str, str, str]:
    """Keep an attached evidence file (PDF, JPEG or PNG by content, at most 5 MB): (stored path, name, sha256); the
    file is removed again if the transaction rolls back."""
    import hashlib
    import secrets
    from pathlib import Path

    from flask import current_app

    from portal.core import files
    from portal.people import recruitment

    if len(data) > recruitment.MAX_UPLOAD:
        raise ServiceError(_("The file is larger than 5 MB."), "evidence_file")
    sniffed = recruitment.sniff(data)
    if sniffed is None:
        raise ServiceError(_("Only PDF, JPEG or PNG files are accepted."), "evidence_file")
    ext = sniffed[0]
    name = f"{secrets.token_hex(16)}.{ext}"
    files.write_atomic(Path(current_app.config["DOCUMENTS_FOLDER"]) / "findings", name, data)
    original = Path(filename or f"bukti.{ext}").name[:255]
    return f"findings/{name}", original, hashlib.sha256(data).hexdigest()


def evidence_path(finding: Finding):
    from pathlib import Path

    from flask import current_app

    return Path(current_app.config["DOCUMENTS_FOLDER"]) / finding.evidence_file_path


def evidence_viewed(finding: Finding, actor) -> None:
    audit.record("finding.evidence_viewed", finding, new={"sha256": finding.evidence_file_sha256}, actor=actor)


def raise_finding(staff: Staff, data: dict, actor, evidence: tuple[bytes, str] | None = None) -> Finding:
    if data.get("kind") not in FINDING_KINDS:
        raise ServiceError(_("Choose the kind of finding."), "kind")
    if not data.get("found_on"):
        raise ServiceError(_("Enter the date of the finding."), "found_on")
    if not (data.get("description") or "").strip():
        raise ServiceError(_("Describe what was found."), "description")
    row = Finding(staff_id=staff.id, kind=data["kind"], found_on=data["found_on"], rule=(data.get("rule") or "").strip()[:200],
                  description=data["description"].strip(), evidence_link=(data.get("evidence_link") or "").strip()[:300],
                  response=(data.get("response") or "").strip(), raised_by_id=actor.id, raised_name=actor.full_name)
    if evidence and evidence[0]:
        row.evidence_file_path, row.evidence_file_name, row.evidence_file_sha256 = _evidence_file(*evidence)
    db.session.add(row)
    db.session.flush()
    audit.record("finding.raised", row, new={"staff": staff.employee_number, "kind": row.kind, "found_on": row.found_on,
                                             "rule": row.rule, **({"file": row.evidence_file_name,
                                                                  "file_sha256": row.evidence_file_sha256}
                                                                 if row.evidence_file_path else {})}, actor=actor)
    return row


def respond(finding: Finding, response: str, actor) -> None:
    """The person's response to a finding (written by the person, or by the one who raised it on their behalf)."""
    if not (response or "").strip():
        raise ServiceError(_("Write the response."), "response")
    old = {"response": finding.response}
    finding.response = response.strip()
    db.session.flush()
    audit.record("finding.responded", finding, old=old, new={"response": finding.response}, actor=actor)


def record_session(staff: Staff, data: dict, actor) -> CoachingSession:
    if not data.get("held_on"):
        raise ServiceError(_("Enter the date of the session."), "held_on")
    if not (data.get("topic") or "").strip():
        raise ServiceError(_("Enter the topic."), "topic")
    follow = data.get("follow_up_on")
    if follow and follow < data["held_on"]:
        raise ServiceError(_("The follow-up comes after the session."), "follow_up_on")
    finding_id = data.get("finding_id") or None
    if finding_id and db.session.scalar(select(Finding.staff_id).where(Finding.id == finding_id)) != staff.id:
        raise ServiceError(_("Choose a finding of this person."), "finding_id")
    row = CoachingSession(staff_id=staff.id, coach_id=actor.id, coach_name=actor.full_name, held_on=data["held_on"],
                          topic=data["topic"].strip()[:200], actions=(data.get("actions") or "").strip(),
                          follow_up_on=follow, finding_id=finding_id)
    db.session.add(row)
    db.session.flush()
    audit.record("coaching_session.recorded", row, new={"staff": staff.employee_number, "topic": row.topic,
                                                        "held_on": row.held_on, "follow_up_on": row.follow_up_on}, actor=actor)
    return row


def acknowledge(session: CoachingSession, actor) -> None:
    """The coached person confirms the session on their own page."""
    if session.staff.user_id != actor.id:
        raise ServiceError(_("Only the coached person acknowledges the session."), "form")
    if session.acknowledged_at is not None:
        raise ServiceError(_("Already acknowledged."), "form")
    session.acknowledged_at = utcnow()
    db.session.flush()
    audit.record("coaching_session.acknowledged", session, new={"by": actor.username}, actor=actor)


LEVELS = [  # code, name, rank, validity in months, the roles that may issue it
    ("LISAN", "Teguran lisan", 0, 3, "tl,spv,manager"),
    ("SP1", "Surat Peringatan 1 (SP1)", 1, 6, "spv,manager"),
    ("SP2", "Surat Peringatan 2 (SP2)", 2, 6, "spv,manager"),
    ("SP3", "Surat Peringatan 3 (SP3)", 3, 6, "manager"),
]


def seed() -> list[str]:
    """The warning levels and the escalation rules (three findings of a kind in 30 days), when missing."""
    out = []
    have = set(db.session.scalars(select(WarningLevel.code)))
    for code, name, rank, months, roles in LEVELS:
        if code not in have:
            db.session.add(WarningLevel(code=code, name=name, rank=rank, validity_months=months, issuer_roles=roles))
            out.append(f"warning level {code} created")
    kinds = set(db.session.scalars(select(EscalationRule.kind)))
    for kind in FINDING_KINDS:
        if kind not in kinds:
            db.session.add(EscalationRule(kind=kind, count=3, days=30, active=True))
            out.append(f"escalation rule {kind}: 3 in 30 days")
    db.session.flush()
    return out


def levels() -> list[WarningLevel]:
    return list(db.session.scalars(select(WarningLevel).order_by(WarningLevel.rank)))


def issue_warning(staff: Staff, level: WarningLevel | None, data: dict, password: str, actor) -> Warning:
    """A warning signed with the issuer's password; the level says who may issue it and how long it is valid."""
    from portal.auth import services as auth

    if level is None:
        raise ServiceError(_("Choose the warning level."), "level_id")
    if not (set(actor.roles) & level.roles):
        raise ServiceError(_("Your role may not issue a %(level)s.", level=level.name), "level_id")
    issued = data.get("issued_on")
    if not issued:
        raise ServiceError(_("Enter the date of the warning."), "issued_on")
    if not (data.get("reason") or "").strip():
        raise ServiceError(_("Give the reason for the warning."), "reason")

    def write():
        audit.record("warning.signature_refused", staff, new={"by": actor.username, "level": level.code}, actor=actor)

    auth.confirm_password(actor, password, _("The password is not correct; nothing was signed."), write)
    return write_warning(staff, level, data, actor)


def write_warning(staff: Staff, level: WarningLevel, data: dict, actor) -> Warning:
    """The warning row once its signature was checked (the demo loader writes it directly)."""
    issued = data["issued_on"]
    n = (db.session.scalar(select(func.count(Warning.id))) or 0) + 1
    row = Warning(staff_id=staff.id, level_id=level.id, issued_on=issued,
                  valid_until=add_months(issued, level.validity_months) - timedelta(days=1), reason=data["reason"].strip(),
                  issued_by_id=actor.id, issued_name=actor.full_name, issued_position=actor.position or "",
                  number=f"{level.code}/{issued.year}/{n:04d}")
    db.session.add(row)
    db.session.flush()
    audit.record("warning.issued", row, new={"staff": staff.employee_number, "level": level.code, "issued_on": issued,
                                             "valid_until": row.valid_until, "signed_by": actor.full_name},
                 reason=row.reason, actor=actor)
    return row


def valid_warnings(staff_ids: list[int], day: date) -> dict[int, Warning]:
    """The highest warning valid on `day` per person (one statement)."""
    out: dict[int, Warning] = {}
    if not staff_ids:
        return out
    for w in db.session.scalars(select(Warning).where(Warning.staff_id.in_(staff_ids), Warning.issued_on <= day,
                                                      Warning.valid_until >= day)):
        if w.staff_id not in out or w.level.rank > out[w.staff_id].level.rank:
            out[w.staff_id] = w
    return out


def under_coaching(staff_id: int, day: date) -> str | None:
    """The reason a person is "dalam masa pembinaan" on a day (a valid warning), or None."""
    w = valid_warnings([staff_id], day).get(staff_id)
    if w is None:
        return None
    return _("Under coaching: %(level)s valid until %(d)s.", level=w.level.name, d=w.valid_until.isoformat())


@dataclass
class Proposal:
    staff_id: int
    name: str
    kind: str
    count: int
    days: int
    level: WarningLevel | None


def proposals(scope, today: date) -> list[Proposal]:
    """Escalation proposals in a scope (a clause on Staff, None: everyone): a rule's count of findings of one kind
    within its days, not yet answered by a warning in force, proposes the level above the person's highest valid
    warning; the supervisor decides. Four statements: rules, findings, warnings in force, levels."""
    rules = list(db.session.scalars(select(EscalationRule).where(EscalationRule.active.is_(True))))
    if not rules:
        return []
    longest = max(r.days for r in rules)
    stmt = (select(Finding.staff_id, Staff.full_name, Finding.kind, Finding.found_on).join(Staff, Staff.id == Finding.staff_id)
            .where(Finding.found_on > today - timedelta(days=longest), Finding.found_on <= today))
    if scope is not None:
        stmt = stmt.where(scope)
    found = db.session.execute(stmt).all()
    if not found:
        return []
    people = sorted({r[0] for r in found})
    names = {r[0]: r[1] for r in found}
    current: dict[int, Warning] = {}
    latest: dict[int, date] = {}
    for w in db.session.scalars(select(Warning).where(Warning.staff_id.in_(people), Warning.issued_on <= today,
                                                      Warning.valid_until >= today)):
        if w.staff_id not in current or w.level.rank > current[w.staff_id].level.rank:
            current[w.staff_id] = w
        latest[w.staff_id] = max(latest.get(w.staff_id, date.min), w.issued_on)
    all_levels = levels()
    out = []
    for rule in rules:
        for staff_id in people:
            since = max(today - timedelta(days=rule.days), latest.get(staff_id, date.min))
            n = sum(1 for s, _n, k, d in found if s == staff_id and k == rule.kind and d > since)
            if n >= rule.count:
                have = current.get(staff_id)
                rank = have.level.rank if have else -1
                level = next((lv for lv in all_levels if lv.rank > rank), None)
                out.append(Proposal(staff_id, names[staff_id], rule.kind, n, rule.days, level))
    return out

