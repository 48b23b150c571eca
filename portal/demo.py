"""Demo data: sites, services and one user per role. Later modules add theirs to load()."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth import services
from portal.auth.models import Service, Site, User
from portal.extensions import db

DEMO_PASSWORD = "portal-demo"

SITES = [
    ("PUSAT", "Pusat (Kantor Pusat)", "Asia/Jakarta", True),
    ("MLG", "Malang", "Asia/Jakarta", False),
    ("BDG", "Bandung", "Asia/Jakarta", False),
    ("SMG", "Semarang", "Asia/Jakarta", False),
    ("BGR", "Bogor", "Asia/Jakarta", False),
    ("MDN", "Medan", "Asia/Jakarta", False),
    ("TNG", "Tangerang", "Asia/Jakarta", False),
    ("MKS", "Makassar", "Asia/Makassar", False),
]

SERVICES = [
    ("147", "147", "inbound"),
    ("108", "108", "inbound"),
    ("SOSMED", "Social Media TelkomCare", "inbound"),
    ("TAM-ADDON", "TAM Add-On Consumer", "outbound"),
    ("TAM-WIFI", "TAM WiFi & Add-On Digital", "outbound"),
    ("TAM-CT0", "TAM CT-0 PraNPC", "outbound"),
]

# user name, full name, position, site code, service codes
USERS = [
    ("admin", "Administrator Portal", "Administrator Sistem", "PUSAT", []),
    ("qmr", "Suyanti", "QMR", "PUSAT", []),
    ("dc", "Andika Ardiansah", "Document Controller", "PUSAT", []),
    ("manager", "Mokh Arifin", "Manager Operasional", "PUSAT", ["147", "108", "SOSMED", "TAM-CT0"]),
    ("spv", "Sukron Azis", "Supervisor Operasional", "MLG", ["147", "TAM-CT0"]),
    ("tl", "Dewi Lestari", "Team Leader", "MLG", ["147", "TAM-CT0"]),
    ("agent", "Rina Marlina", "Agent", "MLG", ["147"]),
    ("qco", "Budi Santoso", "Quality Control Officer", "MLG", ["TAM-CT0"]),
    ("qa", "Sri Wahyuni", "Quality Assurance", "PUSAT", ["147", "108", "TAM-CT0"]),
    ("trainer", "Agus Setiawan", "Trainer", "MLG", ["147", "108"]),
    ("hr", "Lina Kusuma", "HR Recruitment", "PUSAT", []),
    ("auditor", "Hendra Wijaya", "Auditor Internal", "PUSAT", []),
]


def load() -> list[str]:
    """Create what is missing; running it twice changes nothing."""
    out = []
    sites = {s.code: s for s in db.session.scalars(select(Site))}
    for code, name, tz, head in SITES:
        if code not in sites:
            sites[code] = services.save_site(None, {"code": code, "name": name, "timezone": tz, "is_head_office": head})
            out.append(f"site {code} created")
    svcs = {s.code: s for s in db.session.scalars(select(Service))}
    for code, name, direction in SERVICES:
        if code not in svcs:
            svcs[code] = services.save_service(None, {"code": code, "name": name, "direction": direction})
            out.append(f"service {code} created")
    existing = set(db.session.scalars(select(User.username)))
    for username, full_name, position, site, service_codes in USERS:
        if username in existing:
            continue
        services.create_user(
            {
                "username": username,
                "full_name": full_name,
                "position": position,
                "site_id": sites[site].id,
                "roles": [username],
                "service_ids": [svcs[c].id for c in service_codes],
                "must_change_password": False,
            },
            DEMO_PASSWORD,
        )
        out.append(f"user {username} created (password {DEMO_PASSWORD})")
    out += _import_seeds()
    out += _install_forms()
    out += _demo_records()
    if not out:
        out.append("demo data already present; nothing changed")
    return out


def _import_seeds() -> list[str]:
    """Register the five real documents of shared/seeds (skipped when already there)."""
    from pathlib import Path

    from flask import current_app

    from portal.documents.importer import import_path

    folder = Path(current_app.config["PORTAL_SEEDS"])
    if not folder.is_dir():
        return [f"seed documents not found in {folder}; set PORTAL_SEEDS"]
    out = []
    for result in import_path(folder):
        if result.status == "imported":
            out.append(f"document {result.message}")
        elif result.status == "refused":
            out.append(f"document refused: {result.source}: {result.message}")
    return out


FORM_SERVICES = {"OB.IN.OCC.TELK.F-01": ["TAM-CT0"], "IN.OCC.TELK.F-21": ["SOSMED"]}


def _install_forms() -> list[str]:
    """Register the online forms of the seed procedures (revision 00, taken through dc -> spv -> qmr signatures)."""
    from datetime import date

    from portal.documents import services as documents
    from portal.records import catalogue
    from portal.records.schema import parse_schema

    users = {u.username: u for u in db.session.scalars(select(User))}
    svcs = {s.code: s for s in db.session.scalars(select(Service))}
    out = []
    for code in catalogue.codes():
        if documents.get_document(code) is not None:
            continue
        schema, errors = parse_schema(catalogue.text_for(code))
        assert not errors, (code, errors)
        doc = documents.register_document({"code": code, "title": catalogue.title_for(code)})
        doc.services = [svcs[c] for c in FORM_SERVICES.get(code, []) if c in svcs]
        rev = documents.new_draft(doc, users["dc"])
        documents.save_draft(rev, {"effective_date": date(2026, 1, 5), "change_description": "Formulir online pertama (menggantikan formulir kertas)",
                                   "sections": [{"number": "1", "title": "Petunjuk pengisian",
                                                 "body": "Formulir ini diisi secara online di Portal Mutu oleh petugas yang ditunjuk, "
                                                         "diserahkan dengan tanda tangan elektronik, lalu diperiksa dan disetujui oleh atasan."}],
                                   "records": [], "meta": {"form_schema": schema}})
        documents.submit(rev, users["dc"], DEMO_PASSWORD)
        documents.check(rev, users["spv"], DEMO_PASSWORD)
        documents.approve(rev, users["qmr"], DEMO_PASSWORD, today=date(2026, 1, 5))
        out.append(f"form {code} rev 00 in force ({sum(len(s['fields']) for s in schema['sections'])} fields)")
    return out


def _demo_records() -> list[str]:
    """A client contract and a few records: one approved F-04, one old enough to be disposed of, one draft."""
    from datetime import date

    from portal.records import services as records
    from portal.records.models import Contract, Record

    if db.session.scalar(select(Record.id).limit(1)) is not None:
        return []
    users = {u.username: u for u in db.session.scalars(select(User))}
    svcs = {s.code: s for s in db.session.scalars(select(Service))}
    tl, spv = users["tl"], users["spv"]
    records.save_contract(None, {"name": "PKS Layanan Contact Center Telkom 2024-2027", "service_id": None,
                                 "starts_on": date(2024, 1, 1), "ends_on": date(2027, 12, 31)}, users["dc"])

    def f04(day, score):
        return {"layanan_line": "147", "desk_control": str(tl.id), "jam_mulai": "09:00", "jam_selesai": "10:00",
                "sampling": [{"agent": str(users["agent"].id), "jam": "09:12", "no_tiket": "IN-2611-0042", "jenis": "Keluhan",
                              "salam": "yes", "verifikasi": "yes", "solusi": "yes", "nilai": str(score),
                              "temuan": "Empati baik, solusi tuntas."}],
                "rekomendasi": "", "recovery_plan": "no"}

    out = []
    from datetime import timedelta

    from portal.documents.services import local_today

    today = local_today()
    for period, score, approve in ((date(2023, 6, 5), 88, True), (today - timedelta(days=22), 92, True),
                                   (today - timedelta(days=1), 0, False)):
        record = records.create("IN.OCC.TELK.F-04", tl, tl.site_id, svcs["147"].id, period)
        if approve:
            records.submit(record, tl, DEMO_PASSWORD, data=f04(period, score))
            records.approve(record, spv, DEMO_PASSWORD)
        out.append(f"record {record.number} IN.OCC.TELK.F-04 {period} {record.status}")
    db.session.flush()
    return out
