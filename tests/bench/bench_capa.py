"""Nonconformities at scale (issue 14): `build_ncs` inserts NCs in bulk over the last year (numbers NC-<year>-9xxxx so
they never meet the demo's), each with two actions (some overdue for the demo `tl`) and, for the closed ones, a check."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db


def build_ncs(app, n: int, seed: int = 14) -> None:
    from portal.auth.models import Service, Site, User
    from portal.capa.models import CLASSIFICATIONS, SOURCES, Action, Check, Nonconformity

    rnd = random.Random(seed)
    with app.app_context():
        sites = list(db.session.scalars(select(Site.id)))
        services = list(db.session.scalars(select(Service.id)))
        owners = list(db.session.scalars(select(User.id).where(User.username.in_(["tl", "spv", "qa", "qmr"]))))
        tl = db.session.scalar(select(User.id).where(User.username == "tl"))
        today = date.today()
        statuses = ["open", "analysed", "actions", "verifying", "reopened", "closed"]
        ncs = []
        for i in range(n):
            found = today - timedelta(days=rnd.randrange(360))
            ncs.append({"number": f"NC-{found.year}-9{i:04d}", "year": found.year, "seq": 90000 + i,
                        "source": SOURCES[i % len(SOURCES)], "source_kind": "", "source_ref": "", "evidence_json": "[]",
                        "title": f"Temuan bench {i}", "description": "Uraian", "found_on": found, "month": found.replace(day=1),
                        "site_id": sites[i % len(sites)], "service_id": services[i % len(services)], "process": "",
                        "document_id": None, "document_code": "IN.OCC.TELK.P-10" if i % 3 else "", "clause": "",
                        "classification": CLASSIFICATIONS[i % 3], "containment": "", "correction": "",
                        "status": statuses[i % len(statuses)], "whys_json": "[]", "fishbone_json": "{}", "root_cause": "",
                        "check_kind": "manual", "check_params_json": "{}", "check_criterion": "", "raised_name": "Bench",
                        "created_at": found, "reopened": 0})
        db.session.execute(insert(Nonconformity), ncs)
        ids = list(db.session.scalars(select(Nonconformity.id).where(Nonconformity.seq >= 90000).order_by(Nonconformity.id)))
        actions, checks = [], []
        for i, nc_id in enumerate(ids):
            for k in range(2):
                actions.append({"nc_id": nc_id, "description": "Tindakan bench", "owner_id": tl if (i + k) % 4 == 0 else owners[(i + k) % len(owners)],
                                "due_on": today - timedelta(days=rnd.randrange(-30, 90)),
                                "status": "done" if i % 6 in (3, 5) else "open", "done_note": "", "links_json": "[]",
                                "created_at": today})
            if i % 6 == 5:
                checks.append({"nc_id": nc_id, "result": "effective", "kind": "manual", "note": "ok", "verified_name": "Bench"})
        db.session.execute(insert(Action), actions)
        db.session.execute(insert(Check), checks)
        db.session.commit()
        db.session.remove()
