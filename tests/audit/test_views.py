"""The auditors' page and its Excel export."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from portal.core import audit
from portal.core.xlsx import safe_value


def _seed(app):
    with app.test_request_context():
        audit.record("user.created", ("user", 7), new={"username": "=HYPERLINK(\"http://x\")"})
        audit.record("site.updated", ("site", 3), old={"name": "A"}, new={"name": "B"}, reason="+renamed")


def test_auditor_filters_the_trail(app, client, factories):
    auditor = factories.user(["auditor"])
    _seed(app)
    client.login(auditor.username)
    html = client.get("/audit/?action=site").get_data(as_text=True)
    assert 'title="site.updated"' in html and 'title="user.created"' not in html
    by_object = client.get("/audit/?object_type=user&object_id=7").get_data(as_text=True)
    assert 'title="user.created"' in by_object and 'title="site.updated"' not in by_object
    fragment = client.get("/audit/?action=user.created", headers={"HX-Request": "true", "HX-Target": "audit-results"})
    assert "<form" not in fragment.get_data(as_text=True)


def test_bad_dates_are_reported_not_crashed(client, factories):
    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    response = client.get("/audit/?start=2026-13-45")
    assert response.status_code == 422 and "flash-error" in response.get_data(as_text=True)


def test_keyset_pagination(app, client, factories):
    auditor = factories.user(["auditor"])
    with app.test_request_context():
        for i in range(60):
            audit.record("thing.touched", ("thing", i))
    client.login(auditor.username)
    first = client.get("/audit/?action=thing").get_data(as_text=True)
    assert "before=" in first
    import re

    before = re.search(r"before=(\d+)", first).group(1)
    second = client.get(f"/audit/?action=thing&before={before}").get_data(as_text=True)
    assert "thing 0<" in second.replace("</td>", "<") or "thing 0" in second


def test_export_to_excel_writes_formulas_as_text(app, client, factories):
    auditor = factories.user(["auditor"])
    _seed(app)
    client.login(auditor.username)
    response = client.get("/audit/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in ("No.", "No")
    values = [v for row in rows[1:] for v in row if isinstance(v, str)]
    assert any(v.startswith("'+renamed") for v in values)
    for cell in (c for row in sheet.iter_rows() for c in row):
        assert cell.data_type != "f"


def test_export_is_itself_audited(app, client, factories):
    from sqlalchemy import select

    from portal.core.audit import AuditEvent
    from portal.extensions import db

    auditor = factories.user(["auditor"])
    client.login(auditor.username)
    client.get("/audit/export.xlsx?action=user")
    db.session.expire_all()
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert last.action == "audit.exported" and last.new == {"filters": {"action": "user"}}


def test_safe_value():
    assert safe_value("=1+1") == "'=1+1"
    assert safe_value("-5") == "'-5"
    assert safe_value("@x") == "'@x"
    assert safe_value("\tx") == "'\tx"
    assert safe_value("normal") == "normal"
    assert safe_value(5) == 5


def test_agent_cannot_read_the_trail_nor_see_the_link(client, factories):
    agent = factories.user(["agent"])
    client.login(agent.username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403
    assert "/audit/" not in client.get("/").get_data(as_text=True)
