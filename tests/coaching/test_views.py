"""Coaching pages through the test client: an agent sees their own findings, sessions and warnings and nothing of
anyone else's (403 on another's, no buttons); a team leader records a finding and a coaching session for their team
only; the agent acknowledges; a warning of a level the role may not issue is refused; the letter PDF."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.coaching import services as coaching
from portal.coaching.models import CoachingSession, WarningLevel
from portal.extensions import db
from tests.factories import TEST_PASSWORD
from tests.people_factories import make_position, make_staff, make_team


@pytest.fixture
def org(app, factories):
    site = factories.site(name="Malang")
    service = factories.service(code="147W", name="147")
    users = {r: factories.user([r], site=site) for r in ("tl", "spv", "agent", "qco")}
    users["tl_b"] = factories.user(["tl"], site=site)
    with app.test_request_context():
        coaching.seed()
        make_position("TL", "Team Leader", "tl")
        lead = make_staff(site=site, user=users["tl"], position="TL")
        team = make_team(site=site, service=service, leader=lead, name="MLG 147-A")
        lead_b = make_staff(site=site, user=users["tl_b"], position="TL")
        team_b = make_team(site=site, service=service, leader=lead_b, name="MLG 147-B")
        agent = make_staff(team=team, user=users["agent"], full_name="Rina Marlina")
        colleague = make_staff(team=team, full_name="Bayu Saputra")
        outsider = make_staff(team=team_b, full_name="Citra Wulandari")
        sp1 = db.session.scalar(select(WarningLevel).where(WarningLevel.code == "SP1"))
        warning = coaching.write_warning(colleague, sp1, {"issued_on": date(2026, 11, 2), "reason": "Pelanggaran"}, users["spv"])
        other_finding = coaching.raise_finding(colleague, {"kind": "violation", "found_on": date(2026, 11, 1),
                                                           "description": "Rahasia Bayu"}, users["tl"])
        db.session.commit()
    return {**users, "agent_staff": agent, "colleague": colleague, "outsider": outsider, "warning": warning,
            "other_finding": other_finding}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_team_leader_records_a_finding_and_a_session_the_agent_acknowledges(client, make_client, org):
    client.login(org["tl"].username)
    page = _text(client.get("/coaching/"))
    assert 'data-testid="new-finding"' in page and 'data-testid="new-coaching"' in page
    form = _text(client.get("/coaching/findings/new"))
    assert "Rina Marlina" in form and "Citra Wulandari" not in form  # only their team
    response = client.post_form("/coaching/findings/new", {"staff_id": org["agent_staff"].id, "kind": "late_login",
                                                           "found_on": "2026-11-20", "rule": "P-10 langkah 16",
                                                           "description": "Login terlambat 12 menit"})
    assert response.status_code == 303
    assert client.post_form("/coaching/findings/new", {"staff_id": org["outsider"].id, "kind": "late_login",
                                                       "found_on": "2026-11-20", "description": "x"}).status_code in (403, 422)
    response = client.post_form("/coaching/new", {"staff_id": org["agent_staff"].id, "held_on": "2026-11-21",
                                                  "topic": "Ketepatan login", "actions": "Login 10 menit lebih awal",
                                                  "follow_up_on": "2026-12-05"})
    assert response.status_code == 303
    row = db.session.scalar(select(CoachingSession).where(CoachingSession.staff_id == org["agent_staff"].id))
    assert 'data-testid="acknowledge"' not in _text(client.get(f"/coaching/{row.id}"))  # the coach cannot acknowledge
    agent = make_client()
    agent.login(org["agent"].username)
    assert "1 sesi coaching perlu dikonfirmasi" in _text(agent.get("/"))
    assert 'data-testid="acknowledge"' in _text(agent.get(f"/coaching/{row.id}"))
    assert agent.post_form(f"/coaching/{row.id}/acknowledge").status_code == 303
    assert "sudah dikonfirmasi" in _text(agent.get(f"/coaching/{row.id}"))


def test_agent_sees_only_their_own_records(client, org):
    with client.application.test_request_context():
        coaching.raise_finding(db.session.get(type(org["agent_staff"]), org["agent_staff"].id),
                               {"kind": "late_login", "found_on": date(2026, 11, 3), "description": "Milik Rina"}, org["tl"])
        db.session.commit()
    client.login(org["agent"].username)
    page = _text(client.get("/coaching/"))
    assert "Rina Marlina" in page  # their own finding
    assert "Bayu Saputra" not in page and org["warning"].number not in page
    assert 'data-testid="new-finding"' not in page and 'data-testid="new-warning"' not in page
    assert client.get(f"/coaching/warnings/{org['warning'].id}").status_code == 403
    assert client.get(f"/coaching/warnings/{org['warning'].id}.pdf").status_code == 403
    assert client.get(f"/coaching/findings/{org['other_finding'].id}").status_code == 403
    assert client.get("/coaching/people/" + org["colleague"].employee_number).status_code == 403
    own = client.get("/coaching/people/" + org["agent_staff"].employee_number, headers={"HX-Request": "true"})
    assert own.status_code == 200 and "tidak dalam masa pembinaan" in _text(own)
    assert client.get("/coaching/findings/new").status_code == 403


def test_warning_levels_by_role_and_the_letter(client, org):
    client.login(org["tl"].username)
    form = _text(client.get("/coaching/warnings/new"))
    assert "Teguran lisan" in form and "Surat Peringatan 1" not in form  # a TL gives verbal warnings only
    sp1 = db.session.scalar(select(WarningLevel).where(WarningLevel.code == "SP1"))
    response = client.post_form("/coaching/warnings/new", {"staff_id": org["agent_staff"].id, "level_id": sp1.id,
                                                           "issued_on": "2026-11-25", "reason": "x", "password": TEST_PASSWORD})
    assert response.status_code == 422
    client.logout()
    client.login(org["spv"].username)
    section = _text(client.get("/coaching/people/" + org["colleague"].employee_number, headers={"HX-Request": "true"}))
    assert "dalam masa pembinaan" in section and 'data-testid="issue-warning"' in section
    pdf = client.get(f"/coaching/warnings/{org['warning'].id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.logout()
    client.login(org["qco"].username)
    assert client.get("/coaching/warnings/new").status_code == 403
    assert 'data-testid="new-warning"' not in _text(client.get("/coaching/"))


def test_a_finding_keeps_an_evidence_file_that_only_those_who_see_the_finding_open(client, make_client, org):
    """Evidence as an attachment: PDF, JPEG or PNG by content; a refused file keeps the typing and stores nothing; the
    file opens for the team leader and the person (each view audited), not for a colleague."""
    import io

    from portal.coaching.models import Finding
    from portal.core.audit import AuditEvent

    client.login(org["tl"].username)
    form = _text(client.get("/coaching/findings/new"))
    assert 'enctype="multipart/form-data"' in form and 'name="evidence_file"' in form
    fields = {"staff_id": org["agent_staff"].id, "kind": "indiscipline", "found_on": "2026-11-22",
              "description": "Meninggalkan meja tanpa izin"}
    refused = client.post_form("/coaching/findings/new", {**fields, "evidence_file": (io.BytesIO(b"MZ\x90\x00 exe"), "bukti.pdf")},
                               content_type="multipart/form-data")
    assert refused.status_code == 422
    page = _text(refused)
    assert "Hanya berkas PDF, JPEG atau PNG" in page and "Meninggalkan meja tanpa izin" in page
    assert db.session.scalar(select(Finding).where(Finding.description == "Meninggalkan meja tanpa izin")) is None
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post_form("/coaching/findings/new", {**fields, "evidence_file": (io.BytesIO(png), "layar meja.png")},
                                content_type="multipart/form-data")
    assert response.status_code == 303
    row = db.session.scalar(select(Finding).where(Finding.description == "Meninggalkan meja tanpa izin"))
    assert row.evidence_file_name == "layar meja.png" and row.evidence_file_path.startswith("findings/")
    page = _text(client.get(f"/coaching/findings/{row.id}"))
    assert 'data-testid="evidence-file"' in page and "layar meja.png" in page
    download = client.get(f"/coaching/findings/{row.id}/evidence")
    assert download.status_code == 200 and download.data == png and download.mimetype == "image/png"
    assert "attachment" in download.headers["Content-Disposition"]
    agent = make_client()
    agent.login(org["agent"].username)
    assert agent.get(f"/coaching/findings/{row.id}/evidence").status_code == 200
    other = make_client()
    other.login(org["tl_b"].username)
    assert other.get(f"/coaching/findings/{row.id}/evidence").status_code == 403
    views = db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "finding.evidence_viewed"))
    assert views == 2
