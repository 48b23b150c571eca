"""Demo data of the tapping module: the reasons, parameters and target (seed); the TAM CT-0 team of Malang
(the people demo's "MLG CT0-A", grown to ten agents) plus the demo `agent` of `tl`'s team, three months of outbound
call results (a few thousand: most validated, some returned, recalled and validated again), a current month in
progress with a worklist for `qco`, and one agent under the 95 % target last month. Rows are inserted in bulk."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import insert, select

from portal.auth.models import Service, User
from portal.core.db import utcnow
from portal.core.i18n import local_today
from portal.extensions import db
from portal.people.models import Staff, Team, TeamMembership
from portal.tapping import services
from portal.tapping.models import (AGREE, DECLINE, FOLLOW_UP, NEW, RECALLED, RETURN, RETURNED, VALID, VALIDATED, Call,
                                   Recall, Validation)

PRODUCTS = ["Retensi PraNPC", "Winback IndiHome", "Add-On Minipack", "Upgrade Speed 50 Mbps"]
EXTRA_AGENTS = ["Kevin Ardiansyah", "Nur Aisyah"]
RECALLS = ["Pelanggan dihubungi kembali, persetujuan dikonfirmasi dengan jelas beserta biaya bulanan.",
           "Pelanggan menyatakan setuju setelah harga dan masa berlaku dijelaskan ulang."]
RECOMMENDATIONS = ["Sampaikan harga dan masa berlaku sebelum meminta persetujuan.",
                   "Pastikan pelanggan mengucapkan kata setuju dengan jelas.",
                   "Verifikasi nama pemilik layanan sebelum penawaran."]


def _months_back(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    out = [first]
    while len(out) < n:
        prev = out[-1] - timedelta(days=1)
        out.append(prev.replace(day=1))
    return list(reversed(out))


def load() -> list[str]:
    out = services.seed()
    if db.session.scalar(select(Call.id).limit(1)) is not None:
        return out
    team = db.session.scalar(select(Team).where(Team.name == "MLG CT0-A"))
    service = db.session.scalar(select(Service).where(Service.code == "TAM-CT0"))
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["qco", "qa", "agent", "hr"])))}
    if team is None or service is None or "qco" not in users:
        return out
    today = local_today()
    from portal.people import services as people

    hr = users.get("hr")
    members = list(db.session.scalars(select(Staff).join(TeamMembership, TeamMembership.staff_id == Staff.id)
                                      .where(TeamMembership.team_id == team.id, TeamMembership.ends_on.is_(None),
                                             Staff.id != team.leader_id).order_by(Staff.employee_number)))
    position_id = members[0].position_id if members else None
    for i, name in enumerate(EXTRA_AGENTS):
        if position_id is None or len(members) >= 9:
            break
        number = f"1509{900 + i}"
        if db.session.scalar(select(Staff.id).where(Staff.employee_number == number)):
            continue
        members.append(people.save_staff(None, {
            "employee_number": number, "full_name": name, "position_id": position_id, "site_id": team.site_id,
            "service_ids": [service.id], "hire_date": today - timedelta(days=400 + 30 * i), "team_id": team.id,
            "education": "D3"}, hr))
    agent = db.session.scalar(select(Staff).where(Staff.user_id == users["agent"].id)) if "agent" in users else None
    agents = members + ([agent] if agent is not None else [])
    memberships = dict(db.session.execute(select(TeamMembership.staff_id, TeamMembership.team_id)
                                          .where(TeamMembership.ends_on.is_(None))).all())
    rnd = random.Random(13)
    qco = users["qco"]
    months = _months_back(today, 4)  # three full months and the current one
    weak = members[1].id if len(members) > 1 else None  # under target last month
    calls, seq = [], 0
    for month in months:
        current = month == months[-1]
        last_day = today if current else (months[months.index(month) + 1] - timedelta(days=1))
        day = month
        while day <= last_day:
            if day.weekday() < 6:
                for staff in agents:
                    for _k in range(rnd.randint(2, 4) if staff is not agent else 1):
                        seq += 1
                        at = time(8 + rnd.randint(0, 9), rnd.choice([0, 10, 20, 30, 40, 50]))
                        result = rnd.choices([AGREE, DECLINE, FOLLOW_UP], [5, 3, 2])[0]
                        calls.append({"recording_id": f"VR-{day:%Y%m%d}-{seq:06d}", "agent_id": staff.id,
                                      "team_id": memberships.get(staff.id), "site_id": staff.site_id,
                                      "service_id": service.id, "called_at": services.to_utc(day, at), "month": month,
                                      "product": rnd.choice(PRODUCTS), "customer_number": f"0812{rnd.randint(10_000_000, 99_999_999)}",
                                      "result": result, "_staff": staff, "_day": day})
            day += timedelta(days=1)
    if agent is not None:  # three calls of the demo agent made this morning wait on qco's worklist
        for k, at in enumerate((time(8, 5), time(8, 40), time(9, 20))):
            calls.append({"recording_id": f"VR-{today:%Y%m%d}-A{k + 1:05d}", "agent_id": agent.id,
                          "team_id": memberships.get(agent.id), "site_id": agent.site_id, "service_id": service.id,
                          "called_at": services.to_utc(today, at), "month": months[-1], "product": PRODUCTS[k % 2],
                          "customer_number": f"0812{rnd.randint(10_000_000, 99_999_999)}", "result": AGREE,
                          "_staff": None, "_day": today})
    now = utcnow()
    rows, validations, recalls = [], [], []
    for c in calls:
        staff, day = c.pop("_staff"), c.pop("_day")
        c.update(stage="", first_verdict=None, verdicts=0, qco_id=None, history=False, created_at=now)
        if c["result"] == AGREE:
            age = (today - day).days
            c["stage"] = NEW
            c["qco_id"] = qco.id
            # Validated within two days; the last days of the current month still wait (qco's worklist).
            if staff is not None and (age >= 2 or (c["month"] != months[-1] and age >= 0)):
                p_return = 0.15 if (staff.id == weak and c["month"] == months[-2]) else 0.025
                if staff is agent:
                    p_return = 0.0  # the browser journey returns the demo agent's call itself
                first = RETURN if rnd.random() < p_return else VALID
                c["_plan"] = (first, age)
                c["first_verdict"] = first
                c["verdicts"] = 1
                c["stage"] = VALIDATED if first == VALID else RETURNED
        rows.append(c)
    plans = {c["recording_id"]: c.pop("_plan", None) for c in rows}
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(Call), rows[start:start + 1000])
    ids = dict(db.session.execute(select(Call.recording_id, Call.id)).all())
    later = []
    for c in rows:
        plan = plans.get(c["recording_id"])
        if not plan:
            continue
        first, age = plan
        when = c["called_at"] + timedelta(days=1, hours=2)
        reason = rnd.choice(["R01", "R02", "R03"]) if first == RETURN else ""
        validations.append({"call_id": ids[c["recording_id"]], "verdict": first, "reason_code": reason,
                            "recommendation": rnd.choice(RECOMMENDATIONS) if first == RETURN else "",
                            "qco_id": qco.id, "qco_name": qco.full_name, "validated_at": when, "checked_json": "[]",
                            "imported": False, "parameter_set_id": None})
        # Returns older than ten days were recalled and validated again, but for the weak agent's last full month
        # (under the 95 % target); the recent ones still wait for the agent.
        if first == RETURN and age > 10 and not (c["agent_id"] == weak and c["month"] == months[-2]):
            later.append((c, when))  # recalled and validated again
    for start in range(0, len(validations), 1000):
        db.session.execute(insert(Validation), validations[start:start + 1000])
    first_ids = dict(db.session.execute(select(Validation.call_id, Validation.id)).all())
    again = []
    for c, when in later:
        call_id = ids[c["recording_id"]]
        recalls.append({"call_id": call_id, "validation_id": first_ids[call_id], "result": AGREE,
                        "outcome": rnd.choice(RECALLS), "recorded_by_id": None, "recorded_name": "", "recorded_at": when + timedelta(hours=3)})
        again.append({"call_id": call_id, "verdict": VALID, "reason_code": "", "recommendation": "", "qco_id": qco.id,
                      "qco_name": qco.full_name, "validated_at": when + timedelta(days=1), "checked_json": "[]",
                      "imported": False, "parameter_set_id": None})
    if recalls:
        db.session.execute(insert(Recall), recalls)
        db.session.execute(insert(Validation), again)
        recalled = [ids[c["recording_id"]] for c, _w in later]
        from sqlalchemy import update

        for start in range(0, len(recalled), 500):
            db.session.execute(update(Call).where(Call.id.in_(recalled[start:start + 500]))
                               .values(stage=VALIDATED, verdicts=2).execution_options(synchronize_session=False))
    # One returned call of last month already recalled by its agent and back on qco's worklist.
    waiting = db.session.scalar(select(Call).where(Call.stage == RETURNED).order_by(Call.called_at.desc()).limit(1))
    if waiting is not None:
        first_id = db.session.scalar(select(Validation.id).where(Validation.call_id == waiting.id))
        db.session.add(Recall(call_id=waiting.id, validation_id=first_id, result=AGREE, outcome=RECALLS[0],
                              recorded_name=waiting.agent.full_name, recorded_at=now))
        waiting.stage = RECALLED
    db.session.flush()
    out.append(f"{len(rows)} call results of {len(agents)} agents over {len(months)} months, "
               f"{len(validations) + len(again)} validations, {len(recalls)} recalls")
    return out
