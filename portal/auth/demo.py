"""Demo data of the auth module: sites, services and one user per role (password portal-demo)."""
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
    return out
