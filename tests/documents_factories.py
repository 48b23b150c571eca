"""Documents for tests: registered, with content, made effective through the real services."""
from __future__ import annotations

from datetime import date

from portal.documents import services
from portal.documents.models import APPROVED
from portal.extensions import db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SECTIONS = [
    {"number": "1", "title": "Rujukan", "body": "Klausul 9.1 ISO 9001:2015 Pemantauan, Pengukuran, Analisis dan Evaluasi"},
    {"number": "2", "title": "Tujuan", "body": "Memastikan KPI / SLA / SLG yang telah disepakati dengan klien dapat tercapai."},
    {"number": "8", "title": "Rincian Prosedur", "body": "Fungsi Desk Control melakukan sampling customer handling."},
]


def effective_document(code: str = "IN.OCC.TELK.P-90", title: str = "Real Time Management", number_sections=None,
                       effective: date = date(2017, 6, 5), with_file: bool = False, services_=None, sites=None, doc_type: str = ""):
    """A document whose revision 00 is in force (signatures skipped: tests of signing use the services)."""
    doc = services.register_document({"code": code, "title": title, **({"doc_type": doc_type} if doc_type else {})})
    if services_ is not None:
        doc.services = services_
    if sites is not None:
        doc.sites = sites
    from portal.auth.models import User
    from sqlalchemy import select

    author = db.session.scalar(select(User).limit(1))
    rev = services.new_draft(doc, author)
    services.save_draft(rev, {"effective_date": effective, "change_description": "Dokumen baru",
                              "sections": number_sections or SECTIONS,
                              "records": [{"code": "IN.OCC.TELK.F-04", "name": "Real Monitoring Call Handling",
                                           "retention": "2 Tahun", "owner": "Team Leader"}]})
    if with_file:
        services.attach_file(rev, PDF_BYTES, "asli.pdf")
    rev.status = APPROVED
    services.make_effective(rev)
    db.session.flush()
    return doc
