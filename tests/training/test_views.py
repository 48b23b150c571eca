"""Training pages through the test client: the 403 and the hidden button both, the grid saved per cell with htmx,
the signature form, the matrix and its Excel scoped to the team leader's team, the API, and the person's page section."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from tests.factories import TEST_PASSWORD
from tests.people_factories import make_position, make_staff, make_team
from tests.training_factories import make_course, make_session


@pytest.fixture
def org(app, factories):
    site = factories.site(name="Malang")
    service = factories.service(code="147V", name="147")
    users = {r: factories.user([r], site=site) for r in ("trainer", "tl", "spv", "agent", "hr")}
    with app.test_request_context():
        make_position("TL", "Team Leader", "tl")
        lead = make_staff(site=site, user=users["tl"], position="TL")
        team = make_team(site=site, service=service, leader=lead, name="MLG 147-A")
        other_team = make_team(site=site, service=service, name="MLG 147-B")
        agent = make_staff(team=team, user=users["agent"], full_name="Rina Marlina")
        colleague = make_staff(team=team, full_name="Bayu Saputra")
        outsider = make_staff(team=other_team, full_name="Citra Wulandari")
        course = make_course(code="INIT", name="Pelatihan awal", kind="initial")
        session = make_session(course, [agent, colleague], held_on=date(2026, 11, 2), trainer=users["trainer"])
        db.session.commit()
    return {**users, "team": team, "agent_staff": agent, "colleague": colleague, "outsider": outsider,
            "course": course, "session": session}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_trainer_sees_the_buttons_and_a_team_leader_neither_buttons_nor_access(client, org):
    client.login(org["trainer"].username)
    assert 'data-testid="new-session"' in _text(client.get("/training/"))
    assert 'data-testid="new-course"' in _text(client.get("/training/courses"))
    page = _text(client.get(f"/training/sessions/{org['session'].id}"))
    assert 'data-testid="sign-session"' in page and 'data-testid="add-attendees"' in page
    client.logout()
    client.login(org["tl"].username)
    assert 'data-testid="new-session"' not in _text(client.get("/training/"))
    page = _text(client.get(f"/training/sessions/{org['session'].id}"))
    assert 'data-testid="sign-session"' not in page and 'data-testid="score-' not in page
    assert client.post_form("/training/sessions/new", {"course_id": org["course"].id}).status_code == 403
    attendee = org["session"].attendees[0]
    assert client.post_form(f"/training/sessions/{org['session'].id}/cells/{attendee.id}",
                            {"field": "score", "score": "99"}).status_code == 403
    client.logout()
    client.login(org["agent"].username)
    assert client.get("/training/matrix").status_code == 403


def test_grid_cell_saved_with_htmx_and_a_refusal_next_to_the_row(client, org):
    client.login(org["trainer"].username)
    attendee = org["session"].attendees[0]
    url = f"/training/sessions/{org['session'].id}/cells/{attendee.id}"
    response = client.post_form(url, {"field": "score", "score": "85"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "lulus" in _text(response) and f'id="attendee-{attendee.id}"' in _text(response)
    response = client.post_form(url, {"field": "score", "score": "150"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "0 sampai 100" in _text(response)
    db.session.refresh(attendee)
    assert str(attendee.score) == "85.00"


def test_sign_with_a_wrong_password_is_refused_then_locked(client, org):
    client.login(org["trainer"].username)
    session = org["session"]
    for a in session.attendees:
        client.post_form(f"/training/sessions/{session.id}/cells/{a.id}", {"field": "score", "score": "80"})
    response = client.post_form(f"/training/sessions/{session.id}/sign", {"password": "wrong"})
    assert response.status_code == 422 and "Kata sandi salah" in _text(response)
    response = client.post_form(f"/training/sessions/{session.id}/sign", {"password": TEST_PASSWORD})
    assert response.status_code == 303
    page = _text(client.get(f"/training/sessions/{session.id}"))
    assert 'data-testid="amend-session"' in page and 'data-testid="score-' not in page
    assert 'data-testid="certificate-' in page
    a = session.attendees[0]
    pdf = client.get(f"/training/sessions/{session.id}/certificates/{a.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_matrix_excel_and_api_are_scoped_to_the_team_leaders_team(client, org):
    client.login(org["tl"].username)
    page = _text(client.get("/training/matrix"))
    assert "Rina Marlina" in page and "Bayu Saputra" in page and "Citra Wulandari" not in page
    book = load_workbook(io.BytesIO(client.get("/training/matrix.xlsx").data))
    names = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert "Citra Wulandari" not in names and "Rina Marlina" in names
    data = client.get(f"/api/training/matrix?team={org['team'].id}").get_json()
    person = next(p for p in data["people"] if p["name"] == "Rina Marlina")
    assert set(person) >= {"employee_number", "name", "items"}
    assert person["items"] == [{"course": "INIT", "title": "Pelatihan awal", "status": "missing", "valid_until": None}]
    assert client.get("/api/training/matrix?team=x").status_code == 400
    gate = _text(client.get("/training/gate"))
    assert "Rina Marlina" in gate and 'data-testid="override-' not in gate  # a team leader cannot override
    home = _text(client.get("/"))
    assert "gerbang kompetensi" in home


def test_supervisor_overrides_the_gate_with_a_reason(client, org):
    client.login(org["spv"].username)
    no = org["colleague"].employee_number
    assert f'data-testid="override-{no}"' in _text(client.get("/training/gate"))
    assert client.post_form(f"/training/gate/{no}/override", {"reason": "Kebutuhan layanan"}).status_code == 303
    assert "dikecualikan" in _text(client.get("/training/gate"))


def test_person_page_training_section_own_and_others(client, org):
    client.login(org["agent"].username)
    me = _text(client.get("/people/me"))
    assert "/training/people/" + org["agent_staff"].employee_number in me
    section = client.get("/training/people/" + org["agent_staff"].employee_number, headers={"HX-Request": "true"})
    assert section.status_code == 200 and "INIT" in _text(section) and "<html" not in _text(section)
    assert client.get("/training/people/" + org["colleague"].employee_number).status_code == 403
