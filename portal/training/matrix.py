"""The training matrix: people × required items, each current / due soon / overdue / missing with its expiry,
and the competence gate read from it.

Required items of a person: the courses required for their position or services; the SOP refresher of every SOP
in force for their services whose effective revision the document controller marked as needing training (passed
on or after the revision became effective); and the acknowledgement of those SOPs' revisions in force (for people
who sign in). Everything is loaded in a fixed number of statements for the people asked, never per person."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, literal, select

from portal.documents.models import EFFECTIVE, Acknowledgement, Document, Revision, document_service
from portal.extensions import db
from portal.people.models import Staff
from portal.training.models import (CURRENT, DUE_SOON, DUE_SOON_DAYS, INITIAL, MISSING, OVERDUE, Attendee, Course,
                                    GateOverride, RevisionTraining, TrainingSession, course_position,
                                    course_service)
from portal.training.services import valid_until

STATUS_ORDER = [CURRENT, DUE_SOON, OVERDUE, MISSING]


@dataclass
class Column:
    key: str  # the course code, or "ACK:<document code>"
    label: str
    kind: str  # "course" | "ack"
    course_kind: str = ""
    course_id: int | None = None


@dataclass
class Cell:
    status: str
    valid_until: date | None = None
    passed_on: date | None = None
    note: str = ""


@dataclass
class Row:
    staff: Staff
    cells: dict[str, Cell] = field(default_factory=dict)
    gate: list[str] = field(default_factory=list)  # the keys that block the person (initial training, acknowledgement)
    overridden: bool = False

    @property
    def flagged(self) -> bool:
        return bool(self.gate) and not self.overridden


def status_for(last_pass: date | None, validity_months: int | None, today: date, failed_since: bool) -> Cell:
    """The cell of one course: the latest pass and its expiry; a failed attempt without a pass is overdue."""
    if last_pass is None:
        return Cell(OVERDUE if failed_since else MISSING)
    until = valid_until(last_pass, validity_months)
    if until is None:
        return Cell(CURRENT, None, last_pass)
    if today > until:
        return Cell(OVERDUE, until, last_pass)
    if today >= until - timedelta(days=DUE_SOON_DAYS):
        return Cell(DUE_SOON, until, last_pass)
    return Cell(CURRENT, until, last_pass)


@dataclass
class Sop:
    """An SOP in force that a course teaches: its effective revision, services and training mark."""
    revision_id: int
    number: str
    since: date | None
    code: str
    services: set[int] = field(default_factory=set)
    course_id: int | None = None  # the course its revision was marked as needing


def _courses() -> list[tuple[Course, set[int], set[int]]]:
    """The active courses with the positions and services they are required for (one statement)."""
    found: dict[int, tuple[Course, set[int], set[int]]] = {}
    for course, position_id, service_id in db.session.execute(
            select(Course, course_position.c.position_id, course_service.c.service_id)
            .outerjoin(course_position, course_position.c.course_id == Course.id)
            .outerjoin(course_service, course_service.c.course_id == Course.id)
            .where(Course.active.is_(True)).order_by(Course.kind, Course.code)):
        entry = found.setdefault(course.id, (course, set(), set()))
        if position_id:
            entry[1].add(position_id)
        if service_id:
            entry[2].add(service_id)
    return list(found.values())


def _sops() -> list[Sop]:
    """The SOPs in force that an active course teaches (by code), with their services and mark (one statement)."""
    taught = select(func.upper(Course.sop_code)).where(Course.sop_code != "", Course.active.is_(True))
    found: dict[int, Sop] = {}
    for rev_id, number, eff_date, eff_since, code, service_id, course_id in db.session.execute(
            select(Revision.id, Revision.number, Revision.effective_date, Revision.effective_since, Document.code,
                   document_service.c.service_id, RevisionTraining.course_id)
            .join(Document, Document.id == Revision.document_id)
            .outerjoin(document_service, document_service.c.document_id == Document.id)
            .outerjoin(RevisionTraining, RevisionTraining.revision_id == Revision.id)
            .where(Revision.status == EFFECTIVE, Document.code_key.in_(taught), Document.withdrawn_at.is_(None))):
        sop = found.setdefault(rev_id, Sop(rev_id, number, eff_date or (eff_since.date() if eff_since else None), code,
                                           course_id=course_id))
        if service_id:
            sop.services.add(service_id)
    return sorted(found.values(), key=lambda x: x.code)


def compute(people: list[Staff], today: date) -> tuple[list[Column], list[Row]]:
    """The matrix for these people (their services and memberships loaded by the caller): four statements."""
    courses = _courses()
    sops = _sops()
    ids = [p.id for p in people]
    passes: dict[tuple[int, int], list[tuple[date, bool]]] = {}
    acks: set[tuple[int, int]] = set()
    overrides: set[int] = set()
    if ids:
        for staff_id, course_id, held_on, passed in db.session.execute(
                select(Attendee.staff_id, TrainingSession.course_id, TrainingSession.held_on, Attendee.passed)
                .join(TrainingSession, TrainingSession.id == Attendee.session_id)
                .where(Attendee.staff_id.in_(ids), TrainingSession.signed_at.is_not(None), Attendee.passed.is_not(None))):
            passes.setdefault((staff_id, course_id), []).append((held_on, passed))
        user_ids = [p.user_id for p in people if p.user_id]
        rev_ids = [x.revision_id for x in sops]
        # Acknowledgements and gate overrides in one statement.
        stmt = select(literal("o"), GateOverride.staff_id, literal(0)).where(
            GateOverride.staff_id.in_(ids), (GateOverride.until.is_(None)) | (GateOverride.until >= today))
        if user_ids and rev_ids:
            stmt = stmt.union_all(select(literal("a"), Acknowledgement.revision_id, Acknowledgement.user_id).where(
                Acknowledgement.revision_id.in_(rev_ids), Acknowledgement.user_id.in_(user_ids)))
        for tag, a, b in db.session.execute(stmt):
            if tag == "a":
                acks.add((a, b))
            else:
                overrides.add(a)
    columns: dict[str, Column] = {}
    rows = []
    for person in people:
        row = Row(person, overridden=person.id in overrides)
        service_ids = {s.id for s in person.services}
        # course -> the day a pass must be on or after (None: any pass)
        required: dict[int, date | None] = {}
        for course, pos, svc in courses:
            if not pos and not svc:
                continue
            if (not pos or person.position_id in pos) and (not svc or service_ids & svc):
                required[course.id] = None
        ack_items = []
        for sop in sops:
            if sop.services and not (sop.services & service_ids):
                continue
            if sop.course_id is not None:
                before = required.get(sop.course_id)
                required[sop.course_id] = max(d for d in (sop.since, before) if d) if (sop.since or before) else None
            if person.user_id:
                ack_items.append(sop)
        for course, _pos, _svc in courses:
            if course.id not in required:
                continue
            since = required[course.id]
            attempts = [(d, ok) for d, ok in passes.get((person.id, course.id), []) if since is None or d >= since]
            last_pass = max((d for d, ok in attempts if ok), default=None)
            failed = any(not ok for d, ok in attempts)
            cell = status_for(last_pass, course.validity_months, today, failed)
            if since is not None and cell.status == MISSING:
                cell.note = since.isoformat()
            row.cells[course.code] = cell
            columns.setdefault(course.code, Column(course.code, course.name, "course", course.kind, course.id))
            if course.kind == INITIAL and cell.status in (OVERDUE, MISSING):
                row.gate.append(course.code)
        for sop in ack_items:
            key = f"ACK:{sop.code}"
            done = (sop.revision_id, person.user_id) in acks
            row.cells[key] = Cell(CURRENT if done else MISSING)
            columns.setdefault(key, Column(key, f"{sop.code} Rev. {sop.number}", "ack"))
            if not done:
                row.gate.append(key)
        if person.position.role != "agent":
            row.gate = []  # the gate concerns agents (scheduled and tapped); others only see their matrix
        rows.append(row)
    ordered = sorted(columns.values(), key=lambda c: (c.kind != "course", c.course_kind != INITIAL, c.key))

    return ordered, rows


def counts(rows: list[Row]) -> dict[str, int]:
    out = {s: 0 for s in STATUS_ORDER}
    for row in rows:
        for cell in row.cells.values():
            out[cell.status] += 1
    return out




def gate_count(scope, today: date) -> int:
    """How many agents of a scope the gate flags (one statement)."""
    return db.session.scalar(gate_count_query(scope, today)) or 0


def flagged_ids(scope, today: date) -> set[int]:
    """The ids of the agents of a scope (a clause on Staff) the gate flags (one statement; the roster warns)."""
    return set(db.session.scalars(flagged_query(scope, today)))


def flagged_query(scope, today: date):
    """The SELECT of the ids of the agents of a scope the gate flags (to use as a subquery)."""
    return gate_count_query(scope, today, column=Staff.id)


def gate_count_query(scope, today: date, column=None):
    """The count of the agents of a scope (a clause on Staff, None: everyone) the gate flags, as a statement: how many agents of a scope (a clause on Staff, None: everyone) the gate flags, in one statement: an initial
    course required for their position (and services) never passed, or an SOP in force taught by a course not
    acknowledged, with no override in force."""
    from sqlalchemy import exists, or_

    from portal.documents.models import EFFECTIVE
    from portal.people.models import ENDED, Position, staff_service as ss

    # SQLAlchemy correlates a subquery to the SELECT right around it only: a test two levels below the agent's row
    # names the agent (Staff) and its parent's table explicitly, or it would read a table of its own ("anybody passed").
    passed = exists().where(Attendee.staff_id == Staff.id, Attendee.passed.is_(True), TrainingSession.id == Attendee.session_id,
                            TrainingSession.course_id == Course.id, TrainingSession.signed_at.is_not(None)).correlate(Staff, Course)
    course_services_ok = or_(~exists().where(course_service.c.course_id == Course.id),
                             exists().where(course_service.c.course_id == Course.id, ss.c.staff_id == Staff.id,
                                            ss.c.service_id == course_service.c.service_id).correlate(Staff, Course))
    initial_missing = exists().where(Course.kind == INITIAL, Course.active.is_(True), course_position.c.course_id == Course.id,
                                     course_position.c.position_id == Staff.position_id, course_services_ok, ~passed)
    taught = select(func.upper(Course.sop_code)).where(Course.sop_code != "", Course.active.is_(True)).scalar_subquery()
    doc_services_ok = or_(~exists().where(document_service.c.document_id == Document.id),
                          exists().where(document_service.c.document_id == Document.id, ss.c.staff_id == Staff.id,
                                         ss.c.service_id == document_service.c.service_id).correlate(Staff, Document))
    # From the few documents courses teach (code_key index) to their revision in force: on the status index SQLite
    # walked every revision in force of the register for each agent who had acknowledged them all (`|| ''` keeps the
    # status test off that index).
    ack_missing = exists().where((Revision.status + "") == EFFECTIVE, Document.id == Revision.document_id,
                                 Document.withdrawn_at.is_(None), Document.code_key.in_(taught), doc_services_ok,
                                 ~exists().where(Acknowledgement.revision_id == Revision.id,
                                                 Acknowledgement.user_id == Staff.user_id).correlate(Staff, Revision))
    overridden = exists().where(GateOverride.staff_id == Staff.id, or_(GateOverride.until.is_(None), GateOverride.until >= today))
    stmt = (select(func.count(Staff.id) if column is None else column).where(
        Staff.status != ENDED, Staff.position_id.in_(select(Position.id).where(Position.role == "agent")), ~overridden,
        or_(initial_missing, Staff.user_id.is_not(None) & ack_missing)))
    if scope is not None:
        stmt = stmt.where(scope)
    return stmt
