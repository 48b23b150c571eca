"""capa services without HTTP: numbering, root cause, actions, and the effectiveness gate."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.capa import services as capa
from portal.capa.models import Check
from portal.core.audit import AuditEvent
from portal.core.service import ServiceError
from portal.extensions import db
from tests.capa_factories import make_nc, waiting_nc


def _actions(nc_id):
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "nonconformity",
                                                                  AuditEvent.object_id == str(nc_id)).order_by(AuditEvent.id)))


def test_numbers_run_per_year(app, org):
    with app.test_request_context():
        a = make_nc(org["qmr"], found_on=date(2025, 12, 30))
        b = make_nc(org["qmr"], found_on=date(2026, 1, 2))
        c = make_nc(org["qmr"], found_on=date(2026, 3, 2))
        d = make_nc(org["qmr"], found_on=date(2025, 11, 2))
    assert [a.number, b.number, c.number, d.number] == ["NC-2025-0001", "NC-2026-0001", "NC-2026-0002", "NC-2025-0002"]
    assert _actions(a.id) == ["capa.raised"]


@pytest.mark.parametrize("field,value", [("title", ""), ("source", "rumour"), ("classification", "huge"), ("found_on", None),
                                         ("document_code", "IN.NOPE.P-99"), ("found_on", date(2099, 1, 1))])
def test_bad_input_is_refused_on_its_field(app, org, field, value):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        make_nc(org["qmr"], **{field: value})
    assert refused.value.field == field


def test_document_code_links_the_register(app, org):
    from tests.documents_factories import effective_document

    with app.test_request_context():
        doc = effective_document(code="IN.OCC.TELK.P-10")
        nc = make_nc(org["qmr"], document_code="in.occ.telk.p-10", clause="8. langkah 12")
    assert nc.document_id == doc.id and nc.document_code == "IN.OCC.TELK.P-10"


def test_root_cause_five_whys_and_fishbone(app, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        with pytest.raises(ServiceError) as refused:
            capa.save_root_cause(nc, [("Mengapa?", "")], {}, "x", org["qmr"])
        assert refused.value.field == "why_1"
        capa.save_root_cause(nc, [("W1", "A1"), ("W2", "A2")] + [("W", "A")] * 5,
                             {"man": "Agent baru", "nonsense": "x"}, "Akar", org["qmr"])
    assert len(nc.whys) == 5 and nc.fishbone == {"man": "Agent baru"} and nc.status == "analysed"


def test_action_owner_must_hold_capa_act(app, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        with pytest.raises(ServiceError) as refused:
            capa.add_action(nc, "x", org["agent"], date(2026, 11, 20), org["qmr"])
        assert refused.value.field == "owner"
        capa.add_action(nc, "x", org["tl"], date(2026, 11, 20), org["qmr"])
    assert nc.status == "actions"


def test_only_the_owner_records_an_action_done(app, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        action = capa.add_action(nc, "x", org["tl"], date(2026, 11, 20), org["qmr"])
        with pytest.raises(ServiceError):
            capa.complete_action(action, "selesai", org["spv"])
        capa.complete_action(action, "selesai", org["tl"])
    assert action.status == "done" and nc.status == "verifying"


def test_cannot_close_without_an_effective_check(app, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        with pytest.raises(ServiceError) as refused:
            capa.close(nc, org["qmr"])
    assert refused.value.field == "result" and nc.status == "verifying" and nc.closed_at is None


def test_cannot_check_before_the_actions_are_done(app, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        capa.add_action(nc, "x", org["tl"], date(2026, 11, 20), org["qmr"])
        capa.set_check(nc, date(2026, 12, 20), "manual", {}, "sampling", org["qmr"])
        with pytest.raises(ServiceError):
            capa.record_check(nc, "effective", "ok", org["qa"])
    assert nc.status == "actions"


def test_the_action_owner_cannot_verify_their_own_action(app, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["qa"])  # qa owns the action and may verify in general
        with pytest.raises(ServiceError) as refused:
            capa.record_check(nc, "effective", "Saya cek sendiri.", org["qa"])
    assert refused.value.field == "result" and "orang lain" in refused.value.message
    assert nc.status == "verifying" and not nc.checks


def test_an_effective_check_by_someone_else_closes(app, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        capa.record_check(nc, "effective", "Sampling 10 rencana: semua terdistribusi.", org["qa"])
    assert nc.status == "closed" and nc.closed_at is not None
    assert _actions(nc.id)[-2:] == ["capa.checked", "capa.closed"]
    with app.test_request_context(), pytest.raises(ServiceError):
        capa.add_action(nc, "lagi", org["tl"], date(2026, 12, 1), org["qmr"])


def test_an_ineffective_check_reopens_the_actions_and_keeps_history(app, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        capa.record_check(nc, "ineffective", "Masih ada keluhan.", org["qa"])
        assert nc.status == "reopened" and nc.reopened == 1
        assert [a.status for a in nc.actions] == ["reopened"] and nc.actions[0].done_note == "Sudah dilaksanakan."
        # the owner does it again; the second check closes it
        capa.complete_action(nc.actions[0], "Sosialisasi shift malam juga.", org["tl"])
        assert nc.status == "verifying"
        capa.record_check(nc, "effective", "Tidak ada keluhan lagi.", org["qmr"])
    results = list(db.session.scalars(select(Check.result).where(Check.nc_id == nc.id).order_by(Check.id)))
    assert results == ["ineffective", "effective"] and nc.status == "closed"
    assert "capa.reopened" in _actions(nc.id)


def test_links_to_register_revisions_and_records(app, org):
    from tests.documents_factories import effective_document

    with app.test_request_context():
        effective_document(code="IN.OCC.TELK.P-10")
        nc = make_nc(org["qmr"])
        action = capa.add_action(nc, "Revisi P-10", org["tl"], date(2026, 11, 20), org["qmr"])
        link = capa.add_link(action, "revision", "in.occ.telk.p-10", "0", org["tl"])
        with pytest.raises(ServiceError) as refused:
            capa.add_link(action, "revision", "IN.OCC.TELK.P-10", "07", org["tl"])
        assert refused.value.field == "number"
        with pytest.raises(ServiceError):
            capa.add_link(action, "record", "R-999999", "", org["tl"])
        with pytest.raises(ServiceError):  # someone neither owner nor manager
            capa.add_link(action, "document", "IN.OCC.TELK.P-10", "", org["spv"])
    assert link == {"kind": "revision", "ref": "IN.OCC.TELK.P-10", "number": "00", "label": "IN.OCC.TELK.P-10 Rev. 00"}


def test_evidence_files_are_judged_by_content(app, org, tmp_path):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        action = capa.add_action(nc, "x", org["tl"], date(2026, 11, 20), org["qmr"])
        with pytest.raises(ServiceError) as refused:
            capa.attach(action, b"MZ\x90\x00 not a pdf", "bukti.pdf", org["tl"])
        assert refused.value.field == "file"
        with pytest.raises(ServiceError):
            capa.attach(action, b"%PDF-1.4" + b"0" * (capa.MAX_EVIDENCE + 1), "besar.pdf", org["tl"])
        row = capa.attach(action, b"\xff\xd8\xff\xe0 jpeg", "foto.JPEG", org["tl"])
    assert row.file_path.endswith(".jpg") and capa.attachment_path(row).read_bytes().startswith(b"\xff\xd8\xff")


def test_overdue_actions_reach_the_owners_home_page(app, org, client):
    from portal.core.i18n import local_today

    with app.test_request_context():
        nc = make_nc(org["qmr"], found_on=local_today() - timedelta(days=30))
        capa.add_action(nc, "x", org["tl"], local_today() - timedelta(days=2), org["qmr"])
        db.session.commit()
    client.login(org["tl"].username)
    assert "/capa/?owner=me&amp;overdue=1" in client.get("/").get_data(as_text=True)
    client.logout()
    client.login(org["spv"].username)
    assert "overdue=1" not in client.get("/").get_data(as_text=True)
