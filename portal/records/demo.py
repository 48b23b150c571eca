"""Demo data of the records module: the online forms of the seed procedures, a contract and a few records."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.demo import DEMO_PASSWORD
from portal.auth.models import Service, User
from portal.extensions import db


def load() -> list[str]:
    """Install the online forms, then a contract and a few records."""
    return _install_forms() + _demo_records()


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
    from portal.records.models import Record

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

    from portal.core.i18n import local_today

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
