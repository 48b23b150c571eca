"""Training: courses, sessions, the attendance and score grid, the trainer's signature and amendments.

Services mutate, flush and write their audit event; they never commit."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core import audit
from portal.core.db import utcnow
from portal.core.service import ServiceError
from portal.extensions import db
from portal.people.models import ENDED, Position, Staff
from portal.auth.models import Service
from portal.training.models import COURSE_KINDS, INITIAL, Attendee, Course, TrainingSession


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(held_on: date, validity_months: int | None) -> date | None:
    """The last day a pass of a session held on `held_on` is valid (None: it does not expire)."""
    if not validity_months:
        return None
    return add_months(held_on, validity_months) - timedelta(days=1)


def result_of(attended: bool | None, score: Decimal | None, pass_mark: Decimal) -> bool | None:
    """Pass or fail from the pass mark: absent fails; no score yet is no result."""
    if attended is False:
        return False
    if attended is None or score is None:
        return None
    return score >= pass_mark


# ---------------------------------------------------------------- courses
def save_course(course: Course | None, data: dict, actor) -> Course:
    code = (data.get("code") or "").strip().upper()
    name = (data.get("name") or "").strip()
    if not code:
        raise ServiceError(_("Enter the course code."), "code")
    if not name:
        raise ServiceError(_("Enter the course name."), "name")
    if data.get("kind") not in COURSE_KINDS:
        raise ServiceError(_("Choose the kind of course."), "kind")
    mark = data.get("pass_mark")
    if mark is None or not (0 <= Decimal(mark) <= 100):
        raise ServiceError(_("The pass mark is a number from 0 to 100."), "pass_mark")
    validity = data.get("validity_months") or None
    if validity is not None and validity < 1:
        raise ServiceError(_("The validity is at least one month (leave it empty when a pass never expires)."), "validity_months")
    clash = db.session.scalar(select(Course.id).where(Course.code == code))
    if clash is not None and (course is None or clash != course.id):
        raise ServiceError(_("Another course has this code."), "code")
    creating = course is None
    if creating:
        course = Course(code=code)
        db.session.add(course)
    old = {} if creating else {"code": course.code, "name": course.name, "kind": course.kind,
                               "validity_months": course.validity_months, "pass_mark": course.pass_mark,
                               "sop_code": course.sop_code}
    course.code, course.name, course.kind = code, name, data["kind"]
    course.validity_months, course.pass_mark = validity, Decimal(mark)
    course.sop_code = (data.get("sop_code") or "").strip().upper()
    course.active = data.get("active", True)
    course.positions = list(db.session.scalars(select(Position).where(Position.id.in_(data.get("position_ids") or []))))
    course.services = list(db.session.scalars(select(Service).where(Service.id.in_(data.get("service_ids") or []))))
    db.session.flush()
    new = {"code": course.code, "name": course.name, "kind": course.kind, "validity_months": course.validity_months,
           "pass_mark": course.pass_mark, "sop_code": course.sop_code,
           "positions": [p.code for p in course.positions], "services": [s.code for s in course.services]}
    audit.record("training_course.created" if creating else "training_course.updated", course, old=old, new=new, actor=actor)
    return course


# ---------------------------------------------------------------- sessions
def _hhmm(value: str, field: str) -> str:
    value = (value or "").strip()
    try:
        h, m = value.split(":")
        if not (0 <= int(h) < 24 and 0 <= int(m) < 60) or len(m) != 2:
            raise ValueError
    except ValueError:
        raise ServiceError(_("Enter a time as HH:MM."), field) from None
    return f"{int(h):02d}:{m}"


def create_session(data: dict, actor) -> TrainingSession:
    course = db.session.get(Course, data.get("course_id") or 0)
    if course is None or not course.active:
        raise ServiceError(_("Choose the course."), "course_id")
    if not data.get("held_on"):
        raise ServiceError(_("Enter the date."), "held_on")
    starts, ends = _hhmm(data.get("starts_at", ""), "starts_at"), _hhmm(data.get("ends_at", ""), "ends_at")
    if ends <= starts:
        raise ServiceError(_("The session ends after it starts."), "ends_at")
    session = TrainingSession(course_id=course.id, trainer_id=data.get("trainer_id") or actor.id, held_on=data["held_on"],
                              starts_at=starts, ends_at=ends, place=(data.get("place") or "").strip()[:160],
                              site_id=data.get("site_id") or getattr(actor, "site_id", None),
                              remarks=(data.get("remarks") or "").strip())
    db.session.add(session)
    db.session.flush()
    audit.record("training_session.created", session, new={"course": course.code, "held_on": session.held_on,
                                                            "place": session.place}, actor=actor)
    return session


def _unlocked(session: TrainingSession, field: str = "form") -> None:
    if session.locked:
        raise ServiceError(_("The result is signed and locked; amend it with a reason first."), field)


def add_attendees(session: TrainingSession, staff_ids: list[int], actor) -> list[Attendee]:
    _unlocked(session)
    have = {a.staff_id for a in session.attendees}
    people = db.session.scalars(select(Staff).where(Staff.id.in_([i for i in staff_ids if i not in have]),
                                                    Staff.status != ENDED).order_by(Staff.employee_number)).all()
    if not people and not staff_ids:
        raise ServiceError(_("Choose at least one person."), "staff_ids")
    added = []
    for person in people:
        row = Attendee(session_id=session.id, staff_id=person.id)
        session.attendees.append(row)
        added.append(row)
    db.session.flush()
    if added:
        audit.record("training_session.attendees_added", session,
                     new={"attendees": [a.staff.employee_number for a in added]}, actor=actor)
    return added


def remove_attendee(attendee: Attendee, actor) -> None:
    session = attendee.session
    _unlocked(session)
    number = attendee.staff.employee_number
    session.attendees.remove(attendee)
    db.session.flush()
    audit.record("training_session.attendee_removed", session, old={"attendee": number}, actor=actor)


def set_cell(attendee: Attendee, field: str, value: str, actor) -> Attendee:
    """One cell of the grid: attendance (yes/no/empty), score (0-100 or empty) or remarks; the result follows."""
    session = attendee.session
    _unlocked(session, field)
    old = {field: getattr(attendee, field)}
    if field == "attended":
        attendee.attended = {"yes": True, "no": False}.get(value)
        if attendee.attended is False:
            attendee.score = None
    elif field == "score":
        value = (value or "").strip().replace(",", ".")
        if value == "":
            attendee.score = None
        else:
            try:
                score = Decimal(value)
            except InvalidOperation:
                raise ServiceError(_("The score is a number from 0 to 100."), "score") from None
            if not score.is_finite() or not (0 <= score <= 100):
                raise ServiceError(_("The score is a number from 0 to 100."), "score")
            if attendee.attended is False:
                raise ServiceError(_("An absent person has no score."), "score")
            attendee.score = score.quantize(Decimal("0.01"))
            if attendee.attended is None:
                attendee.attended = True
    elif field == "remarks":
        attendee.remarks = (value or "").strip()[:300]
    else:
        raise ServiceError(_("Unknown field."), "form")
    attendee.passed = result_of(attendee.attended, attendee.score, session.course.pass_mark)
    db.session.flush()
    audit.record("training_attendee.updated", session, old=old,
                 new={field: getattr(attendee, field), "attendee": attendee.staff.employee_number,
                      "passed": attendee.passed}, actor=actor)
    return attendee


def sign_session(session: TrainingSession, password: str, actor) -> None:
    """The trainer signs the result with their password; it is then locked."""
    from portal.auth import services as auth

    _unlocked(session, "password")
    if session.trainer_id is not None and session.trainer_id != actor.id:
        raise ServiceError(_("Only the session's trainer signs its result."), "password")
    if not session.attendees:
        raise ServiceError(_("There is nobody on the list to sign for."), "password")
    open_rows = [a for a in session.attendees if a.passed is None]
    if open_rows:
        raise ServiceError(_("Record the attendance and the score of everyone first (%(n)d open).", n=len(open_rows)), "password")

    def write():
        audit.record("training_session.signature_refused", session, new={"by": actor.username}, actor=actor)

    auth.confirm_password(actor, password, _("The password is not correct; nothing was signed."), write)
    session.signed_at, session.signed_by_id, session.signed_name = utcnow(), actor.id, actor.full_name
    db.session.flush()
    audit.record("training_session.signed", session, new={
        "version": session.version, "passed": sum(1 for a in session.attendees if a.passed),
        "failed": sum(1 for a in session.attendees if a.passed is False), "signed_by": actor.full_name}, actor=actor)


def amend_session(session: TrainingSession, reason: str, actor) -> None:
    """Reopen a signed result for a correction (a new version, signed again), with the reason."""
    if not session.locked:
        raise ServiceError(_("The result is not signed yet; correct it directly."), "reason")
    if not (reason or "").strip():
        raise ServiceError(_("Give the reason for the amendment."), "reason")
    old = {"version": session.version, "signed_by": session.signed_name, "signed_at": session.signed_at}
    session.signed_at, session.signed_by_id, session.signed_name = None, None, ""
    session.version += 1
    db.session.flush()
    audit.record("training_session.amended", session, old=old, new={"version": session.version},
                 reason=reason.strip(), actor=actor)


def courses(active_only: bool = False) -> list[Course]:
    stmt = select(Course).order_by(Course.kind, Course.code)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    return list(db.session.scalars(stmt))


def initial_course_for(staff: Staff) -> Course | None:
    """The initial course required for the person's position (the first by code)."""
    from portal.training.models import course_position

    return db.session.scalar(select(Course).join(course_position, course_position.c.course_id == Course.id)
                             .where(course_position.c.position_id == staff.position_id, Course.kind == INITIAL,
                                    Course.active.is_(True)).order_by(Course.code).limit(1))
