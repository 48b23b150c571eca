"""The training matrix: people × required items, each current / due soon / overdue / missing with its expiry,
and the competence gate read from it.

Required items of a person: the courses required for their position or services; the SOP refresher of every SOP
in force for their services whose effective revision the document controller marked as needing training (passed
on or after the revision became effective); and the acknowledgement of those SOPs' revisions in force (for people
who sign in). Everything is loaded in a fixed number of statements for the people asked, never per person."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.documents.models import EFFECTIVE, Acknowledgement, Document, Revision
from portal.extensions import db
from portal.people.models import Staff
from portal.training.models import (CURRENT, DUE_SOON, DUE_SOON_DAYS, INITIAL, MISSING, OVERDUE, Attendee, Course,
                                    GateOverride, RevisionTraining, TrainingSession)
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


def _marked_sops() -> list[tuple[Revision, Document, RevisionTraining | None]]:
    """The SOPs in force that a course teaches (by code), with the training mark of their effective revision."""
    codes = [c for c in db.session.scalars(select(Course.sop_code).where(Course.sop_code != "", Course.active.is_(True)).distinct())]
    if not codes:
        return []
    rows = db.session.execute(
        select(Revision, Document, RevisionTraining)
        .join(Document, Document.id == Revision.document_id)
        .outerjoin(RevisionTraining, RevisionTraining.revision_id == Revision.id)
        .options(selectinload(Document.services))
        .where(Revision.status == EFFECTIVE, Document.code_key.in_([c.upper() for c in codes]),
               Document.withdrawn_at.is_(None))).all()
    return [(r, d, m) for r, d, m in rows]


def compute(people: list[Staff], today: date) -> tuple[list[Column], list[Row]]:
    """The matrix for these people (their services and memberships loaded by the caller)."""
    courses = list(db.session.scalars(select(Course).where(Course.active.is_(True))
                                      .options(selectinload(Course.positions), selectinload(Course.services))
                                      .order_by(Course.kind, Course.code)))
    sops = _marked_sops()
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
        rev_ids = [r.id for r, _d, _m in sops]
        if user_ids and rev_ids:
            acks = set(db.session.execute(select(Acknowledgement.revision_id, Acknowledgement.user_id)
                                          .where(Acknowledgement.revision_id.in_(rev_ids),
                                                 Acknowledgement.user_id.in_(user_ids))).tuples())
        overrides = set(db.session.scalars(select(GateOverride.staff_id).where(
            GateOverride.staff_id.in_(ids), (GateOverride.until.is_(None)) | (GateOverride.until >= today))))

    columns: dict[str, Column] = {}
    rows = []
    for person in people:
        row = Row(person, overridden=person.id in overrides)
        service_ids = {s.id for s in person.services}
        # course -> the day a pass must be on or after (None: any pass)
        required: dict[int, date | None] = {}
        for course in courses:
            pos = {p.id for p in course.positions}
            svc = {s.id for s in course.services}
            if not pos and not svc:
                continue
            if (not pos or person.position_id in pos) and (not svc or service_ids & svc):
                required[course.id] = None
        ack_items = []
        for revision, document, mark in sops:
            doc_services = {s.id for s in document.services}
            if doc_services and not (doc_services & service_ids):
                continue
            if mark is not None:
                since = revision.effective_date or (revision.effective_since.date() if revision.effective_since else None)
                before = required.get(mark.course_id)
                required[mark.course_id] = max(d for d in (since, before) if d) if (since or before) else None
            if person.user_id:
                ack_items.append((revision, document))
        for course in courses:
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
        for revision, document in ack_items:
            key = f"ACK:{document.code}"
            done = (revision.id, person.user_id) in acks
            row.cells[key] = Cell(CURRENT if done else MISSING)
            columns.setdefault(key, Column(key, f"{document.code} Rev. {revision.number}", "ack"))
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


