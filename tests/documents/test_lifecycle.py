"""The revision lifecycle through the services: signatures, effective dates, exactly one in force."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.core.audit import AuditEvent
from portal.documents import search, services
from portal.documents.models import CHECKED, DRAFT, EFFECTIVE, SUBMITTED, SUPERSEDED, WITHDRAWN, Revision
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.documents_factories import effective_document


@pytest.fixture
def people(factories):
    return {
        "dc": factories.user(["dc"], full_name="Andika Ardiansah", position="Document Controller"),
        "spv": factories.user(["spv"], full_name="Sukron Azis", position="Supervisor"),
        "qmr": factories.user(["qmr"], full_name="Suyanti", position="QMR"),
    }


def _actions():
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _draft_of(doc, dc, eff=None):
    rev = services.new_draft(doc, dc)
    services.save_draft(rev, {"effective_date": eff or date.today() - timedelta(days=1), "change_description": "Perbaikan langkah 9",
                              "sections": [*rev.sections[:-1], {**rev.sections[-1], "body": rev.sections[-1]["body"] + " Ditambah."}]})
    return rev


def test_code_grammar_gives_type_and_unit():
    assert services.read_code("IN.OCC.TELK.P-10") == {"doc_type": "P", "unit": "OCC", "outbound": False}
    assert services.read_code("OB.IN.CC.TELK.MNOP-01.Rev.00") == {"doc_type": "MNOP", "unit": "CC", "outbound": True}
    assert services.read_code("in.qcc.telk.s-01")["doc_type"] == "S"
    assert services.read_code("ISO 9001:2015") == {}
    assert services.normalise_code(" OB.IN.OCC.TELK.P-02.Rev.00 ") == "OB.IN.OCC.TELK.P-02"


def test_register_refuses_bad_codes(app):
    with app.test_request_context():
        for bad, field in [("", "code"), ("a b!", "code"), ("X", "code")]:
            with pytest.raises(ServiceError) as exc:
                services.register_document({"code": bad, "title": "T"})
            assert exc.value.field == field
        services.register_document({"code": "IN.OCC.TELK.P-10", "title": "Real Time Management"})
        with pytest.raises(ServiceError, match="sudah terdaftar"):
            services.register_document({"code": "in.occ.telk.p-10", "title": "Again"})
        with pytest.raises(ServiceError) as exc:
            services.register_document({"code": "PKS-2022-TELKOM", "title": "Kontrak"})
        assert exc.value.field == "doc_type"  # a code from elsewhere: the controller picks the type
        doc = services.register_document({"code": "PKS-2022-TELKOM", "title": "Kontrak", "doc_type": "EXT"})
        assert doc.doc_type == "EXT"


def test_lookup_is_case_insensitive(app):
    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-10")
        assert services.get_document("in.occ.telk.p-10").code == "IN.OCC.TELK.P-10"


def test_full_lifecycle_with_signatures(app, people):
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-10")
        old = doc.current
        rev = _draft_of(doc, people["dc"])
        assert rev.number == "01" and rev.status == DRAFT
        services.submit(rev, people["dc"], TEST_PASSWORD)
        assert rev.status == SUBMITTED
        services.check(rev, people["spv"], TEST_PASSWORD)
        assert rev.status == CHECKED
        services.approve(rev, people["qmr"], TEST_PASSWORD)
        assert rev.status == EFFECTIVE and old.status == SUPERSEDED
        assert doc.current is rev
        roles = {s.role: s for s in rev.signatures}
        assert set(roles) == {"prepared", "checked", "approved"}
        assert roles["approved"].name == "Suyanti" and roles["approved"].position == "QMR"
        assert roles["approved"].content_hash == services.content_hash(rev)
        assert not roles["approved"].transcribed and roles["approved"].signed_at is not None
        assert {"revision.submitted", "revision.checked", "revision.approved", "revision.superseded", "revision.effective"} <= set(_actions())


def test_wrong_password_does_not_sign(app, people):
    with app.test_request_context():
        doc = effective_document()
        rev = _draft_of(doc, people["dc"])
        with pytest.raises(ServiceError) as exc:
            services.submit(rev, people["dc"], "not-my-password")
        assert exc.value.field == "password"
        db.session.expire_all()
        rev = db.session.get(Revision, rev.id)
        assert rev.status == DRAFT and rev.signatures == []
        assert "revision.signature_refused" in _actions()


def test_preparer_may_not_approve(app, factories, people):
    boss = factories.user(["dc", "qmr"])
    with app.test_request_context():
        doc = effective_document()
        rev = _draft_of(doc, boss)
        services.submit(rev, boss, TEST_PASSWORD)
        services.check(rev, people["spv"], TEST_PASSWORD)
        with pytest.raises(ServiceError, match="tiga orang"):
            services.approve(rev, boss, TEST_PASSWORD)


def test_checker_may_not_also_approve(app, factories, people):
    """Prepared, checked and approved are three different people (qmr may not check and approve)."""
    with app.test_request_context():
        doc = effective_document()
        rev = _draft_of(doc, people["dc"])
        services.submit(rev, people["dc"], TEST_PASSWORD)
        services.check(rev, people["qmr"], TEST_PASSWORD)
        with pytest.raises(ServiceError, match="tiga orang"):
            services.approve(rev, people["qmr"], TEST_PASSWORD)
        assert rev.status == CHECKED and [s.role for s in rev.signatures] == ["prepared", "checked"]


def test_preparer_may_approve_when_configured(app, factories, people):
    """A very small site may allow one person two signatures; each exception is audited."""
    boss = factories.user(["dc", "qmr"])
    app.config["DOCUMENTS_DISTINCT_SIGNERS"] = False
    try:
        with app.test_request_context():
            doc = effective_document()
            rev = _draft_of(doc, boss)
            services.submit(rev, boss, TEST_PASSWORD)
            services.check(rev, people["spv"], TEST_PASSWORD)
            services.approve(rev, boss, TEST_PASSWORD)
            assert rev.status == EFFECTIVE
            assert "revision.signer_exception" in _actions()
    finally:
        app.config["DOCUMENTS_DISTINCT_SIGNERS"] = True


def test_submit_needs_date_description_and_content(app, people):
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-55", "title": "Baru"})
        rev = services.new_draft(doc, people["dc"])
        with pytest.raises(ServiceError, match="tanggal berlaku"):
            services.submit(rev, people["dc"], TEST_PASSWORD)


def test_future_date_waits_then_becomes_effective(app, people):
    with app.test_request_context():
        doc = effective_document()
        rev = _draft_of(doc, people["dc"], eff=date.today() + timedelta(days=10))
        services.submit(rev, people["dc"], TEST_PASSWORD)
        services.check(rev, people["spv"], TEST_PASSWORD)
        services.approve(rev, people["qmr"], TEST_PASSWORD)
        assert rev.status == "approved" and doc.current.number == "00"
        assert services.activate_due(today=date.today()) == []
        assert services.activate_due(today=date.today() + timedelta(days=10)) == [rev]
        assert doc.current is rev


def test_returned_revision_loses_its_signatures(app, people):
    with app.test_request_context():
        doc = effective_document()
        rev = _draft_of(doc, people["dc"])
        services.submit(rev, people["dc"], TEST_PASSWORD)
        with pytest.raises(ServiceError):
            services.return_to_draft(rev, people["spv"], "")
        services.return_to_draft(rev, people["spv"], "Langkah 9 belum jelas")
        assert rev.status == DRAFT and rev.signatures == []
        services.save_draft(rev, {"change_description": "Perbaikan langkah 9 (diperjelas)"})


def test_only_a_draft_can_be_edited(app, people):
    with app.test_request_context():
        doc = effective_document()
        with pytest.raises(ServiceError):
            services.save_draft(doc.current, {"change_description": "sneaky"})


def test_one_draft_at_a_time(app, people):
    with app.test_request_context():
        doc = effective_document()
        services.new_draft(doc, people["dc"])
        with pytest.raises(ServiceError, match="sedang disusun"):
            services.new_draft(doc, people["dc"])


def test_database_refuses_two_effective_revisions(app, people):
    with app.test_request_context():
        doc = effective_document()
        rev = services.new_draft(doc, people["dc"])
        db.session.flush()
        nested = db.session.begin_nested()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE revision SET status = 'effective' WHERE id = :id"), {"id": rev.id})
        nested.rollback()


def test_exactly_one_effective_after_many_revisions(app, people):
    with app.test_request_context():
        doc = effective_document()
        for _ in range(3):
            rev = _draft_of(doc, people["dc"])
            services.submit(rev, people["dc"], TEST_PASSWORD)
            services.check(rev, people["spv"], TEST_PASSWORD)
            services.approve(rev, people["qmr"], TEST_PASSWORD)
        statuses = [r.status for r in doc.revisions]
        assert statuses.count(EFFECTIVE) == 1 and statuses[-1] == EFFECTIVE
        assert db.session.scalar(select(func.count()).select_from(Revision).where(
            Revision.document_id == doc.id, Revision.status == EFFECTIVE)) == 1


def test_withdrawal(app, people):
    with app.test_request_context():
        doc = effective_document()
        with pytest.raises(ServiceError):
            services.withdraw(doc, " ")
        services.withdraw(doc, "Layanan dihentikan")
        assert doc.status == WITHDRAWN and doc.current is None
        assert search.search("Desk Control") == []


def test_attach_file_checks_bytes_not_names(app, people):
    with app.test_request_context():
        doc = services.register_document({"code": "IN.OCC.TELK.P-56", "title": "Baru"})
        rev = services.new_draft(doc, people["dc"])
        with pytest.raises(ServiceError):
            services.attach_file(rev, b"MZ\x90\x00 an exe renamed", "sop.pdf")
        with pytest.raises(ServiceError):
            services.attach_file(rev, b"", "sop.pdf")
        app.config["DOCUMENT_MAX_BYTES"] = 100
        try:
            with pytest.raises(ServiceError, match="lebih besar"):
                services.attach_file(rev, b"%PDF-" + b"x" * 200, "sop.pdf")
        finally:
            app.config["DOCUMENT_MAX_BYTES"] = 20 * 1024 * 1024
        services.attach_file(rev, b"%PDF-1.4 real enough", "../../etc/sop.pdf")
        assert rev.file_name == "sop.pdf" and rev.file_path.startswith("originals/") and len(rev.file_sha256) == 64
        assert services.file_path(rev).read_bytes().startswith(b"%PDF")


def test_docx_is_recognised(app):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
    assert services.sniff_file(buf.getvalue(), "x.docx")[0] == "docx"
    assert services.sniff_file(buf.getvalue(), "x.pdf") is None  # the name must agree with the bytes
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("hello.txt", "not word")
    assert services.sniff_file(bad.getvalue(), "x.docx") is None


def test_full_text_search_finds_current_content_with_snippet(app, people):
    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-10")
        effective_document(code="IN.OCC.TELK.P-11", title="Lain", number_sections=[{"number": "1", "title": "Tujuan", "body": "Pengelolaan roster harian."}])
        hits = search.search("sampling customer")
        assert len(hits) == 1
        assert "<mark>" in hits[0].snippet and "sampling" in hits[0].snippet.lower()
        assert search.search("rost") and search.search("<script>") == []


def test_snippets_are_escaped(app, people):
    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-12", number_sections=[{"number": "1", "title": "X", "body": "<b>bold</b> kalibrasi"}])
        hit = search.search("kalibrasi")[0]
        assert "<b>" not in hit.snippet and "<mark>kalibrasi</mark>" in hit.snippet  # escaped (SQLite) or stripped (PostgreSQL)


def test_readers_follow_services_and_sites(app, factories, people):
    svc147, svc108 = factories.service(code="147"), factories.service(code="108")
    mlg, bdg = factories.site(code="MLG"), factories.site(code="BDG")
    a = factories.user(["agent"], site=mlg, services=[svc147])
    b = factories.user(["agent"], site=bdg, services=[svc147])
    c = factories.user(["agent"], site=mlg, services=[svc108])
    with app.test_request_context():
        doc = effective_document(services_=[svc147], sites=[mlg])
        rev = doc.current
        assert services.must_read(rev, a) and not services.must_read(rev, b) and not services.must_read(rev, c)
        assert [r.id for r in services.unread_for(a)] == [rev.id]
        services.acknowledge(rev, a)
        assert services.unread_for(a) == []
        with pytest.raises(ServiceError):
            services.acknowledge(rev, a)
        status = services.reading_status(rev)
        assert [(r["user"].id, bool(r["acknowledged_at"])) for r in status] == [(a.id, True)]


def test_change_request_accept_and_reject(app, factories, people):
    agent = factories.user(["agent"])
    with app.test_request_context():
        doc = effective_document()
        with pytest.raises(ServiceError):
            services.propose_change(doc, agent, "", "why")
        cr = services.propose_change(doc, agent, "Tambah langkah eskalasi", "Sering terjadi keluhan")
        rev = services.accept_change_request(cr, people["dc"])
        assert cr.status == "accepted" and cr.revision is rev and rev.change_description == "Tambah langkah eskalasi"
        with pytest.raises(ServiceError):
            services.reject_change_request(cr, people["dc"], "late")
        cr2 = services.propose_change(doc, agent, "Hapus bagian 12", "Tidak relevan")
        with pytest.raises(ServiceError):
            services.reject_change_request(cr2, people["dc"], "")
        services.reject_change_request(cr2, people["dc"], "Bagian 12 masih dibutuhkan")
        assert cr2.status == "rejected" and cr2.decision_reason == "Bagian 12 masih dibutuhkan"


def test_periodic_review(app, people):
    with app.test_request_context():
        doc = effective_document(effective=date(2020, 1, 15))
        doc.review_interval_months = 24
        assert services.review_due(doc) == date(2022, 1, 15)
        assert doc in [d for d, _ in services.overdue_reviews(today=date(2026, 1, 1))]
        with pytest.raises(ServiceError):
            services.record_review(doc, people["qmr"], "wrong-password", "no_change", "")
        with pytest.raises(ServiceError):
            services.record_review(doc, people["qmr"], TEST_PASSWORD, "revise", "")
        review = services.record_review(doc, people["qmr"], TEST_PASSWORD, "no_change", "Masih sesuai")
        assert review.reviewer_name == "Suyanti" and doc.last_reviewed_on == local_today()
        assert doc not in [d for d, _ in services.overdue_reviews()]
        services.record_review(doc, people["qmr"], TEST_PASSWORD, "revise", "Klausul ISO perlu diperbarui")
        from portal.documents.models import ChangeRequest

        assert db.session.scalar(select(ChangeRequest).where(ChangeRequest.document_id == doc.id)).proposal == "Klausul ISO perlu diperbarui"


def test_add_months_clamps_to_month_end():
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert services.add_months(date(2022, 10, 13), 24) == date(2024, 10, 13)


def test_reindexing_a_document_replaces_its_one_entry(app, people):
    """Re-indexing (a new revision in force) replaces the document's entry; on SQLite the FTS5 rowid is the document's
    id, so the replacement is a lookup by rowid and never leaves a second entry behind."""
    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-13", number_sections=[{"number": "1", "title": "X", "body": "eskalasi lama"}])
        search.index_document(doc.id, doc.code, doc.title, "eskalasi baru")
        search.index_document(doc.id, doc.code, doc.title, "eskalasi terbaru")
        assert [h.document_id for h in search.search("eskalasi")] == [doc.id]
        assert search.search("lama") == [] and search.search("terbaru")
        if db.session.get_bind().dialect.name == "sqlite":
            assert db.session.execute(text("SELECT rowid, document_id FROM document_fts WHERE document_id = :i"),
                                      {"i": doc.id}).all() == [(doc.id, doc.id)]
        search.remove_document(doc.id)
        assert search.search("eskalasi") == []
