"""Staff, teams, moves and employment contracts: every change here mutates, flushes and writes its audit event; the
caller commits."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from portal.auth.models import Service, Site, User
from portal.core import audit
from portal.core.i18n import fmt_date, local_today
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import (ACTIVE, CONTRACT_KINDS, EDUCATION_LEVELS, ENDED, PERMANENT, STAFF_STATUSES, Position,
                                  Staff, StaffContract, Team, TeamMembership)

NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,29}$")
# Words the people pages use as paths under /people/: never an employee number.
RESERVED = {"new", "teams", "positions", "import", "me"}
STAFF_FIELDS = ["employee_number", "full_name", "position_id", "site_id", "hire_date", "status", "ended_on", "user_id",
                "education", "birth_date", "identity_number", "phone", "address"]


# ---------------------------------------------------------------- look-ups
def get_staff(employee_number: str) -> Staff | None:
    """The staff record with this employee number (exact, case as stored)."""
    return db.session.scalar(select(Staff).where(Staff.employee_number == (employee_number or "").strip()))


def staff_of_user(user) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.user_id == user.id))


def positions() -> list[Position]:
    return list(db.session.scalars(select(Position).where(Position.active.is_(True)).order_by(Position.sort_order, Position.name)))


def number_problem(number: str) -> str | None:
    if not number:
        return _("Enter the employee number.")
    if not NUMBER_RE.match(number) or number.lower() in RESERVED:
        return _("An employee number has up to 30 letters, digits, dots or dashes.")
    return None


# ---------------------------------------------------------------- staff
def _clean(data: dict) -> dict:
    out = dict(data)
    for key in ("employee_number", "full_name", "identity_number", "phone", "address", "education"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def _check_staff(staff: Staff | None, data: dict) -> None:
    problem = number_problem(data.get("employee_number", ""))
    if problem:
        raise ServiceError(problem, "employee_number")
    same = db.session.scalar(select(Staff.id).where(Staff.employee_number == data["employee_number"]))
    if same is not None and (staff is None or same != staff.id):
        raise ServiceError(_("The employee number %(n)s is already taken.", n=data["employee_number"]), "employee_number")
    if not data.get("full_name"):
        raise ServiceError(_("Enter the person's name."), "full_name")
    if len(data["full_name"]) > 120:
        raise ServiceError(_("A name has at most 120 characters."), "full_name")
    if not data.get("position_id") or db.session.get(Position, data["position_id"]) is None:
        raise ServiceError(_("Choose the position."), "position_id")
    if not data.get("site_id") or db.session.get(Site, data["site_id"]) is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if not data.get("hire_date"):
        raise ServiceError(_("Enter the hire date."), "hire_date")
    if data.get("status", ACTIVE) not in STAFF_STATUSES:
        raise ServiceError(_("Choose a status."), "status")
    if data.get("education") and data["education"] not in EDUCATION_LEVELS:
        raise ServiceError(_("Choose an education level."), "education")
    birth = data.get("birth_date")
    if birth and (birth >= data["hire_date"] or birth.year < 1900):
        raise ServiceError(_("The birth date must be before the hire date."), "birth_date")
    if data.get("ended_on") and data["ended_on"] < data["hire_date"]:
        raise ServiceError(_("A person cannot leave before they were hired."), "ended_on")
    user_id = data.get("user_id")
    if user_id:
        if db.session.get(User, user_id) is None:
            raise ServiceError(_("There is no such user account."), "user_id")
        other = db.session.scalar(select(Staff).where(Staff.user_id == user_id))
        if other is not None and (staff is None or other.id != staff.id):
            raise ServiceError(_("This user account already belongs to %(name)s (%(n)s).", name=other.full_name,
                                 n=other.employee_number), "user_id")


# Checks a module runs when services are added to a person already on the staff: fn(staff, added services, actor)
# raises ServiceError (field "service_ids") to refuse; the training module's competence gate registers itself here.
service_checks: list = []


def save_staff(staff: Staff | None, data: dict, actor: User | None) -> Staff:
    """Add a person (with their first team, when given, from the hire date) or change their data."""
    data = _clean(data)
    data.setdefault("status", ACTIVE)
    _check_staff(staff, data)
    if data["status"] == ENDED and not data.get("ended_on"):
        data["ended_on"] = local_today()
    if data["status"] != ENDED:
        data["ended_on"] = None
    creating = staff is None
    service_ids = data.get("service_ids")
    team = db.session.get(Team, data["team_id"]) if creating and data.get("team_id") else None
    if team is not None:
        _check_team_for(team, data["site_id"], "team_id")
    values = {k: (data.get(k) if data.get(k) is not None else ("" if k in ("education", "identity_number", "phone", "address") else None))
              for k in STAFF_FIELDS}
    values["user_id"] = data.get("user_id") or None
    if creating:
        staff = Staff(**values)
        db.session.add(staff)
        old = None
        new = {k: v for k, v in values.items() if k not in PERSONAL}
    else:
        old, new = audit.changes(staff, STAFF_FIELDS, values)
        for key, value in values.items():
            setattr(staff, key, value)
        old, new = _mask(old), _mask(new)
    if service_ids is not None:
        chosen = list(db.session.scalars(select(Service).where(Service.id.in_(service_ids or [0])).order_by(Service.code)))
        before = sorted(s.code for s in staff.services) if not creating else []
        staff.services = chosen
        added = [s for s in chosen if s.code not in before]
        if added and not creating:
            db.session.flush()
            for check in service_checks:
                check(staff, added, actor)
        if sorted(s.code for s in chosen) != before:
            if old is not None:
                old["services"] = before
            new["services"] = [s.code for s in chosen]
    db.session.flush()
    if team is not None:
        db.session.add(TeamMembership(staff_id=staff.id, team_id=team.id, starts_on=data["hire_date"],
                                      reason=_("Joined at hiring")))
        new["team"] = team.name
    if not creating and staff.status == ENDED:
        _close_membership(staff, staff.ended_on)
    db.session.flush()
    if creating or new:
        audit.record("staff.created" if creating else "staff.updated", staff, old=old or None, new=new, actor=actor)
    return staff


PERSONAL = {"birth_date", "identity_number", "phone", "address"}


def _mask(values: dict) -> dict:
    """Personal data is not copied into the audit trail: only that it changed."""
    return {k: ("(diubah)" if k in PERSONAL else v) for k, v in values.items()}


def _close_membership(staff: Staff, last_day: date | None) -> None:
    open_row = db.session.scalar(select(TeamMembership).where(TeamMembership.staff_id == staff.id,
                                                              TeamMembership.ends_on.is_(None)))
    if open_row is not None:
        open_row.ends_on = max(last_day or local_today(), open_row.starts_on)


# ---------------------------------------------------------------- teams
def _check_team_for(team: Team, site_id: int, field: str) -> None:
    if not team.active:
        raise ServiceError(_("The team %(name)s is no longer active.", name=team.name), field)
    if team.site_id != site_id:
        raise ServiceError(_("The team %(name)s is at another site (%(site)s): change the person's site first.",
                             name=team.name, site=team.site.name), field)


def save_team(team: Team | None, data: dict, actor: User | None) -> Team:
    """Create a team or change its name, service, leader or active flag."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Give the team a name."), "name")
    if len(name) > 80:
        raise ServiceError(_("A team name has at most 80 characters."), "name")
    site = db.session.get(Site, data.get("site_id") or 0)
    if site is None:
        raise ServiceError(_("Choose the site."), "site_id")
    if db.session.get(Service, data.get("service_id") or 0) is None:
        raise ServiceError(_("Choose the service."), "service_id")
    same = db.session.scalar(select(Team.id).where(Team.site_id == site.id, Team.name == name))
    if same is not None and (team is None or same != team.id):
        raise ServiceError(_("%(site)s already has a team called %(name)s.", site=site.name, name=name), "name")
    leader = db.session.get(Staff, data["leader_id"]) if data.get("leader_id") else None
    if leader is not None and (leader.site_id != site.id or leader.status == ENDED):
        raise ServiceError(_("The team leader must be a current member of staff at %(site)s.", site=site.name), "leader_id")
    values = {"name": name, "site_id": site.id, "service_id": data["service_id"],
              "leader_id": leader.id if leader else None, "active": data.get("active", True)}
    if team is None:
        team = Team(**values)
        db.session.add(team)
        db.session.flush()
        audit.record("team.created", team, new=values, actor=actor)
        return team
    if team.site_id != site.id and current_members(team):
        raise ServiceError(_("Move the members out before moving the team to another site."), "site_id")
    old, new = audit.changes(team, list(values), values)
    for key, value in values.items():
        setattr(team, key, value)
    db.session.flush()
    if new:
        audit.record("team.updated", team, old=old, new=new, actor=actor)
    return team


def members_on(team: Team, day: date) -> list[Staff]:
    """Who was in the team on that day (the history answers "who was in this team in March")."""
    stmt = (select(Staff).join(TeamMembership, TeamMembership.staff_id == Staff.id)
            .where(TeamMembership.team_id == team.id, TeamMembership.starts_on <= day,
                   or_(TeamMembership.ends_on.is_(None), TeamMembership.ends_on >= day))
            .order_by(Staff.full_name, Staff.id))
    return list(db.session.scalars(stmt))


def current_members(team: Team) -> list[Staff]:
    stmt = (select(Staff).join(TeamMembership, TeamMembership.staff_id == Staff.id)
            .where(TeamMembership.team_id == team.id, TeamMembership.ends_on.is_(None))
            .order_by(Staff.full_name, Staff.id))
    return list(db.session.scalars(stmt))


def move_to_team(staff: Staff, team: Team, starts_on: date | None, actor: User | None, reason: str = "") -> TeamMembership:
    """Move a person to another team from a day: the open membership ends the day before (history kept)."""
    if staff.status == ENDED:
        raise ServiceError(_("%(name)s has left; a person who left cannot be moved.", name=staff.full_name), "team_id")
    if team is None:
        raise ServiceError(_("Choose the team."), "team_id")
    _check_team_for(team, staff.site_id, "team_id")
    if starts_on is None:
        raise ServiceError(_("Enter the day the move takes effect."), "starts_on")
    if starts_on < staff.hire_date:
        raise ServiceError(_("The move cannot take effect before the hire date (%(d)s).", d=fmt_date(staff.hire_date)), "starts_on")
    current = db.session.scalar(select(TeamMembership).where(TeamMembership.staff_id == staff.id,
                                                             TeamMembership.ends_on.is_(None)))
    if current is not None:
        if current.team_id == team.id:
            raise ServiceError(_("%(name)s is already in %(team)s.", name=staff.full_name, team=team.name), "team_id")
        if starts_on <= current.starts_on:
            raise ServiceError(_("The move must take effect after %(d)s, when the person joined their current team.",
                                 d=fmt_date(current.starts_on)), "starts_on")
        current.ends_on = starts_on - timedelta(days=1)
        db.session.flush()  # the open row is closed before the new one opens (one open row a person)
    else:
        last_end = db.session.scalar(select(TeamMembership.ends_on).where(TeamMembership.staff_id == staff.id)
                                     .order_by(TeamMembership.ends_on.desc()).limit(1))
        if last_end is not None and starts_on <= last_end:
            raise ServiceError(_("The move must take effect after %(d)s.", d=fmt_date(last_end)), "starts_on")
    row = TeamMembership(staff_id=staff.id, team_id=team.id, starts_on=starts_on, reason=(reason or "").strip()[:200])
    db.session.add(row)
    db.session.flush()
    db.session.expire(staff, ["current_membership"])  # the viewonly relation is read again when next used
    audit.record("staff.moved", staff, old={"team": current.team.name if current else None},
                 new={"team": team.name, "starts_on": starts_on}, reason=reason or "", actor=actor)
    return row


# ---------------------------------------------------------------- contracts
def _check_contract_dates(staff: Staff, kind: str, starts: date | None, ends: date | None, ignore_id: int | None = None) -> None:
    if kind not in CONTRACT_KINDS:
        raise ServiceError(_("Choose the kind of contract."), "kind")
    if starts is None:
        raise ServiceError(_("Enter the first day of the contract."), "starts_on")
    if kind != PERMANENT and ends is None:
        raise ServiceError(_("A fixed-term or probation contract needs its last day."), "ends_on")
    if kind == PERMANENT and ends is not None:
        raise ServiceError(_("A permanent contract has no end date."), "ends_on")
    if ends is not None and ends < starts:
        raise ServiceError(_("The contract cannot end before it starts."), "ends_on")
    if starts < staff.hire_date:
        raise ServiceError(_("The contract cannot start before the hire date (%(d)s).", d=fmt_date(staff.hire_date)), "starts_on")
    far = date.max if ends is None else ends
    overlap = db.session.scalar(select(StaffContract).where(
        StaffContract.staff_id == staff.id, StaffContract.id != (ignore_id or 0), StaffContract.starts_on <= far,
        or_(StaffContract.ends_on.is_(None), StaffContract.ends_on >= starts)).limit(1))
    if overlap is not None:
        raise ServiceError(_("This contract overlaps the contract from %(s)s to %(e)s.", s=fmt_date(overlap.starts_on),
                             e=fmt_date(overlap.ends_on) if overlap.ends_on else _("open end")), "starts_on")


def add_contract(staff: Staff, data: dict, actor: User | None) -> StaffContract:
    """Register a contract of the person (the first one, or one after a gap)."""
    kind = data.get("kind") or ""
    starts, ends = data.get("starts_on"), data.get("ends_on")
    _check_contract_dates(staff, kind, starts, ends)
    contract = StaffContract(staff_id=staff.id, kind=kind, starts_on=starts, ends_on=ends,
                             number=(data.get("number") or "").strip()[:60],
                             position_id=data.get("position_id") or staff.position_id,
                             site_id=data.get("site_id") or staff.site_id, created_by_id=getattr(actor, "id", None))
    db.session.add(contract)
    db.session.flush()
    audit.record("staff_contract.added", contract, new={"staff": staff.employee_number, "kind": kind, "number": contract.number,
                                                        "starts_on": starts, "ends_on": ends}, actor=actor)
    return contract


def latest_contract(staff: Staff) -> StaffContract | None:
    return db.session.scalar(select(StaffContract).where(StaffContract.staff_id == staff.id)
                             .order_by(StaffContract.starts_on.desc()).limit(1))


def extend_contract(contract: StaffContract, data: dict, actor: User | None) -> StaffContract:
    """Extend a contract (MNOP-01 §4.1.6): on an evaluation, the next contract starts the day after it ends."""
    staff = contract.staff
    if contract.ends_on is None:
        raise ServiceError(_("A permanent contract is not extended."), "kind")
    latest = latest_contract(staff)
    if latest is not None and latest.id != contract.id:
        raise ServiceError(_("Only the latest contract can be extended."), "kind")
    if staff.status == ENDED:
        raise ServiceError(_("%(name)s has left; a contract of a person who left is not extended.", name=staff.full_name), "kind")
    evaluation = (data.get("evaluation") or "").strip()
    if not evaluation:
        raise ServiceError(_("Write the evaluation the extension is decided on (performance, attendance, quality)."), "evaluation")
    kind = data.get("kind") or ""
    starts = contract.ends_on + timedelta(days=1)
    ends = data.get("ends_on")
    _check_contract_dates(staff, kind, starts, ends, ignore_id=contract.id)
    new = StaffContract(staff_id=staff.id, kind=kind, starts_on=starts, ends_on=ends,
                        number=(data.get("number") or "").strip()[:60], position_id=contract.position_id,
                        site_id=staff.site_id, extends_id=contract.id, evaluation=evaluation[:4000],
                        created_by_id=getattr(actor, "id", None))
    db.session.add(new)
    db.session.flush()
    audit.record("staff_contract.extended", new, old={"contract_id": contract.id, "ends_on": contract.ends_on},
                 new={"staff": staff.employee_number, "kind": kind, "starts_on": starts, "ends_on": ends},
                 reason=evaluation, actor=actor)
    return new


# An alias's columns are worked out when first used, at a cost: made once, not in every statement that needs it.
_NEWER_CONTRACT = StaffContract.__table__.alias("newer")


def ending_clause(today: date, days: int, until=None):
    """A WHERE clause on Staff: still working, and their latest contract ends within `days` days from today (or
    between `today` and `until`, bound parameters of a statement built once)."""
    newer = _NEWER_CONTRACT
    until = today + timedelta(days=days) if until is None else until
    latest_ending = (select(StaffContract.staff_id)
                     .where(StaffContract.ends_on >= today, StaffContract.ends_on <= until,
                            ~exists().where(and_(newer.c.staff_id == StaffContract.staff_id,
                                                 newer.c.starts_on > StaffContract.starts_on))))
    return and_(Staff.status != ENDED, Staff.id.in_(latest_ending))


def contracts_ending(scope, today: date, days: int, soon: int | None = None) -> tuple[int, int]:
    """How many people in the scope (a clause on Staff, None: everyone) have their last contract ending within
    `days` days, and how many of them within `soon` days: one statement."""
    from sqlalchemy import case

    soon_count = db.func.count(case((ending_clause(today, soon), 1))) if soon is not None else db.func.count(None)
    stmt = select(db.func.count(Staff.id), soon_count).where(ending_clause(today, days))
    if scope is not None:
        stmt = stmt.where(scope)
    total, within = db.session.execute(stmt).one()
    return total or 0, within or 0


def contracts_ending_by_window(scope, today: date, windows: tuple[int, ...]) -> dict[int, int]:
    """For each window (days), how many people in the scope have their last contract ending within it: one statement."""
    from sqlalchemy import case

    counts = [db.func.count(case((ending_clause(today, days), 1))) for days in windows]
    stmt = select(*counts).where(ending_clause(today, max(windows)))
    if scope is not None:
        stmt = stmt.where(scope)
    return dict(zip(windows, (n or 0 for n in db.session.execute(stmt).one())))


def end_expired(today: date | None = None) -> list[Staff]:
    """People whose last contract ended before today, with no later contract: they leave on its last day, their
    team membership closes that day, and their portal login stops (the day after the end)."""
    from portal.auth import services as auth

    today = today or local_today()
    newer = _NEWER_CONTRACT
    stmt = (select(Staff, StaffContract).join(StaffContract, StaffContract.staff_id == Staff.id)
            .where(Staff.status != ENDED, StaffContract.ends_on.is_not(None), StaffContract.ends_on < today,
                   ~exists().where(and_(newer.c.staff_id == StaffContract.staff_id, newer.c.starts_on > StaffContract.starts_on)))
            .options(selectinload(Staff.user)))
    ended = []
    for staff, contract in db.session.execute(stmt).all():
        old_status = staff.status
        staff.status, staff.ended_on = ENDED, contract.ends_on
        _close_membership(staff, contract.ends_on)
        db.session.flush()
        audit.record("staff.ended", staff, old={"status": old_status}, new={"status": ENDED, "ended_on": contract.ends_on},
                     reason="Kontrak berakhir tanpa perpanjangan", actor=None)
        if staff.user is not None and staff.user.active:
            auth.deactivate_user(staff.user, "Kontrak kerja berakhir %s tanpa perpanjangan" % contract.ends_on.isoformat())
        ended.append(staff)
    # People HR marked as left (with their last day) sign in until that day, not after.
    left = (select(Staff).join(User, User.id == Staff.user_id)
            .where(Staff.status == ENDED, Staff.ended_on < today, User.active.is_(True)).options(selectinload(Staff.user)))
    for staff in db.session.scalars(left):
        auth.deactivate_user(staff.user, "Berhenti bekerja %s" % staff.ended_on.isoformat())
    return ended


# ---------------------------------------------------------------- extension: evaluation, then a manager's signature
EXTEND, END = "extend", "end"


def pending_extension(contract: StaffContract):
    from portal.people.models import PROPOSED, ContractExtension

    return db.session.scalar(select(ContractExtension).where(ContractExtension.contract_id == contract.id,
                                                             ContractExtension.status == PROPOSED))


def propose_extension(contract: StaffContract, data: dict, actor):
    """HR or the supervisor evaluates a contract before its end and recommends extending it (kind, end) or not."""
    from portal.people.models import ContractExtension

    staff = contract.staff
    if contract.ends_on is None:
        raise ServiceError(_("A permanent contract is not extended."), "recommendation")
    latest = latest_contract(staff)
    if latest is not None and latest.id != contract.id:
        raise ServiceError(_("Only the latest contract can be extended."), "recommendation")
    if staff.status == ENDED:
        raise ServiceError(_("%(name)s has left; a contract of a person who left is not extended.", name=staff.full_name), "recommendation")
    if pending_extension(contract) is not None:
        raise ServiceError(_("An evaluation of this contract is already waiting for the manager."), "recommendation")
    evaluation = (data.get("evaluation") or "").strip()
    if not evaluation:
        raise ServiceError(_("Write the evaluation the extension is decided on (performance, attendance, quality)."), "evaluation")
    recommendation = data.get("recommendation")
    if recommendation not in (EXTEND, END):
        raise ServiceError(_("Recommend extending the contract or letting it end."), "recommendation")
    kind, ends = data.get("kind") or "", data.get("ends_on")
    if recommendation == EXTEND:
        _check_contract_dates(staff, kind, contract.ends_on + timedelta(days=1), ends, ignore_id=contract.id)
    row = ContractExtension(contract_id=contract.id, evaluation=evaluation[:4000], recommendation=recommendation,
                            kind=kind if recommendation == EXTEND else "", ends_on=ends if recommendation == EXTEND else None,
                            number=(data.get("number") or "").strip()[:60], proposed_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record("contract_extension.proposed", row, new={"staff": staff.employee_number, "contract_id": contract.id,
                                                          "recommendation": recommendation, "kind": row.kind,
                                                          "ends_on": row.ends_on}, reason=evaluation, actor=actor)
    return row


def decide_extension(extension, approve: bool, password: str, note: str, actor):
    """The manager's decision, signed with their password: approving an "extend" recommendation makes the next
    contract; approving "end" (or declining an extension) lets the contract end on its last day."""
    from portal.auth import services as auth
    from portal.core.db import utcnow
    from portal.people.models import APPROVED, DECLINED, PROPOSED

    if extension.status != PROPOSED:
        raise ServiceError(_("This evaluation has already been decided."), "password")
    if extension.proposed_by_id is not None and extension.proposed_by_id == getattr(actor, "id", None):
        raise ServiceError(_("The person who proposed the evaluation cannot also approve it."), "password")
    if not approve and not (note or "").strip():
        raise ServiceError(_("Give the reason for declining."), "note")

    def write():
        audit.record("contract_extension.signature_refused", extension, new={"by": actor.username}, actor=actor)

    auth.confirm_password(actor, password, _("The password is not correct; nothing was signed."), write)
    extension.status = APPROVED if approve else DECLINED
    extension.decided_by_id, extension.decided_name = actor.id, actor.full_name
    extension.decided_position, extension.decided_at = actor.position or "", utcnow()
    extension.decision_note = (note or "").strip()[:2000]
    new_contract = None
    if approve and extension.recommendation == EXTEND:
        new_contract = extend_contract(extension.contract, {"kind": extension.kind, "ends_on": extension.ends_on,
                                                            "number": extension.number,
                                                            "evaluation": extension.evaluation}, actor)
        extension.new_contract_id = new_contract.id
    db.session.flush()
    audit.record("contract_extension.approved" if approve else "contract_extension.declined", extension,
                 new={"recommendation": extension.recommendation, "signed_by": actor.full_name,
                      "new_contract_id": extension.new_contract_id}, reason=extension.decision_note, actor=actor)
    return new_contract


def upload_contract_document(contract, data: bytes, filename: str, actor):
    """Keep the signed contract: PDF, JPEG or PNG only (by content), at most 5 MB; a replaced file is deleted after
    the commit."""
    import hashlib
    import secrets as _secrets
    from pathlib import Path

    from flask import current_app

    from portal.core import files
    from portal.people import recruitment

    if not data:
        raise ServiceError(_("Choose the file to upload."), "file")
    if len(data) > recruitment.MAX_UPLOAD:
        raise ServiceError(_("The file is larger than 5 MB."), "file")
    sniffed = recruitment.sniff(data)
    if sniffed is None:
        raise ServiceError(_("Only PDF, JPEG or PNG files are accepted."), "file")
    ext, mime = sniffed
    name = f"{_secrets.token_hex(16)}.{ext}"
    root = Path(current_app.config["DOCUMENTS_FOLDER"])
    files.write_atomic(root / "contracts", name, data)  # removed again if this request rolls back
    stored = f"contracts/{name}"
    old_path, old_sha = contract.file_path, contract.file_sha256
    contract.file_name = Path(filename or f"kontrak.{ext}").name[:255]
    contract.file_path, contract.file_mime = stored, mime
    contract.file_sha256 = hashlib.sha256(data).hexdigest()
    db.session.flush()
    if old_path:
        files.remove_after_commit(root / old_path)  # the replaced file goes once this change is committed
    audit.record("staff_contract.document_uploaded", contract,
                 old={"sha256": old_sha} if old_sha else None,
                 new={"staff": contract.staff_id, "file": contract.file_name, "sha256": contract.file_sha256,
                      "size": len(data)}, actor=actor)
    return contract


def contract_document_viewed(contract, actor) -> None:
    audit.record("staff_contract.document_viewed", contract, new={"staff": contract.staff_id, "sha256": contract.file_sha256},
                 actor=actor)
