"""Factories of the people module: positions, teams, staff with a team and a contract; **overrides for what a test
cares about."""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.people.models import PKWT, Position, Staff, StaffContract, Team, TeamMembership

_seq = itertools.count(1)


def make_position(code: str = "AGENT", name: str | None = None, role: str = "agent") -> Position:
    """The position with this code, created when missing."""
    position = db.session.scalar(select(Position).where(Position.code == code))
    if position is None:
        position = Position(code=code, name=name or code.title(), role=role)
        db.session.add(position)
        db.session.flush()
    return position


def make_team(site=None, service=None, leader: Staff | None = None, **overrides) -> Team:
    from tests.factories import make_service, make_site

    n = next(_seq)
    site = site or make_site()
    team = Team(name=overrides.pop("name", f"Tim {n}"), site_id=site.id, service_id=(service or make_service()).id,
                leader_id=leader.id if leader else None, **overrides)
    db.session.add(team)
    db.session.flush()
    return team


def make_staff(site=None, team: Team | None = None, user=None, position: str = "AGENT", with_contract: bool = False,
               since: date = date(2025, 1, 6), contract_end: date = date(2026, 12, 31), **overrides) -> Staff:
    from tests.factories import make_site

    n = next(_seq)
    site = site or (team.site if team else None) or make_site()
    staff = Staff(employee_number=overrides.pop("employee_number", f"T{n:06d}"),
                  full_name=overrides.pop("full_name", f"Karyawan {n}"), position_id=make_position(position).id,
                  site_id=site.id, hire_date=overrides.pop("hire_date", since), user_id=user.id if user else None,
                  **overrides)
    db.session.add(staff)
    db.session.flush()
    if team is not None:
        db.session.add(TeamMembership(staff_id=staff.id, team_id=team.id, starts_on=staff.hire_date))
    if with_contract:
        db.session.add(StaffContract(staff_id=staff.id, kind=PKWT, starts_on=staff.hire_date, ends_on=contract_end,
                                     position_id=staff.position_id, site_id=site.id, number=f"PKWT/{n}"))
    db.session.flush()
    db.session.expire(staff)
    return staff


def make_candidate(site=None, position: str = "AGENT", hire_on: date = date(2026, 12, 1), with_document: bool = True, **overrides):
    """An opening (hiring on hire_on) with one candidate; with_document: a CV (a small PDF) in the documents store."""
    from tests.factories import make_site
    from portal.people import recruitment
    from portal.people.models import Candidate, Opening

    site = site or make_site()
    opening = Opening(title=f"Lowongan {next(_seq)}", position_id=make_position(position).id, site_id=site.id, hire_on=hire_on)
    db.session.add(opening)
    db.session.flush()
    candidate = Candidate(opening_id=opening.id, full_name=overrides.pop("full_name", "Calon Agent"), **overrides)
    db.session.add(candidate)
    db.session.flush()
    document = None
    if with_document:
        document = recruitment.upload_document(candidate, "cv", b"%PDF-1.4\n% test\n%%EOF\n", "cv.pdf", None, None)
    return candidate, document
