"""capa pages with the test client: who sees which button, the 403s, forms refused with their input kept (422)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.capa.models import Nonconformity
from portal.extensions import db
from tests.capa_factories import make_nc, waiting_nc


def _login(client, user):
    assert client.login(user.username).status_code == 303


@pytest.mark.parametrize("role,status", [("qmr", 200), ("qa", 200), ("tl", 200), ("spv", 200), ("manager", 200),
                                         ("auditor", 200), ("agent", 403)])
def test_who_reads_the_register(app, client, org, role, status):
    _login(client, org[role])
    assert client.get("/capa/").status_code == status


def test_raise_button_only_for_raisers(app, client, org):
    _login(client, org["manager"])
    page = client.get("/capa/").get_data(as_text=True)
    assert 'data-testid="new-nc"' not in page
    assert client.get("/capa/new").status_code == 403
    client.logout()
    _login(client, org["tl"])
    assert 'data-testid="new-nc"' in client.get("/capa/").get_data(as_text=True)


def test_tl_raises_an_nc_and_bad_input_keeps_the_typing(app, client, org):
    _login(client, org["tl"])
    bad = client.post_form("/capa/new", {"title": "Salam pembuka tidak sesuai", "source": "mystery_shopping",
                                         "classification": "minor", "found_on": "", "description": "Mystery shopper 147."},
                           token_from="/capa/new")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Salam pembuka tidak sesuai" in html and 'id="found_on-err"' in html
    assert db.session.scalar(select(Nonconformity.id)) is None
    ok = client.post_form("/capa/new", {"title": "Salam pembuka tidak sesuai", "source": "mystery_shopping",
                                        "classification": "minor", "found_on": "2026-11-02", "description": "Mystery shopper 147.",
                                        "site_id": str(org["site"].id)}, token_from="/capa/new")
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/capa/NC-2026-0001")


def test_manage_forms_hidden_from_raisers_and_refused(app, client, org):
    with app.test_request_context():
        nc = make_nc(org["qmr"])
        db.session.commit()
    _login(client, org["tl"])
    page = client.get(f"/capa/{nc.number}").get_data(as_text=True)
    assert 'data-testid="add-action"' not in page and 'data-testid="save-root-cause"' not in page
    assert 'data-testid="edit-nc"' not in page
    token = client.token(f"/capa/{nc.number}")
    assert client.post(f"/capa/{nc.number}/actions", data={"csrf_token": token, "description": "x"}).status_code == 403
    assert client.post(f"/capa/{nc.number}/root-cause", data={"csrf_token": token}).status_code == 403
    client.logout()
    _login(client, org["qa"])
    page = client.get(f"/capa/{nc.number}").get_data(as_text=True)
    assert 'data-testid="add-action"' in page and 'data-testid="save-root-cause"' in page


def test_the_owner_sees_done_and_another_does_not(app, client, org):
    with app.test_request_context():
        from portal.capa import services as capa

        nc = make_nc(org["qmr"])
        action = capa.add_action(nc, "Sosialisasi", org["tl"], date(2026, 11, 20), org["qmr"])
        db.session.commit()
    _login(client, org["tl2"])
    assert 'data-testid="action-done"' not in client.get(f"/capa/{nc.number}").get_data(as_text=True)
    token = client.token(f"/capa/{nc.number}")
    assert client.post(f"/capa/{nc.number}/actions/{action.id}/done", data={"csrf_token": token, "note": "x"}).status_code == 403
    client.logout()
    _login(client, org["tl"])
    assert 'data-testid="action-done"' in client.get(f"/capa/{nc.number}").get_data(as_text=True)
    r = client.post_form(f"/capa/{nc.number}/actions/{action.id}/done", {"note": "Selesai."}, token_from=f"/capa/{nc.number}")
    assert r.status_code == 303


def test_owner_verifying_is_refused_next_to_the_field(app, client, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["qa"])
        db.session.commit()
    _login(client, org["qa"])
    r = client.post_form(f"/capa/{nc.number}/verify", {"result": "effective", "note": "Saya cek."}, token_from=f"/capa/{nc.number}")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="result-err"' in html
    db.session.expire_all()
    assert db.session.get(Nonconformity, nc.id).status == "verifying"
    client.logout()
    _login(client, org["qmr"])
    r = client.post_form(f"/capa/{nc.number}/verify", {"result": "effective", "note": "Sampling oke."}, token_from=f"/capa/{nc.number}")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nonconformity, nc.id).status == "closed"


def test_verify_form_only_for_verifiers(app, client, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        db.session.commit()
    _login(client, org["spv"])
    assert 'data-testid="record-check"' not in client.get(f"/capa/{nc.number}").get_data(as_text=True)
    token = client.token(f"/capa/{nc.number}")
    assert client.post(f"/capa/{nc.number}/verify", data={"csrf_token": token, "result": "effective"}).status_code == 403


def test_evidence_upload_and_download(app, client, org):
    with app.test_request_context():
        from portal.capa import services as capa

        nc = make_nc(org["qmr"])
        action = capa.add_action(nc, "Sosialisasi", org["tl"], date(2026, 11, 20), org["qmr"])
        db.session.commit()
    _login(client, org["tl"])
    from io import BytesIO

    bad = client.post_form(f"/capa/{nc.number}/actions/{action.id}/evidence",
                           {"file": (BytesIO(b"<html>x</html>"), "bukti.pdf")}, token_from=f"/capa/{nc.number}",
                           content_type="multipart/form-data")
    assert bad.status_code == 422 and 'id="file-err"' in bad.get_data(as_text=True)
    ok = client.post_form(f"/capa/{nc.number}/actions/{action.id}/evidence",
                          {"file": (BytesIO(b"%PDF-1.4 daftar hadir"), "daftar hadir.pdf")}, token_from=f"/capa/{nc.number}",
                          content_type="multipart/form-data")
    assert ok.status_code == 303
    page = client.get(f"/capa/{nc.number}").get_data(as_text=True)
    assert "daftar hadir.pdf" in page
    from portal.capa.models import Attachment

    row = db.session.scalar(select(Attachment))
    got = client.get(f"/capa/{nc.number}/attachments/{row.id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF") and got.mimetype == "application/pdf"


def test_new_from_a_source_carries_its_evidence(app, client, org):
    from portal.capa import links

    links.register_source("test_src", label="Uji", loader=lambda ref: links.SourceEvidence(
        title=f"Temuan {ref}", description="Dari sumber uji", links=[("Bukti", "/records/")], site_id=org["site"].id,
        occurred_on=date(2026, 11, 2), source="complaint") if ref == "7" else None)
    _login(client, org["spv"])
    page = client.get("/capa/new?source=test_src&ref=7").get_data(as_text=True)
    assert "Temuan 7" in page and 'data-testid="source-evidence"' in page
    r = client.post_form("/capa/new", {"title": "Temuan 7", "source": "complaint", "classification": "major",
                                       "found_on": "2026-11-02", "description": "Dari sumber uji",
                                       "source_kind": "test_src", "source_ref": "7"}, token_from="/capa/new")
    assert r.status_code == 303
    nc = db.session.scalar(select(Nonconformity))
    assert (nc.source_kind, nc.source_ref, nc.evidence) == ("test_src", "7", [["Bukti", "/records/"]])
    # an unknown ref opens an empty form, never an error
    assert client.get("/capa/new?source=test_src&ref=999").status_code == 200
    assert client.get("/capa/new?source=nope&ref=1").status_code == 200


def test_report_pdf_is_registered_for_verify(app, client, org):
    with app.test_request_context():
        nc = waiting_nc(org["qmr"], org["tl"])
        db.session.commit()
    _login(client, org["auditor"])
    r = client.get(f"/capa/{nc.number}/report.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    token = r.headers["X-Printout-Token"]
    from portal.printing import services as printing

    verdict = printing.verify(printing.get(token))
    assert verdict.valid
    with app.test_request_context():
        from portal.capa import services as capa

        capa.record_check(db.session.get(Nonconformity, nc.id), "effective", "ok", org["qa"])
    assert not printing.verify(printing.get(token)).valid


def test_register_files_and_trends(app, client, org):
    with app.test_request_context():
        make_nc(org["qmr"], source="tapping", found_on=date(2026, 10, 3))
        make_nc(org["qmr"], source="complaint", classification="major", found_on=date(2026, 11, 3))
        db.session.commit()
    _login(client, org["manager"])
    x = client.get("/capa/register.xlsx?source=complaint")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    from openpyxl import load_workbook
    from io import BytesIO

    rows = list(load_workbook(BytesIO(x.data)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "NC-2026-0002"
    assert client.get("/capa/register.pdf").data.startswith(b"%PDF")
    t = client.get("/capa/trends")
    assert t.status_code == 200 and 'data-testid="nc-chart"' in t.get_data(as_text=True)


def test_list_filters(app, client, org):
    from portal.core.i18n import local_today

    with app.test_request_context():
        from portal.capa import services as capa

        late = make_nc(org["qmr"], title="Terlambat", found_on=local_today() - timedelta(days=20))
        capa.add_action(late, "x", org["tl"], local_today() - timedelta(days=1), org["qmr"])
        make_nc(org["qmr"], title="Tepat waktu", classification="observation")
        db.session.commit()
    _login(client, org["tl"])
    page = client.get("/capa/?overdue=1").get_data(as_text=True)
    assert "Terlambat" in page and "Tepat waktu" not in page
    page = client.get("/capa/?classification=observation").get_data(as_text=True)
    assert "Terlambat" not in page and "Tepat waktu" in page
    assert client.get("/capa/?site=99999999999999999999&service=abc&after=zz").status_code == 200


def test_lower_modules_offer_raising_an_nc_through_core_actions(app, client, make_client, org):
    """Coaching's finding page and tapping's QVS page show "Open nonconformity" through core.actions (they do not
    know capa): to those who may raise one, with the source and ref (or the month of RETURN clusters) in the link."""
    from types import SimpleNamespace

    from portal.core import actions

    with app.test_request_context():
        offered = actions.for_object("coaching.finding", SimpleNamespace(id=5), org["tl"])
        assert [url for _label, url in offered] == ["/capa/new?source=coaching&ref=5"]
        assert actions.for_object("coaching.finding", SimpleNamespace(id=5), org["manager"]) == []
        assert actions.for_object("tapping.qvs_month", date(2026, 10, 1), org["agent"]) == []
    _login(client, org["qa"])
    qvs = client.get("/tapping/qvs?month=2026-10").get_data(as_text=True)
    assert 'data-testid="qvs-action"' in qvs and "/capa/new?month=2026-10" in qvs
    clusters = client.get("/capa/new?month=2026-10").get_data(as_text=True)
    assert "Klaster RETURN 10/2026" in clusters and "Tidak ada tim dengan beberapa RETURN" in clusters
    assert client.get("/capa/new?month=2026-99").status_code == 200  # a bad month: this month's clusters
    manager = make_client()
    _login(manager, org["manager"])
    assert 'data-testid="qvs-action"' not in manager.get("/tapping/qvs?month=2026-10").get_data(as_text=True)
