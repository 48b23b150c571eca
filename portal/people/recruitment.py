"""Recruitment (MNOP-01 §4.1.1): openings, candidates, their documents, the computed screening against the position's
requirements in force, the pipeline stages and the hire. Services flush and audit; the caller commits.

Screening is computed, not ticked: age on the opening's hiring date, education level (and field), months of
experience per position (an internal candidate's own contracts here count), certificates present and dated, test
and assessment results as HR recorded them; what only a person can judge is listed as "to be checked" until HR
records the judgement."""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.auth.models import Service, Site
from portal.core import audit
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people import services
from portal.people.models import (ALL_TESTS, APPLIED, DOCUMENT_KINDS, EDUCATION_LEVELS, EXPERIENCE, HEALTH_CERTIFICATE,
                                  HIRED, MAX_AGE, MIN_EDUCATION, NOT_UNDER_COACHING, PROBATION,
                                  PSYCH_ASSESSMENT, REJECTED, STAGES, Candidate, CandidateDocument, CandidateExperience,
                                  Opening, Position, Requirement, RequirementSet, Screening, StaffContract)

MET, NOT_MET, TO_CHECK = "met", "not_met", "to_check"
HEALTH_VALID_DAYS = 183  # a health certificate older than six months at the hiring date is not accepted
MAX_UPLOAD = 5 * 1024 * 1024
SIGNATURES = {b"%PDF-": ("pdf", "application/pdf"), b"\xff\xd8\xff": ("jpg", "image/jpeg"),
              b"\x89PNG\r\n\x1a\n": ("png", "image/png")}
# Hooks run after a hire (the training module will start the initial training requirement here).
on_hire: list = []
# The coaching module's reading of "not under coaching": function(staff_id, day) -> str | None (the reason when the
# person is under coaching on that day). Until a module registers one, a person confirms it.
coaching_checks: list = []


@dataclass
class Result:
    requirement_id: int
    kind: str
    text: str
    status: str
    reason: str


# ---------------------------------------------------------------- the requirements in force
def requirement_set_for(position_id: int, day: date) -> RequirementSet | None:
    """The position's requirement set in force on that day (the latest that started by then)."""
    return db.session.scalar(select(RequirementSet).where(RequirementSet.position_id == position_id,
                                                          RequirementSet.effective_from <= day)
                             .order_by(RequirementSet.effective_from.desc()).limit(1))


# ---------------------------------------------------------------- screening
def age_on(birth: date, day: date) -> int:
    """Full years of age on a day (a birthday on that day counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _months_between(start: date, end: date) -> int:
    """Whole months from start to end (inclusive of end)."""
    end = end + timedelta(days=1)
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def experience_months(candidate: Candidate, until: date) -> dict[str, int]:
    """Months per position code: the entries HR recorded, plus an internal candidate's contracts here."""
    months: dict[str, int] = {}
    for e in candidate.experiences:
        months[e.position_code] = months.get(e.position_code, 0) + e.months
    if candidate.staff_id:
        rows = db.session.execute(select(Position.code, StaffContract.starts_on, StaffContract.ends_on)
                                  .join(Position, Position.id == StaffContract.position_id)
                                  .where(StaffContract.staff_id == candidate.staff_id, StaffContract.starts_on <= until)).all()
        for code, starts, ends in rows:
            months[code] = months.get(code, 0) + _months_between(starts, min(ends or until, until))
    return months


def _check(req: Requirement, candidate: Candidate, hire_on: date, months: dict[str, int], docs: dict[str, list],
           names: dict[str, str]) -> tuple[str, str]:
    p = req.params
    if req.kind == MAX_AGE:
        if candidate.birth_date is None:
            return TO_CHECK, _("Birth date not recorded.")
        age = age_on(candidate.birth_date, hire_on)
        if age <= p["years"]:
            return MET, _("%(age)d years old on %(d)s (at most %(max)d).", age=age, d=hire_on.isoformat(), max=p["years"])
        return NOT_MET, _("%(age)d years old on %(d)s: over %(max)d.", age=age, d=hire_on.isoformat(), max=p["years"])
    if req.kind == MIN_EDUCATION:
        level = candidate.education
        if level not in EDUCATION_LEVELS:
            return TO_CHECK, _("Education not recorded.")
        if EDUCATION_LEVELS.index(level) < EDUCATION_LEVELS.index(p["level"]):
            return NOT_MET, _("%(l)s is below the minimum %(min)s.", l=level, min=p["level"])
        wanted = p.get("field") or ""
        if wanted:
            words = {w.strip("()/,.").lower() for w in wanted.split() if len(w.strip("()/,.")) > 5}
            have = (candidate.education_field or "").lower()
            if have and any(w in have for w in words):
                return MET, _("%(l)s %(f)s.", l=level, f=candidate.education_field)
            return TO_CHECK, _("%(l)s; the field (%(f)s) is to be checked against: %(w)s.", l=level,
                               f=candidate.education_field or "—", w=wanted)
        return MET, _("%(l)s (minimum %(min)s).", l=level, min=p["level"])
    if req.kind == EXPERIENCE:
        parts = []
        for option in p["options"]:
            have = sum(months.get(code, 0) for code in option["positions"])
            label = option.get("label") or ", ".join(names.get(c, c) for c in option["positions"])
            if have >= option["months"]:
                return MET, _("%(label)s: %(have)d months (at least %(need)d).", label=label, have=have, need=option["months"])
            parts.append(_("%(label)s %(have)d of %(need)d months", label=label, have=have, need=option["months"]))
        return NOT_MET, "; ".join(parts) + "."
    if req.kind == HEALTH_CERTIFICATE:
        found = [d for d in docs.get("health", []) if d.dated_on is not None]
        if not docs.get("health"):
            return NOT_MET, _("No health certificate uploaded.")
        if not found:
            return TO_CHECK, _("The certificate's date is not recorded.")
        latest = max(d.dated_on for d in found)
        if latest < hire_on - timedelta(days=HEALTH_VALID_DAYS) or latest > hire_on:
            return NOT_MET, _("The certificate is dated %(d)s: not within six months before the hiring date.", d=latest.isoformat())
        return MET, _("Certificate dated %(d)s.", d=latest.isoformat())
    if req.kind == PSYCH_ASSESSMENT:
        level = p.get("level", "")
        if not candidate.psych_level:
            return TO_CHECK, _("No assessment result recorded (required: %(l)s).", l=level)
        if level.lower() in candidate.psych_level.lower():
            report = _(" (report uploaded)") if docs.get("assessment") else _(" (report not uploaded)")
            return MET, _("Passed for %(l)s", l=candidate.psych_level) + report
        return NOT_MET, _("Passed for %(have)s, required %(l)s.", have=candidate.psych_level, l=level)
    if req.kind == ALL_TESTS:
        if candidate.tests_passed is None:
            return TO_CHECK, _("Test results not recorded yet.")
        return (MET, _("All tests passed.")) if candidate.tests_passed else (NOT_MET, _("Not every test was passed."))
    if req.kind == NOT_UNDER_COACHING:
        if candidate.staff_id is None:
            return MET, _("External candidate: no coaching record here.")
        if coaching_checks:
            reasons = [r for r in (check(candidate.staff_id, hire_on) for check in coaching_checks) if r]
            return (NOT_MET, "; ".join(reasons)) if reasons else (MET, _("No valid warning on the hiring date (coaching records)."))
        if candidate.coaching_confirmed is None:
            return TO_CHECK, _("To be confirmed by a person until the coaching module keeps the records.")
        return (MET, _("Confirmed: not under coaching.")) if candidate.coaching_confirmed else (NOT_MET, _("Under coaching."))
    check = candidate.checks.get(str(req.id))
    if check is None:
        return TO_CHECK, _("To be checked by a person.")
    return (MET if check.get("met") else NOT_MET), check.get("note") or (_("Judged met.") if check.get("met") else _("Judged not met."))


def screen(candidate: Candidate, hire_on: date | None = None) -> tuple[RequirementSet | None, list[Result]]:
    """The candidate against the requirements of the opening's position in force on the hiring date."""
    opening = candidate.opening
    hire_on = hire_on or opening.hire_on
    rs = requirement_set_for(opening.position_id, hire_on)
    if rs is None:
        return None, []
    months = experience_months(candidate, hire_on)
    docs: dict[str, list] = {}
    for d in candidate.documents:
        docs.setdefault(d.kind, []).append(d)
    names = {p.code: p.name for p in db.session.scalars(select(Position))}
    return rs, [Result(r.id, r.kind, r.text, *_check(r, candidate, hire_on, months, docs, names)) for r in rs.requirements]


def record_screening(candidate: Candidate, actor) -> Screening:
    """Keep the screening as computed now, with the requirement set it was judged against."""
    rs, results = screen(candidate)
    if rs is None:
        raise ServiceError(_("The position has no requirements in force on the hiring date."))
    row = Screening(candidate_id=candidate.id, requirement_set_id=rs.id, hire_on=candidate.opening.hire_on,
                    results_json=json.dumps([asdict(r) for r in results], ensure_ascii=False),
                    met=sum(r.status == MET for r in results), not_met=sum(r.status == NOT_MET for r in results),
                    to_check=sum(r.status == TO_CHECK for r in results))
    db.session.add(row)
    db.session.flush()
    audit.record("candidate.screened", candidate, new={"requirement_set": rs.source, "met": row.met,
                                                       "not_met": row.not_met, "to_check": row.to_check}, actor=actor)
    return row


# ---------------------------------------------------------------- openings and candidates
def save_opening(data: dict, actor) -> Opening:
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Give the opening a title."), "title")
    if db.session.get(Position, data.get("position_id") or 0) is None:
        raise ServiceError(_("Choose the position."), "position_id")
    if db.session.get(Site, data.get("site_id") or 0) is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if data.get("service_id") and db.session.get(Service, data["service_id"]) is None:
        raise ServiceError(_("Choose the service."), "service_id")
    if not data.get("hire_on"):
        raise ServiceError(_("Enter the planned hiring date."), "hire_on")
    if not data.get("headcount") or data["headcount"] < 1:
        raise ServiceError(_("At least one person is to be hired."), "headcount")
    opening = Opening(title=title[:160], position_id=data["position_id"], site_id=data["site_id"],
                      service_id=data.get("service_id") or None, headcount=data["headcount"], hire_on=data["hire_on"])
    db.session.add(opening)
    db.session.flush()
    audit.record("opening.created", opening, new={"title": opening.title, "position_id": opening.position_id,
                                                  "site_id": opening.site_id, "hire_on": opening.hire_on}, actor=actor)
    return opening


CANDIDATE_FIELDS = ["full_name", "birth_date", "education", "education_field", "identity_number", "phone", "email", "address"]


def save_candidate(opening: Opening, data: dict, actor) -> Candidate:
    name = (data.get("full_name") or "").strip()
    if not name:
        raise ServiceError(_("Enter the candidate's name."), "full_name")
    if data.get("education") and data["education"] not in EDUCATION_LEVELS:
        raise ServiceError(_("Choose an education level."), "education")
    if data.get("birth_date") and data["birth_date"] >= opening.hire_on:
        raise ServiceError(_("The birth date must be before the hiring date."), "birth_date")
    staff_id = data.get("staff_id") or None
    candidate = Candidate(opening_id=opening.id, staff_id=staff_id, stage=APPLIED,
                          **{k: (data.get(k) if data.get(k) is not None else ("" if k != "birth_date" else None))
                             for k in CANDIDATE_FIELDS})
    candidate.full_name = name[:120]
    db.session.add(candidate)
    db.session.flush()
    audit.record("candidate.created", candidate, new={"opening": opening.id, "name": candidate.full_name,
                                                      "internal": bool(staff_id)}, actor=actor)
    return candidate


def add_experience(candidate: Candidate, position_code: str, months: int | None, employer: str, actor) -> CandidateExperience:
    if db.session.scalar(select(Position.id).where(Position.code == position_code)) is None:
        raise ServiceError(_("Choose the position."), "position_code")
    if months is None or months < 1 or months > 600:
        raise ServiceError(_("Enter the months of experience (1 to 600)."), "months")
    row = CandidateExperience(candidate_id=candidate.id, position_code=position_code, months=months,
                              employer=(employer or "").strip()[:160])
    db.session.add(row)
    db.session.flush()
    db.session.expire(candidate, ["experiences"])
    audit.record("candidate.experience_added", candidate, new={"position": position_code, "months": months}, actor=actor)
    return row


def record_results(candidate: Candidate, data: dict, actor) -> None:
    """Tests, assessment level, the coaching confirmation, the person checks and interview notes, as HR recorded them."""
    old = {"tests_passed": candidate.tests_passed, "psych_level": candidate.psych_level,
           "coaching_confirmed": candidate.coaching_confirmed, "checks": candidate.checks}
    candidate.tests_passed = data.get("tests_passed")
    candidate.psych_level = (data.get("psych_level") or "").strip()[:80]
    candidate.coaching_confirmed = data.get("coaching_confirmed")
    checks = {str(k): {"met": bool(v.get("met")), "note": (v.get("note") or "").strip()[:300]}
              for k, v in (data.get("checks") or {}).items() if v.get("met") is not None}
    candidate.checks_json = json.dumps(checks, ensure_ascii=False)
    if data.get("interview_notes") is not None:
        candidate.interview_notes = data["interview_notes"].strip()[:4000]
    db.session.flush()
    audit.record("candidate.results_recorded", candidate, old=old,
                 new={"tests_passed": candidate.tests_passed, "psych_level": candidate.psych_level,
                      "coaching_confirmed": candidate.coaching_confirmed, "checks": checks}, actor=actor)


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def upload_document(candidate: Candidate, kind: str, data: bytes, filename: str, dated_on: date | None, actor) -> CandidateDocument:
    """Keep an uploaded CV, certificate or report: PDF, JPEG or PNG only (by content, not by name), size-capped."""
    if kind not in DOCUMENT_KINDS:
        raise ServiceError(_("Choose the kind of document."), "kind")
    if not data:
        raise ServiceError(_("Choose the file to upload."), "file")
    if len(data) > MAX_UPLOAD:
        raise ServiceError(_("The file is larger than 5 MB."), "file")
    sniffed = sniff(data)
    if sniffed is None:
        raise ServiceError(_("Only PDF, JPEG or PNG files are accepted."), "file")
    ext, mime = sniffed
    folder = Path(current_app.config["DOCUMENTS_FOLDER"]) / "candidates"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{ext}"
    (folder / stored).write_bytes(data)
    doc = CandidateDocument(candidate_id=candidate.id, kind=kind, file_name=Path(filename or f"dokumen.{ext}").name[:255],
                            file_path=f"candidates/{stored}", mime=mime, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), dated_on=dated_on, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    db.session.expire(candidate, ["documents"])
    audit.record("candidate_document.uploaded", doc, new={"candidate": candidate.id, "kind": kind, "sha256": doc.sha256,
                                                          "size": doc.size, "dated_on": dated_on}, actor=actor)
    return doc


def document_path(doc: CandidateDocument) -> Path:
    return Path(current_app.config["DOCUMENTS_FOLDER"]) / doc.file_path


def document_viewed(doc: CandidateDocument, actor) -> None:
    """Every view of a candidate's document leaves an audit event."""
    from portal.core.unit import begin_writing

    begin_writing()
    audit.record("candidate_document.viewed", doc, new={"candidate": doc.candidate_id, "kind": doc.kind}, actor=actor)


def move_stage(candidate: Candidate, stage: str, reason: str, actor) -> None:
    """Move a candidate along the pipeline; a rejection needs its reason; hiring goes through hire()."""
    if stage not in STAGES or stage == HIRED:
        raise ServiceError(_("Choose a stage."), "stage")
    if candidate.stage in (HIRED, REJECTED):
        raise ServiceError(_("This candidate's process is closed."), "stage")
    if stage == REJECTED and not (reason or "").strip():
        raise ServiceError(_("Give the reason for rejecting the candidate."), "reason")
    old = candidate.stage
    candidate.stage, candidate.stage_reason = stage, (reason or "").strip()[:2000]
    db.session.flush()
    audit.record("candidate.stage_changed", candidate, old={"stage": old}, new={"stage": stage}, reason=reason or "", actor=actor)


def stage_counts(opening: Opening) -> dict[str, int]:
    rows = db.session.execute(select(Candidate.stage, db.func.count()).where(Candidate.opening_id == opening.id)
                              .group_by(Candidate.stage)).all()
    counts = {s: 0 for s in STAGES}
    counts.update(dict(rows))
    return counts


def hire(candidate: Candidate, data: dict, actor):
    """Hire: the staff record (linked to the internal person's record when there is one), the first (probation)
    contract from the hiring date, the team; then the hooks (the training module's initial training)."""
    opening = candidate.opening
    if candidate.stage != "offered":
        raise ServiceError(_("Only a candidate who was offered the position can be hired."), "employee_number")
    starts = data.get("starts_on") or opening.hire_on
    ends = data.get("ends_on") or (starts + timedelta(days=89))
    user_id = data.get("user_id")
    username = (data.get("username") or "").strip()
    if username and opening.position.role:
        # The position signs in: the account is created with an unusable random password and must be given its
        # first password by the administrator (never shown here, never sent by the portal).
        from portal.auth import services as auth

        try:
            user = auth.create_user({"username": username, "full_name": candidate.full_name,
                                     "position": opening.position.name, "site_id": opening.site_id,
                                     "roles": [opening.position.role],
                                     "service_ids": [opening.service_id] if opening.service_id else [],
                                     "must_change_password": True}, secrets.token_urlsafe(24) + "aA1!")
        except ServiceError as exc:
            raise ServiceError(exc.message, "username") from exc
        user_id = user.id
    staff = services.save_staff(None, {
        "employee_number": data.get("employee_number") or "", "full_name": candidate.full_name,
        "position_id": opening.position_id, "site_id": opening.site_id,
        "service_ids": [opening.service_id] if opening.service_id else [], "team_id": data.get("team_id"),
        "hire_date": starts, "education": candidate.education, "birth_date": candidate.birth_date,
        "identity_number": candidate.identity_number, "phone": candidate.phone, "address": candidate.address,
        "user_id": user_id}, actor)
    services.add_contract(staff, {"kind": PROBATION, "starts_on": starts, "ends_on": ends,
                                  "number": data.get("contract_number") or ""}, actor)
    candidate.stage, candidate.hired_staff_id = HIRED, staff.id
    db.session.flush()
    audit.record("candidate.hired", candidate, new={"staff": staff.employee_number, "starts_on": starts}, actor=actor)
    for hook in on_hire:
        hook(candidate, staff, actor)
    return staff

