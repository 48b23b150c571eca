"""The record lifecycle through the services: create, save, submit, approve (lock + PDF/A archive), return,
amend (every version kept), holds, disposal, and the audit events of each step."""
from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.core.i18n import local_today
from portal.core.service import ServiceError
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.records import services
from portal.records.models import APPROVED, DISPOSED, DRAFT, SUBMITTED, Contract, Record
from tests.conftest import TEST_PASSWORD
from tests.records_factories import approved_record, f04_data, online_form


@pytest.fixture
def people(app, factories):
    site = factories.site()
    return {"tl": factories.user(["tl"], site=site, full_name="Dewi Lestari", position="Team Leader"),
            "tl2": factories.user(["tl"], site=site),
            "spv": factories.user(["spv"], site=site, full_name="Sukron Azis", position="Supervisor"),
            "spv_other_site": factories.user(["spv"], site=factories.site()),
            "qmr": factories.user(["qmr"], site=site, full_name="Suyanti", position="QMR"),
            "agent": factories.user(["agent"], site=site)}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _actions(record) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "record",
                                                                   AuditEvent.object_id == str(record.id)).order_by(AuditEvent.id)))


def test_full_lifecycle_with_signatures_archive_and_audit(app, ctx, people):
    online_form()
    tl, spv = people["tl"], people["spv"]
    record = services.create("in.occ.telk.f-04", tl, tl.site_id, None, date(2026, 11, 2))
    assert (record.status, record.version, record.form_code, record.retention_text) == (DRAFT, 1, "IN.OCC.TELK.F-04", "2 Tahun")
    assert record.form_revision.number == "00"
    assert services.save_draft(record, tl, {"layanan_line": "147"}) is True
    assert services.save_draft(record, tl, {"layanan_line": "147"}) is False  # nothing changed, nothing audited
    with pytest.raises(services.RecordInvalid) as invalid:
        services.submit(record, tl, TEST_PASSWORD)
    assert {"desk_control", "jam_mulai", "sampling"} <= set(invalid.value.errors)
    assert record.status == DRAFT and record.data == {"layanan_line": "147"}  # what was typed is kept
    services.submit(record, tl, TEST_PASSWORD, data=f04_data(tl.id))
    assert record.status == SUBMITTED
    with pytest.raises(ServiceError, match="orang lain|someone else"):
        services.approve(record, tl, TEST_PASSWORD)
    with pytest.raises(ServiceError):
        services.approve(record, people["spv_other_site"], TEST_PASSWORD)
    with pytest.raises(ServiceError) as wrong:
        services.approve(record, spv, "wrong password")
    assert wrong.value.field == "password" and record.status == SUBMITTED
    services.approve(record, spv, TEST_PASSWORD)
    db.session.commit()
    assert record.status == APPROVED and record.locked
    sub, app_sig = record.signature("submitted"), record.signature("approved")
    assert (sub.name, sub.position, app_sig.name, app_sig.position) == ("Dewi Lestari", "Team Leader", "Sukron Azis", "Supervisor")
    assert sub.content_hash == app_sig.content_hash == record.content_hash
    [version] = record.versions
    archive = Path(app.config["DOCUMENTS_FOLDER"]) / version.pdf_path
    assert archive.read_bytes().startswith(b"%PDF-") and len(version.pdf_sha256) == 64
    meta = subprocess.run(["pdfinfo", "-meta", str(archive)], capture_output=True, text=True, check=True).stdout
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta  # archived as PDF/A-3b
    with pytest.raises(ServiceError):
        services.save_draft(record, tl, {"layanan_line": "108"})  # locked
    assert _actions(record) == ["record.created", "record.draft_saved", "record.draft_saved", "record.submitted",
                                "record.signature_refused", "record.approved", "record.printed", "record.archived"]


def test_a_draft_save_writes_one_checked_update_and_refuses_a_record_changed_since_it_was_read(app, ctx, people):
    """save_draft writes the record with one UPDATE checked against the version it read (not the session's unit of
    work): the object then holds what the database holds, with nothing left to flush; a record changed since it was
    read (another window, a statement typed outside the portal) is refused with nothing written and no audit event;
    a later change through the session (the submission) still checks the new version."""
    from sqlalchemy import text

    from portal.core.service import ConflictError

    online_form()
    tl = people["tl"]
    record = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 2))
    db.session.flush()
    version = record.row_version
    assert services.save_draft(record, tl, {"layanan_line": "147"}, seen_version=version) is True
    assert record.row_version == version + 1 and record not in db.session.dirty
    stored = db.session.execute(text("SELECT data_json, content_hash, row_version FROM record WHERE id = :id"),
                                {"id": record.id}).one()
    assert stored == (record.data_json, services.content_hash(record), version + 1)
    db.session.execute(text("UPDATE record SET row_version = row_version + 1 WHERE id = :id"), {"id": record.id})
    saved_events = len(_actions(record))
    with pytest.raises(ConflictError):
        services.save_draft(record, tl, {"layanan_line": "108"})
    assert db.session.execute(text("SELECT data_json FROM record WHERE id = :id"), {"id": record.id}).scalar() == \
        record.data_json and record.data == {"layanan_line": "147"} and len(_actions(record)) == saved_events
    db.session.refresh(record)
    services.submit(record, tl, TEST_PASSWORD, data=f04_data(tl.id))
    db.session.flush()
    assert record.status == SUBMITTED and record.row_version == version + 4  # the bump by hand, the save, the submission


def test_return_to_draft_and_resubmit(app, ctx, people):
    online_form()
    tl, spv = people["tl"], people["spv"]
    record = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 2))
    services.submit(record, tl, TEST_PASSWORD, data=f04_data(tl.id))
    with pytest.raises(ServiceError) as no_reason:
        services.return_to_draft(record, spv, "  ")
    assert no_reason.value.field == "reason"
    services.return_to_draft(record, spv, "Nilai sampling belum lengkap")
    assert record.status == DRAFT and record.return_reason == "Nilai sampling belum lengkap" and record.signature("submitted") is None
    services.submit(record, tl, TEST_PASSWORD)
    assert record.status == SUBMITTED and record.return_reason == ""


def test_amendment_keeps_every_version(app, ctx, people):
    online_form()
    tl, spv = people["tl"], people["spv"]
    record = approved_record(tl, spv)
    first_hash = record.content_hash
    with pytest.raises(ServiceError):
        services.amend(record, people["tl2"], "bukan penulisnya")  # neither author nor approver
    with pytest.raises(ServiceError) as no_reason:
        services.amend(record, tl, "")
    assert no_reason.value.field == "reason"
    services.amend(record, tl, "Salah ketik nomor tiket")
    assert (record.status, record.version) == (DRAFT, 2)
    data = record.data
    data["sampling"][0]["no_tiket"] = "IN-2"
    services.submit(record, tl, TEST_PASSWORD, data=data)
    services.approve(record, spv, TEST_PASSWORD)
    assert [v.version for v in record.versions] == [1, 2]
    assert record.versions[0].content_hash == first_hash and record.versions[0].data["sampling"][0]["no_tiket"] == "IN-1"
    assert record.versions[1].amendment_reason == "Salah ketik nomor tiket"
    assert record.signature("approved", version=1) is not None and record.signature("approved", version=2) is not None


@pytest.mark.parametrize("field, kwargs", [
    ("site_id", {"site_id": None}),
    ("period_start", {"period_start": "kemarin"}),
    ("period_end", {"period_end": date(2026, 10, 1)}),
    ("period_start", {"period_start": date(2099, 1, 1)}),
])
def test_creation_refuses_bad_headers_without_storing_anything(app, ctx, people, field, kwargs):
    online_form()
    tl = people["tl"]
    args = {"site_id": tl.site_id, "service_id": None, "period_start": date(2026, 11, 2), "period_end": None} | kwargs
    with pytest.raises(ServiceError) as refused:
        services.create("IN.OCC.TELK.F-04", tl, **args)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count(Record.id))) == 0


def test_only_online_forms_in_force_can_be_filled(app, ctx, people):
    with pytest.raises(ServiceError):
        services.create("IN.OCC.TELK.F-99", people["tl"], people["tl"].site_id, None, date(2026, 11, 2))
    from tests.documents_factories import effective_document

    effective_document(code="IN.OCC.TELK.P-55")
    with pytest.raises(ServiceError):  # a procedure is not a form
        services.create("IN.OCC.TELK.P-55", people["tl"], people["tl"].site_id, None, date(2026, 11, 2))


def test_another_sites_records_cannot_be_created(app, ctx, people, factories):
    online_form()
    other = factories.site()
    with pytest.raises(ServiceError) as refused:
        services.create("IN.OCC.TELK.F-04", people["tl"], other.id, None, date(2026, 11, 2))
    assert refused.value.field == "site_id"


def test_disposal_destroys_content_keeps_stub_and_refuses_early_or_held(app, ctx, people):
    online_form()
    tl, spv, qmr = people["tl"], people["spv"], people["qmr"]
    old = approved_record(tl, spv, period=date(2023, 6, 5))
    recent = approved_record(tl, spv, period=date(2026, 11, 2))
    held = approved_record(tl, spv, period=date(2023, 7, 1))
    services.set_hold(held, qmr, True, "Sengketa pelanggan")
    today = date(2026, 11, 24)
    assert services.disposal_due(old) == date(2025, 6, 6)
    queue = [r for r, _due in services.disposal_queue(today)]
    assert old in queue and held in queue and recent not in queue
    assert services.count_disposable(today) == 1  # the home page's number: the held one is not counted
    assert services.count_disposable(date(2025, 6, 5)) == 0 and services.count_disposable(date(2025, 6, 6)) == 1
    # The fixed period's date is kept on the row (the home page counts it by index); a row written without it (a bulk
    # insert) is counted by the rule in the same statement, to the same number.
    assert old.disposal_due_on == date(2025, 6, 6) and recent.disposal_due_on == services.disposal_due(recent)
    from sqlalchemy import update

    from portal.records.models import Record

    db.session.execute(update(Record).where(Record.id == old.id).values(disposal_due_on=None))
    assert services.count_disposable(date(2025, 6, 5)) == 0 and services.count_disposable(date(2025, 6, 6)) == 1
    db.session.expire(old, ["disposal_due_on"])
    with pytest.raises(ServiceError, match="R-"):
        services.dispose([old, recent], qmr, TEST_PASSWORD, "Hapus permanen", today=today, witness=people["spv"], witness_password=TEST_PASSWORD)
    with pytest.raises(ServiceError):
        services.dispose([held], qmr, TEST_PASSWORD, "Hapus permanen", today=today, witness=people["spv"], witness_password=TEST_PASSWORD)
    with pytest.raises(ServiceError):
        services.dispose([old], spv, TEST_PASSWORD, "Hapus permanen", today=today, witness=qmr, witness_password=TEST_PASSWORD)  # no disposal right
    assert old.status == APPROVED and old.data  # nothing half-done
    archive = Path(app.config["DOCUMENTS_FOLDER"]) / old.versions[0].pdf_path
    content_hash = old.content_hash
    # The witness signs with their own password; the approver cannot witness their own disposal.
    with pytest.raises(ServiceError) as refused:
        services.dispose([old], qmr, TEST_PASSWORD, "Hapus permanen", today=today)
    assert refused.value.field == "witness_id"
    with pytest.raises(ServiceError) as refused:
        services.dispose([old], qmr, TEST_PASSWORD, "Hapus permanen", today=today, witness=qmr, witness_password=TEST_PASSWORD)
    assert refused.value.field == "witness_id"
    with pytest.raises(ServiceError) as refused:
        services.dispose([old], qmr, TEST_PASSWORD, "Hapus permanen", today=today, witness=people["spv"],
                         witness_password="salah")
    assert refused.value.field == "witness_password"
    assert old.status == APPROVED and old.data
    batch = services.dispose([old], qmr, TEST_PASSWORD, "Hapus permanen", "Sesuai masa simpan", today=today,
                             witness=people["spv"], witness_password=TEST_PASSWORD)
    assert batch.witness_id == people["spv"].id and batch.witness_name == "Sukron Azis" and batch.witnessed_at
    witnessed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "records.disposal_witnessed"))
    assert witnessed.actor_id == people["spv"].id and witnessed.object_id == str(batch.id)
    assert old.status == DISPOSED and old.data == {} and old.versions[0].data == {} and not archive.exists()
    assert old.content_hash == content_hash and old.disposal_id == batch.id  # the stub keeps metadata and hash
    assert batch.manifest[0]["content_hash"] == content_hash and batch.manifest[0]["number"] == old.number
    assert "record.disposed" in _actions(old)


def test_contract_retention_waits_for_the_end_of_the_contract(app, ctx, people):
    online_form(retention="Selama PKS")
    tl, spv = people["tl"], people["spv"]
    record = approved_record(tl, spv, period=date(2023, 6, 5))
    assert record.retention_text == "Selama PKS" and record.disposal_due_on is None  # it follows the contract
    assert services.disposal_due(record) is None  # no contract: never disposable
    contract = services.save_contract(None, {"name": "PKS 2021-2024", "starts_on": date(2021, 1, 1), "ends_on": None}, people["qmr"])
    assert services.disposal_due(record) is None  # contract still open
    assert services.count_disposable(date(2030, 1, 1)) == 0
    services.save_contract(contract, {"name": "PKS 2021-2024", "starts_on": date(2021, 1, 1), "ends_on": date(2024, 12, 31)}, people["qmr"])
    assert services.disposal_due(record) == date(2025, 1, 1)
    assert services.count_disposable(date(2024, 12, 31)) == 0 and services.count_disposable(date(2025, 1, 1)) == 1
    with pytest.raises(ServiceError) as bad:
        services.save_contract(None, {"name": "X", "starts_on": date(2024, 1, 1), "ends_on": date(2023, 1, 1)}, people["qmr"])
    assert bad.value.field == "ends_on"
    assert db.session.scalar(select(func.count(Contract.id))) == 1


def test_legal_hold_needs_the_right_and_a_reason(app, ctx, people):
    online_form()
    record = approved_record(people["tl"], people["spv"])
    with pytest.raises(ServiceError):
        services.set_hold(record, people["spv"], True, "x")
    with pytest.raises(ServiceError):
        services.set_hold(record, people["qmr"], True, " ")
    services.set_hold(record, people["qmr"], True, "Audit eksternal")
    with pytest.raises(ServiceError):
        services.amend(record, people["tl"], "ubah")  # held records are frozen
    services.set_hold(record, people["qmr"], False, "Audit selesai")
    assert not record.legal_hold
    assert _actions(record)[-2:] == ["record.hold_placed", "record.hold_lifted"]


def test_home_page_lists_forms_due_until_a_record_exists(app, client, factories):
    from portal.records.inbox import period_bounds

    site = factories.site()
    tl = factories.user(["tl"], site=site)
    agent = factories.user(["agent"], site=site)
    with app.test_request_context():
        online_form()  # F-04: "@due: daily" and "@by: tl"
        db.session.commit()
    client.login(tl.username)
    assert "IN.OCC.TELK.F-04 harus diisi hari ini" in client.get("/").get_data(as_text=True)
    with app.test_request_context():
        services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, local_today())
        db.session.commit()
    assert "IN.OCC.TELK.F-04 harus diisi" not in client.get("/").get_data(as_text=True)
    other = app.test_client()
    other.login(agent.username)
    assert "harus diisi" not in other.get("/").get_data(as_text=True)  # agents fill no forms
    assert period_bounds("weekly", date(2026, 11, 26)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_bounds("monthly", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_home_page_lists_the_users_own_drafts_by_period_with_the_return_reason(app, ctx, people):
    """The drafts' lines come with the other providers' numbers in one statement (core.inbox.rows_column): each of
    the user's drafts once, in period order, a returned one with its reason; nobody else's, nothing submitted."""
    from flask_login import login_user

    from portal.core import inbox

    online_form()
    tl = people["tl"]
    later = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 20))
    earlier = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 5))
    returned = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 12))
    services.submit(returned, tl, TEST_PASSWORD, data=f04_data(tl.id))
    services.return_to_draft(returned, people["spv"], "Jumlah agen salah")
    submitted = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 1))
    services.submit(submitted, tl, TEST_PASSWORD, data=f04_data(tl.id))
    services.create("IN.OCC.TELK.F-04", people["tl2"], tl.site_id, None, date(2026, 11, 3))  # someone else's
    db.session.flush()
    login_user(tl)
    drafts = [i for i in inbox.items_for(tl) if i.kind == "draft"]
    assert [i.url for i in drafts] == [f"/records/{r.id}" for r in (earlier, returned, later)]
    assert [(i.title, i.detail, i.due) for i in drafts] == [
        (f"Draf rekaman untuk diselesaikan: {earlier.number} IN.OCC.TELK.F-04", "Real Monitoring Call Handling", "05 November 2026"),
        (f"Rekaman dikembalikan untuk diperbaiki: {returned.number} IN.OCC.TELK.F-04", "Jumlah agen salah", "12 November 2026"),
        (f"Draf rekaman untuk diselesaikan: {later.number} IN.OCC.TELK.F-04", "Real Monitoring Call Handling", "20 November 2026")]


def test_schema_directives(app):
    from portal.records.schema import parse_schema, schema_text

    with app.test_request_context():
        schema, errors = parse_schema("@due: mingguan\n@by: spv, tl\nx | X | text")
        assert errors == [] and (schema["due"], schema["by"]) == ("weekly", ["spv", "tl"])
        assert parse_schema(schema_text(schema)) == (schema, [])
        assert len(parse_schema("@due: kadang\n@by: boss\n@colour: red\nx | X | text")[1]) == 3


def test_home_page_counts_records_to_approve_and_lists_a_few(app, ctx, people):
    """The approver's home number is the records they may approve (their site, not their own, not another site's);
    up to five are listed one by one, more make one line to the list filtered by status."""
    from flask_login import login_user

    from portal.core import inbox
    from portal.records import inbox as records_inbox

    online_form()
    tl, spv = people["tl"], people["spv"]

    def submitted(author, day):
        record = services.create("IN.OCC.TELK.F-04", author, author.site_id, None, day)
        services.submit(record, author, TEST_PASSWORD, data=f04_data(author.id))
        db.session.flush()
        return record

    def approve_items(user):
        login_user(user)
        return [i for i in inbox.items_for(user) if i.kind == "sign" and "/records" in i.url]

    first = submitted(tl, date(2026, 11, 2))
    submitted(spv, date(2026, 11, 3))  # the supervisor's own: not theirs to approve
    items = approve_items(spv)
    assert [i.url for i in items] == [f"/records/{first.id}"]
    assert approve_items(people["spv_other_site"]) == []  # another site's supervisor
    for day in range(4, 9):
        submitted(people["tl2"], date(2026, 11, day))
    items = approve_items(spv)
    assert len(items) == 1 and items[0].url == "/records/?status=submitted" and items[0].title.startswith("6 ")
    assert records_inbox.LISTED == 5


def test_a_changing_autosave_on_postgresql_locks_the_chain_in_its_update_and_chains_after_a_waiting_writer(fresh_app):
    """PostgreSQL: a draft save's UPDATE returns the audit chain's head (`audit.head_returning`), so the save costs no
    round trip of its own for the head. The chain is locked after the row (RETURNING is computed once the row is
    written), and the head is read after that lock is granted: a save that waits for another writer of the chain
    chains on that writer's event. A save refused for a changed record takes no lock of the chain."""
    import threading

    from sqlalchemy import event, text

    from portal.core import audit
    from portal.core.service import ConflictError
    from tests.factories import make_site, make_user

    app = fresh_app("draftchain", AUDIT_HMAC_KEY="draft-chain-test-audit-key-0123456789")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite has one writer at a time and reads the head itself")
        with app.test_request_context():
            online_form()
            tl = make_user(["tl"], site=make_site())
            record = services.create("IN.OCC.TELK.F-04", tl, tl.site_id, None, date(2026, 11, 2))
            db.session.commit()
            record_id, tl_id = record.id, tl.id
        engine = db.engine
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

        def advisory_locks_held(conn):
            return conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND pid = pg_backend_pid()")).scalar()

        # A record changed since it was read: refused, and the chain was never locked.
        with app.test_request_context():
            from portal.auth.models import User

            stale = db.session.get(Record, record_id)
            db.session.execute(text("UPDATE record SET row_version = row_version + 1 WHERE id = :id"), {"id": record_id})
            with pytest.raises(ConflictError):
                services.save_draft(stale, db.session.get(User, tl_id), {"layanan_line": "108"})
            assert advisory_locks_held(db.session.connection()) == 0
            db.session.rollback()

        first = engine.connect()
        first.begin()
        head = first.execute(text("SELECT id, hash FROM audit_chain_head()")).one()
        first.execute(AuditEvent.__table__.insert().values(
            id=head.id + 1, created_at=audit.utcnow(), actor_name="", action="thing.first", object_type="",
            object_id="", old_values="", new_values="", reason="", client_address="", prev_hash=head.hash, hash="h1"))
        saved, errors = {}, []

        def autosave():
            try:
                with app.app_context(), app.test_request_context():
                    from portal.auth.models import User

                    record = db.session.get(Record, record_id)
                    record.form_revision, record.service, record.site  # noqa: B018 - loaded before counting
                    del statements[:]
                    saved["changed"] = services.save_draft(record, db.session.get(User, tl_id), {"layanan_line": "147"})
                    saved["statements"] = list(statements)
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        thread = threading.Thread(target=autosave)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the save must wait for the chain's lock"
        first.commit()
        thread.join(10)
        first.close()
        assert not errors and saved["changed"] is True
        heads = [s for s in saved["statements"] if "audit_chain_head" in s]
        assert len(heads) == 1 and heads[0].lstrip().upper().startswith("UPDATE RECORD"), saved["statements"]
        event_row = db.session.execute(select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.object_id)
                                       .where(AuditEvent.action == "record.draft_saved")).one()
        assert event_row == (head.id + 2, "h1", str(record_id))
