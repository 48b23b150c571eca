"""Staff at scale: thousands of people in teams at every site, with their contracts and one past team each, inserted
in bulk (no audit events: this is load for measuring pages, not history)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_people(app, n: int, teams_per_site: int = 6, seed: int = 10) -> None:
    """Add n staff (numbers B0000001...), spread over new teams at every site, each with a past and a current team
    and a probation then a fixed-term contract."""
    from portal.auth.models import Service, Site
    from portal.people.models import Position, Staff, StaffContract, Team, TeamMembership, staff_service

    rng = random.Random(seed)
    with app.app_context():
        sites = list(db.session.scalars(select(Site.id)))
        services = list(db.session.scalars(select(Service.id)))
        positions = {p.code: p.id for p in db.session.scalars(select(Position))}
        agent = positions.get("AGENT") or next(iter(positions.values()))
        now = date(2026, 11, 30)
        team_rows = [{"name": f"Bench {s}-{k}", "site_id": s, "service_id": services[k % len(services)], "active": True}
                     for s in sites for k in range(teams_per_site)]
        db.session.execute(insert(Team), team_rows)
        teams = db.session.execute(select(Team.id, Team.site_id, Team.service_id).where(Team.name.like("Bench %"))).all()
        staff_rows = []
        for i in range(n):
            team = teams[i % len(teams)]
            staff_rows.append({"employee_number": f"B{i:07d}", "full_name": f"Bench Karyawan {i}", "position_id": agent,
                               "site_id": team.site_id, "hire_date": now - timedelta(days=400 + rng.randint(0, 900)),
                               "status": "active", "education": "D3", "identity_number": "", "phone": "", "address": ""})
        db.session.execute(insert(Staff), staff_rows)
        ids = db.session.execute(select(Staff.id, Staff.employee_number, Staff.hire_date, Staff.site_id)
                                 .where(Staff.employee_number.like("B%"))).all()
        members, contracts, links = [], [], []
        for k, row in enumerate(ids):
            first, second = teams[k % len(teams)], teams[(k + 1) % len(teams)]
            if second.site_id != row.site_id:
                second = first
            moved = row.hire_date + timedelta(days=200)
            members.append({"staff_id": row.id, "team_id": first.id, "starts_on": row.hire_date,
                            "ends_on": moved - timedelta(days=1), "reason": ""})
            members.append({"staff_id": row.id, "team_id": second.id, "starts_on": moved, "ends_on": None, "reason": ""})
            probation_end = row.hire_date + timedelta(days=89)
            contracts.append({"staff_id": row.id, "number": f"B/{k}/1", "kind": "probation", "starts_on": row.hire_date,
                              "ends_on": probation_end, "position_id": agent, "site_id": row.site_id, "evaluation": ""})
            contracts.append({"staff_id": row.id, "number": f"B/{k}/2", "kind": "pkwt",
                              "starts_on": probation_end + timedelta(days=1),
                              "ends_on": now + timedelta(days=rng.randint(1, 400)), "position_id": agent,
                              "site_id": row.site_id, "evaluation": "bench"})
            links.append({"staff_id": row.id, "service_id": first.service_id})
        db.session.execute(insert(TeamMembership), members)
        db.session.execute(insert(StaffContract), contracts)
        db.session.execute(insert(staff_service), links)
        db.session.commit()
        db.session.remove()
