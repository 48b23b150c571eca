"""Online forms and records for tests, made through the real services."""
from __future__ import annotations

from datetime import date

from portal.documents import services as documents
from portal.documents.models import APPROVED
from portal.extensions import db
from portal.records import catalogue
from portal.records import services as records
from portal.records.schema import parse_schema
from tests.conftest import TEST_PASSWORD

SMALL_SCHEMA = """# Identitas
shift | Shift | choice: Pagi, Siang, Malam | required
pic | PIC | staff | required
skor | Nilai | number: 0..100
catatan | Catatan | longtext
# Rincian
baris | Temuan | table | required
  agent | Agent | staff | required
  jam | Jam | time | required
  uraian | Uraian | longtext
ttd | Dibuat oleh | signature: submitter
"""


def online_form(code: str = "IN.OCC.TELK.F-04", schema_text: str | None = None, author=None,
                effective: date = date(2026, 1, 5), retention: str | None = "2 Tahun", procedure: str = "IN.OCC.TELK.P-10",
                doc_type: str = ""):
    """A form document whose revision 00 (with a field schema) is in force, and a procedure in force whose
    records table names it with `retention` (None: no procedure names the form)."""
    from portal.auth.models import User
    from sqlalchemy import select

    author = author or db.session.scalar(select(User).limit(1))
    schema, errors = parse_schema(schema_text or catalogue.text_for(code) or SMALL_SCHEMA)
    assert not errors, errors
    doc = documents.register_document({"code": code, "title": catalogue.title_for(code) or "Formulir Uji",
                                       **({"doc_type": doc_type} if doc_type else {})})
    rev = documents.new_draft(doc, author)
    documents.save_draft(rev, {"effective_date": effective, "change_description": "Formulir online",
                               "sections": [{"number": "1", "title": "Petunjuk", "body": "Isi online."}],
                               "records": [], "meta": {"form_schema": schema}})
    rev.status = APPROVED
    documents.make_effective(rev)
    if retention is not None and documents.get_document(procedure) is None:
        proc = documents.register_document({"code": procedure, "title": "Real Time Management"})
        prev = documents.new_draft(proc, author)
        documents.save_draft(prev, {"effective_date": effective, "change_description": "Dokumen baru",
                                    "sections": [{"number": "1", "title": "Tujuan", "body": "Uji."}],
                                    "records": [{"code": code, "name": "Rekaman", "retention": retention, "owner": "Team Leader"}]})
        prev.status = APPROVED
        documents.make_effective(prev)
    db.session.flush()
    return doc


def f04_data(staff_id: int, score: str = "90") -> dict:
    return {"layanan_line": "147", "desk_control": str(staff_id), "jam_mulai": "09:00", "jam_selesai": "10:00",
            "sampling": [{"agent": str(staff_id), "jam": "09:12", "no_tiket": "IN-1", "jenis": "Keluhan", "salam": "yes",
                          "verifikasi": "yes", "solusi": "yes", "nilai": score, "temuan": ""}],
            "rekomendasi": "", "recovery_plan": "no"}


def approved_record(author, approver, period: date = date(2026, 11, 2), code: str = "IN.OCC.TELK.F-04", service_id=None):
    """An F-04 record filled by `author` and approved by `approver` (both need the test password)."""
    record = records.create(code, author, author.site_id, service_id, period)
    records.submit(record, author, TEST_PASSWORD, data=f04_data(author.id))
    records.approve(record, approver, TEST_PASSWORD)
    db.session.flush()
    return record
