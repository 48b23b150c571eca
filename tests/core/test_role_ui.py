"""Each role sees what it can use (issue 15): the hidden button or filter and the refusal both."""
from __future__ import annotations

from datetime import date

from portal.extensions import db
from tests.documents_factories import effective_document


def _doc(app, **kw):
    with app.test_request_context():
        doc = effective_document(**kw)
        db.session.commit()
        return doc.code


def test_api_tokens_are_for_those_who_build_reports_not_for_agents(app, client, factories):
    agent = factories.user(["agent"])
    client.login(agent.username)
    account = client.get("/account").get_data(as_text=True)
    assert 'data-testid="tokens-link"' not in account
    assert client.get("/account/tokens").status_code == 403
    assert client.post_form("/account/tokens", {"name": "x"}, token_from="/account").status_code == 403

    auditor = factories.user(["auditor"])
    client.logout()
    client.login(auditor.username)
    assert 'data-testid="tokens-link"' in client.get("/account").get_data(as_text=True)
    assert client.get("/account/tokens").status_code == 200


def test_a_token_stops_working_when_its_owner_loses_the_permission(app, make_client, factories):
    from portal.auth.models import UserRole
    from portal.auth.services import create_api_token
    from sqlalchemy import delete

    auditor = factories.user(["auditor"])
    with app.test_request_context():
        raw = create_api_token(auditor, "laporan")
        db.session.commit()
    tool = make_client()
    assert tool.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    with app.app_context():
        db.session.execute(delete(UserRole).where(UserRole.user_id == auditor.id))
        db.session.add(UserRole(user_id=auditor.id, role="agent"))
        db.session.commit()
    assert tool.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_register_offers_the_draft_filter_only_to_those_who_work_on_drafts(app, client, factories):
    _doc(app)
    client.login(factories.user(["agent"]).username)
    assert 'value="draft"' not in client.get("/documents/").get_data(as_text=True)
    client.logout()
    client.login(factories.user(["dc"]).username)
    assert 'value="draft"' in client.get("/documents/").get_data(as_text=True)


def test_an_overdue_review_is_shown_to_those_who_review_or_report_not_to_readers(app, client, factories):
    code = _doc(app, effective=date(2019, 1, 1))
    client.login(factories.user(["agent"]).username)
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    assert "Jadwal tinjauan" not in page and "terlambat" not in page
    assert client.get("/documents/reviews").status_code == 403
    client.logout()
    client.login(factories.user(["qmr"]).username)
    page = client.get(f"/documents/{code}").get_data(as_text=True)
    assert "Jadwal tinjauan" in page and "terlambat" in page


def test_the_home_page_promises_forms_and_signatures_only_to_those_who_get_them(app, client, factories):
    client.login(factories.user(["agent"]).username)
    page = client.get("/").get_data(as_text=True)
    assert "Tidak ada yang perlu Anda tindak lanjuti." in page and "Formulir yang perlu diisi" not in page
    client.logout()
    client.login(factories.user(["auditor"]).username)
    page = client.get("/").get_data(as_text=True)
    assert "semua (Anda melihat seluruh lokasi dan layanan)" in page  # not "none": an auditor sees every service
    client.logout()
    client.login(factories.user(["tl"]).username)
    assert "Formulir yang perlu diisi" in client.get("/").get_data(as_text=True)
