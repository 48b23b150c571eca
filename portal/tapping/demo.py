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
    out += _load_outbound()
    out += load_inbound()
    return out


def _load_outbound() -> list[str]:
    out: list[str] = []
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


# ---------------------------------------------------------------- inbound: scored calls, calibration, sign-off
TOPICS = ["Gangguan internet lambat", "Tagihan bulan ini naik", "Informasi paket IndiHome", "Permintaan pasang baru",
          "Nomor telepon kantor kelurahan", "Nomor telepon rumah sakit daerah"]
QCO2 = ("qco2", "Yoga Pratama", "Quality Control Officer", ["147", "108"])


def _answers(pset, miss: set[str] = frozenset(), na: set[str] = frozenset(), comments: dict | None = None) -> dict:
    """Answers to a scorecard: every parameter met but the clauses in `miss` (not met) and `na` (not applicable)."""
    out = {}
    for p in pset.parameters:
        answer = "N" if p.clause in miss else "NA" if p.clause in na else "Y"
        out[p.id] = (answer, (comments or {}).get(p.clause, ""))
    return out


def _qco2(users: dict):
    """A second QCO at Malang for the calibration round (demo user `qco2`, password of the demo)."""
    from portal.auth import services as auth
    from portal.auth.demo import DEMO_PASSWORD
    from portal.auth.models import Site

    if "qco2" in users:
        return users["qco2"]
    site = db.session.scalar(select(Site).where(Site.code == "MLG"))
    svcs = list(db.session.scalars(select(Service).where(Service.code.in_(QCO2[3]))))
    if site is None:
        return None
    return auth.create_user({"username": QCO2[0], "full_name": QCO2[1], "position": QCO2[2], "site_id": site.id,
                             "roles": ["qco"], "service_ids": [s.id for s in svcs], "must_change_password": False}, DEMO_PASSWORD)


def load_inbound() -> list[str]:
    """Scored 147 and 108 calls of Malang's 147 team (one fatal), the demo agent's two scores (one acknowledged, one
    disputed and waiting for QA), one acknowledged validation, a sampled call waiting for qco's score, and a closed
    calibration round of qa, qco and qco2 that disagree on two parameters."""
    from portal.tapping import scoring, signoff
    from portal.tapping.models import InboundCall, Validation

    if db.session.scalar(select(InboundCall.id).limit(1)) is not None:
        return []
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(["qco", "qco2", "qa", "agent"])))}
    team = db.session.scalar(select(Team).where(Team.name == "MLG 147-A"))
    svcs = {s.code: s for s in db.session.scalars(select(Service).where(Service.code.in_(["147", "108"])))}
    if team is None or "qco" not in users or "qa" not in users or len(svcs) < 2:
        return []
    qco, qa = users["qco"], users["qa"]
    qco2 = _qco2(users)
    members = list(db.session.scalars(select(Staff).join(TeamMembership, TeamMembership.staff_id == Staff.id)
                                      .where(TeamMembership.team_id == team.id, TeamMembership.ends_on.is_(None),
                                             Staff.id != team.leader_id).order_by(Staff.employee_number)))
    agent = db.session.scalar(select(Staff).where(Staff.user_id == users["agent"].id)) if "agent" in users else None
    others = [m for m in members if agent is None or m.id != agent.id][:5]
    if not others:
        return []
    today = local_today()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    plan = []  # (agent, service code, day, time, topic, missed clauses, comments)
    for i, staff in enumerate(others):
        plan.append((staff, "147", last_month + timedelta(days=i), time(9 + i, 10), TOPICS[i % 4],
                     {"S-03 B.4"} if i % 2 else set(), {}))
        plan.append((staff, "108" if i % 2 else "147", today - timedelta(days=3 + i), time(10, 5 * i), TOPICS[4 + i % 2] if i % 2 else TOPICS[i % 4],
                     {"S-01 C.2"} if i % 2 else ({"S-03 B.2"} if i == 2 else set()),
                     {"S-03 B.2": "Informasi biaya pasang baru salah: disebut gratis, padahal ada biaya PSB."} if i == 2 else {}))
    out_calls = []
    seq = 0
    for staff, code, day, at, topic, missed, comments in plan:
        seq += 1
        call = scoring.enter_inbound({"called_on": day, "called_time": at, "agent": staff.employee_number,
                                      "service_id": svcs[code].id, "recording_id": f"IN-{code}-{day:%Y%m%d}-{seq:04d}",
                                      "topic": topic, "customer_number": f"0341{550000 + seq * 37:06d}"}, qco)
        pset = scoring.scorecard_for(call.service_id, day)
        score = scoring.score_call(call, {"answers": _answers(pset, missed, comments=comments),
                                          "comment": "Secara umum baik." if not missed else "Perbaiki parameter yang belum terpenuhi."}, qco)
        score.scored_at = call.called_at + timedelta(days=1)
        out_calls.append(call)
    made = len(plan)
    if agent is not None:
        mine = []
        for k, (code, topic, missed) in enumerate((("147", "Gangguan internet lambat", {"S-03 B.4", "S-03 D.1"}),
                                                    ("108", "Nomor telepon kantor kelurahan", {"S-01 B.1"}))):
            call = scoring.enter_inbound({"called_on": today - timedelta(days=2 - k), "called_time": time(9 + k, 30),
                                          "agent": agent.employee_number, "service_id": svcs[code].id,
                                          "recording_id": f"IN-{code}-{today:%Y%m%d}-A{k + 1:03d}", "topic": topic,
                                          "customer_number": f"0812{33400000 + k * 1111:08d}"}, qco)
            pset = scoring.scorecard_for(call.service_id, today)
            mine.append(scoring.score_call(call, {"answers": _answers(pset, missed), "comment": "Tawarkan bantuan lain sebelum menutup."}, qco))
            made += 1
        agent_user = users["agent"]
        signoff.acknowledge(mine[0], agent_user)
        signoff.dispute(mine[1], "Nama yang dicari sudah saya eja ulang di menit 00.45 rekaman; mohon didengar kembali.", agent_user)
        latest = db.session.scalar(select(Validation).join(Call, Call.id == Validation.call_id)
                                   .where(Call.agent_id == agent.id, Validation.imported.is_(False))
                                   .order_by(Validation.validated_at.desc()).limit(1))
        if latest is not None and latest.validated_at >= signoff.cutoff():
            signoff.acknowledge(latest, agent_user)
    # A sampled call waiting for qco's score.
    scoring.enter_inbound({"called_on": today - timedelta(days=1), "called_time": time(14, 20), "agent": others[0].employee_number,
                           "service_id": svcs["147"].id, "recording_id": f"IN-147-{today:%Y%m%d}-W001",
                           "topic": "Permintaan pasang baru", "customer_number": "081355501234"}, qco)
    # The calibration round: qa (reference), qco and qco2 score one 147 call; they differ on B.4 and C.1 (and qco2 on
    # a critical item, which fails the call for them).
    target = next(c for c in out_calls if c.service.code == "147")
    round_ = scoring.open_calibration(target, "Kalibrasi bulanan S-03: dengarkan rekaman utuh sebelum menilai.", qa)
    pset = scoring.scorecard_for(target.service_id, services.local_day(target.called_at))
    scoring.score_calibration(round_, {"answers": _answers(pset, {"S-03 B.4"}), "comment": "Acuan QA."}, qa)
    scoring.score_calibration(round_, {"answers": _answers(pset, set(), {"S-03 B.4"}), "comment": "Up selling tidak relevan untuk keluhan ini."}, qco)
    if qco2 is not None:
        scoring.score_calibration(round_, {"answers": _answers(pset, {"S-03 B.4", "S-03 C.1", "S-03 B.2"}, comments={
            "S-03 B.2": "Solusi restart modem kurang lengkap."}), "comment": "Intonasi datar."}, qco2)
    scoring.close_calibration(round_, qa)
    db.session.flush()
    return [f"{made} scored inbound calls (147, 108), one waiting for qco, one calibration round, an acknowledged result "
            "and a dispute waiting for qa" + (", user qco2 created" if qco2 is not None else "")]
