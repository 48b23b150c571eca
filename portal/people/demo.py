"""Demo data of the people module: the positions of MNOP-01 §2.1, about 40 staff in 4 teams at Malang and Semarang
(the demo users among them: `tl` leads the team that includes `agent`), contracts (some ending within 30 days) and
one dated move, so the team history has something to show."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, select

from portal.auth.models import Service, Site, User
from portal.core.i18n import local_today
from portal.extensions import db
from portal.people import services
from portal.people.models import PERMANENT, PKWT, PROBATION, Position, Staff, Team, TeamMembership
from portal.people.seed import seed_positions

FIRST = ["Ayu", "Bagus", "Citra", "Dimas", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lukman",
         "Maya", "Nanda", "Oki", "Putri", "Rizky", "Sari", "Taufik", "Utami", "Vina", "Wahyu", "Yoga", "Zahra",
         "Anisa", "Bayu", "Dewanti", "Erlangga", "Fitri", "Galih", "Hesti", "Irfan"]
LAST = ["Pratama", "Saputra", "Wulandari", "Hidayat", "Kurniawan", "Rahmawati", "Setiawan", "Permata", "Nugroho",
        "Lestari", "Santoso", "Maharani", "Firmansyah", "Puspita", "Wijaya", "Anggraini"]

# team name, site code, service code, leader (a demo user name, or a name for a TL who has no account)
TEAMS = [
    ("MLG 147-A", "MLG", "147", "tl"),
    ("MLG CT0-A", "MLG", "TAM-CT0", "Yudi Prasetyo"),
    ("SMG WiFi-A", "SMG", "TAM-WIFI", "Ratna Sari Dewi"),
    ("SMG AddOn-A", "SMG", "TAM-ADDON", "Heru Cahyono"),
]
# demo user name -> position code (staff who sign in)
ACCOUNTS = {"tl": "TL", "agent": "AGENT", "spv": "SPV-OPS", "qco": "QCO", "qa": "QA", "trainer": "TRAINER",
            "manager": "MGR-OPS", "hr": "HR"}
AGENTS_PER_TEAM = 8


def load() -> list[str]:
    out = seed_positions()
    if db.session.scalar(select(Staff.id).limit(1)) is not None:
        return out
    today = local_today()
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    sites = {s.code: s for s in db.session.scalars(select(Site))}
    svcs = {s.code: s for s in db.session.scalars(select(Service))}
    users = {u.username: u for u in db.session.scalars(select(User))}
    hr = users.get("hr")
    counter = iter(range(1, 1000))

    def number() -> str:
        return f"1509{next(counter):03d}"

    def person(name, position, site, service_codes, hired, user=None, team=None, contract_end=None, kind=PKWT,
               birth=None) -> Staff:
        staff = services.save_staff(None, {
            "employee_number": number(), "full_name": name, "position_id": positions[position].id, "site_id": site.id,
            "service_ids": [svcs[c].id for c in service_codes if c in svcs], "hire_date": hired,
            "team_id": team.id if team else None, "education": "D3" if position == "AGENT" else "S1",
            "user_id": user.id if user else None, "birth_date": birth or date(hired.year - 24, 5, 17),
            "phone": "0812-3456-" + f"{next(counter):04d}", "address": f"Jl. Merdeka No. {next(counter)}, {site.name}"}, hr)
        if kind == PERMANENT:
            services.add_contract(staff, {"kind": PERMANENT, "starts_on": hired, "number": f"PKWTT/{staff.employee_number}"}, hr)
        else:
            # A probation of 3 months, then fixed-term contracts of a year until the one running today.
            first_end = hired + timedelta(days=89)
            contract = services.add_contract(staff, {"kind": PROBATION, "starts_on": hired, "ends_on": first_end,
                                                     "number": f"PKWT/{staff.employee_number}/1"}, hr)
            n = 1
            while contract.ends_on < today:
                n += 1
                end = contract.ends_on + timedelta(days=365)
                if contract_end is not None and end >= contract_end:
                    end = contract_end
                contract = services.extend_contract(contract, {
                    "kind": PKWT, "ends_on": end, "number": f"PKWT/{staff.employee_number}/{n}",
                    "evaluation": "Kinerja dan kehadiran memenuhi target; direkomendasikan untuk diperpanjang."}, hr)
        return staff

    made = 0
    for i, (team_name, site_code, service_code, leader) in enumerate(TEAMS):
        site = sites[site_code]
        team = services.save_team(None, {"name": team_name, "site_id": site.id, "service_id": svcs[service_code].id}, hr)
        if leader in users:
            user = users[leader]
            lead = person(user.full_name, ACCOUNTS[leader], site, [s.code for s in user.services] or [service_code],
                          today - timedelta(days=900), user=user, team=team, kind=PERMANENT)
        else:
            lead = person(leader, "TL", site, [service_code], today - timedelta(days=1100), team=team, kind=PERMANENT)
        services.save_team(team, {"name": team.name, "site_id": site.id, "service_id": team.service_id,
                                  "leader_id": lead.id, "active": True}, hr)
        made += 1
        for k in range(AGENTS_PER_TEAM):
            user = users.get("agent") if i == 0 and k == 0 else None
            name = user.full_name if user else f"{FIRST[(i * AGENTS_PER_TEAM + k) % len(FIRST)]} {LAST[(i * 3 + k) % len(LAST)]}"
            hired = today - timedelta(days=200 + 97 * k + 31 * i)
            # Two agents of every team have their contract ending within 30 days (the home page counts them).
            ending = today + timedelta(days=6 + 9 * k) if k in (1, 2) else None
            person(name, "AGENT", site, [service_code], hired, user=user, team=team, contract_end=ending)
            made += 1
    # One agent moved from the CT-0 team to 147 three months ago: the history of both teams shows it.
    moved = db.session.scalar(
        select(Staff).join(TeamMembership, and_(TeamMembership.staff_id == Staff.id, TeamMembership.ends_on.is_(None)))
        .join(Team, Team.id == TeamMembership.team_id)
        .where(Team.name == "MLG CT0-A", Staff.position_id == positions["AGENT"].id)
        .order_by(Staff.employee_number.desc()).limit(1))
    target = db.session.scalar(select(Team).where(Team.name == "MLG 147-A"))
    if moved is not None and target is not None:
        services.move_to_team(moved, target, today - timedelta(days=90), hr, "Penguatan tim layanan 147")
    # The other demo users who work in operations are staff too (no team).
    for username in ("spv", "qco", "qa", "trainer", "manager", "hr"):
        user = users.get(username)
        if user is None:
            continue
        person(user.full_name, ACCOUNTS[username], user.site, [s.code for s in user.services], today - timedelta(days=1500),
               user=user, kind=PERMANENT)
        made += 1
    # The caplan of this month and the next: 147 Malang plans one agent more than it has (under the 95 % target).
    from portal.people.staffing import next_month, save_plan

    first = today.replace(day=1)
    for month in (first, next_month(first)):
        for team_name, site_code, service_code, _leader in TEAMS:
            planned = AGENTS_PER_TEAM + (2 if team_name == "MLG 147-A" else 0)
            save_plan(svcs[service_code].id, sites[site_code].id, month, planned, hr)
    db.session.flush()
    out.append(f"{made} staff in {len(TEAMS)} teams at Malang and Semarang, with their contracts and a caplan")
    out.append(_candidates(today, positions, sites, svcs, hr))
    return out


PDF = b"%PDF-1.4\n% dokumen contoh Portal Mutu\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# name, years of age on the hiring date (and days past that birthday), education, field, health certificate, stage
CANDIDATES = [
    ("Sinta Maharani", 24, 40, "D3", "Ilmu Komunikasi", True, "tested"),
    ("Andi Firmansyah", 31, 10, "D3", "Manajemen", True, "screened"),  # over the age limit
    ("Wulan Puspita", 22, 100, "SMA", "IPS", True, "applied"),  # below the minimum education
    ("Reza Pratama", 25, 5, "D3", "Akuntansi", False, "applied"),  # no health certificate
    ("Laras Anggraini", 27, 200, "S1", "Psikologi", True, "interviewed"),
    ("Bima Nugroho", 30, 0, "D3", "Teknik Informatika", True, "offered"),  # exactly 30 on the hiring date
]


def _candidates(today, positions, sites, svcs, hr) -> str:
    """Six candidates for an Agent opening at Malang 147, screened and at different stages."""
    from portal.people import recruitment
    from portal.people.staffing import next_month

    hire_on = next_month(today.replace(day=1))
    opening = recruitment.save_opening({"title": f"Agent 147 Malang {hire_on:%m/%Y}", "position_id": positions["AGENT"].id,
                                        "site_id": sites["MLG"].id, "service_id": svcs["147"].id, "headcount": 2,
                                        "hire_on": hire_on}, hr)
    agent_set = recruitment.requirement_set_for(positions["AGENT"].id, hire_on)
    for i, (name, years, days, education, field, health, stage) in enumerate(CANDIDATES):
        birth = date(hire_on.year - years, hire_on.month, hire_on.day) - timedelta(days=days)
        candidate = recruitment.save_candidate(opening, {
            "full_name": name, "birth_date": birth, "education": education, "education_field": field,
            "phone": f"0813-2200-{i:04d}", "email": f"{name.split()[0].lower()}@contoh.id",
            "address": f"Jl. Ijen No. {10 + i}, Malang"}, hr)
        recruitment.upload_document(candidate, "cv", PDF, f"CV {name}.pdf", None, hr)
        if health:
            recruitment.upload_document(candidate, "health", PDF, f"Surat sehat {name}.pdf", hire_on - timedelta(days=20 + i), hr)
        if stage in ("tested", "interviewed", "offered"):
            checks = {str(r.id): {"met": True, "note": "Wawancara HR"} for r in agent_set.requirements
                      if r.kind == "person_check"} if agent_set else {}
            recruitment.record_results(candidate, {"tests_passed": True, "psych_level": "", "coaching_confirmed": None,
                                                   "checks": checks, "interview_notes": "Artikulasi jelas, siap bekerja shift."}, hr)
        recruitment.record_screening(candidate, hr)
        for step in ("screened", "tested", "interviewed", "offered"):
            if recruitment_stage_index(step) <= recruitment_stage_index(stage) and candidate.stage != step:
                recruitment.move_stage(candidate, step, "", hr)
    return f"opening {opening.title} with {len(CANDIDATES)} candidates"


def recruitment_stage_index(stage: str) -> int:
    from portal.people.models import STAGES

    return STAGES.index(stage)
