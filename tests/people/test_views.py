"""People pages through the test client: who sees whom (403 and the hidden buttons), personal data, HR's forms with
the errors next to the fields and the typing kept, moves and extensions, the team on a past day, the import report,
the home-page reminder and sections added by other modules."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from portal.core.i18n import local_today
from portal.extensions import db
from portal.people.models import Staff, StaffContract, TeamMembership
from tests.people.test_services import workbook, _row
from tests.people_factories import make_position, make_staff, make_team


@pytest.fixture
def org(app, factories):
    """Malang: team A led by `tl` (with `agent` and a colleague who never signs in), team B; Semarang: one team."""
    mlg = factories.site(name="Malang")
    smg = factories.site(name="Semarang")
    service = factories.service(name="147")
    users = {"hr": factories.user(["hr"], site=smg), "tl": factories.user(["tl"], site=mlg),
             "tl_b": factories.user(["tl"], site=mlg), "spv": factories.user(["spv"], site=mlg),
             "spv_far": factories.user(["spv"], site=smg), "agent": factories.user(["agent"], site=mlg),
             "auditor": factories.user(["auditor"], site=smg), "manager": factories.user(["manager"], site=smg),
             "qco": factories.user(["qco"], site=mlg)}
    with app.test_request_context():
        make_position("AGENT", "Agent")
        make_position("TL", "Team Leader", "tl")
        lead = make_staff(site=mlg, user=users["tl"], position="TL", full_name="Dewi Lestari")
        team_a = make_team(site=mlg, service=service, leader=lead, name="MLG 147-A")
        db.session.add(TeamMembership(staff_id=lead.id, team_id=team_a.id, starts_on=lead.hire_date))
        lead_b = make_staff(site=mlg, user=users["tl_b"], position="TL")
        team_b = make_team(site=mlg, service=service, leader=lead_b, name="MLG 147-B")
        agent = make_staff(team=team_a, user=users["agent"], full_name="Rina Marlina", with_contract=True,
                           birth_date=date(2001, 2, 3), phone="0812-555", contract_end=local_today() + timedelta(days=20))
        colleague = make_staff(team=team_a, full_name="Bayu Saputra", with_contract=True,
                               contract_end=local_today() + timedelta(days=400))
        other = make_staff(team=team_b, full_name="Citra Wulandari")
        far_team = make_team(site=smg, service=service, name="SMG 147-A")
        far = make_staff(team=far_team, full_name="Joko Santoso")
        db.session.commit()
    return {**users, "agent_staff": agent, "colleague": colleague, "other": other, "far": far, "team_a": team_a,
            "team_b": team_b, "far_team": far_team, "site": mlg, "service": service}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_hr_sees_everyone_and_the_buttons(client, org):
    client.login(org["hr"].username)
    page = _text(client.get("/people/?status=all"))
    for name in ("Rina Marlina", "Bayu Saputra", "Citra Wulandari", "Joko Santoso"):
        assert name in page
    assert 'data-testid="new-staff"' in page and 'data-testid="import-link"' in page
    person = _text(client.get(f"/people/{org['agent_staff'].employee_number}"))
    assert 'data-testid="add-contract"' in person and 'data-testid="move-staff"' in person and "0812-555" in person
    assert 'data-testid="extend-' in person


def test_team_leader_sees_their_team_only_and_no_buttons(client, org):
    client.login(org["tl"].username)
    page = _text(client.get("/people/"))
    assert "Rina Marlina" in page and "Bayu Saputra" in page
    assert "Citra Wulandari" not in page and "Joko Santoso" not in page
    assert 'data-testid="new-staff"' not in page
    person = client.get(f"/people/{org['agent_staff'].employee_number}")
    assert person.status_code == 200
    html = _text(person)
    assert "0812-555" in html  # the manager chain sees personal data
    assert 'data-testid="add-contract"' not in html and 'data-testid="extend-' not in html
    assert client.get(f"/people/{org['other'].employee_number}").status_code == 403
    assert client.get(f"/people/teams/{org['team_b'].id}").status_code == 403
    assert client.get(f"/people/teams/{org['team_a'].id}").status_code == 200
    teams = _text(client.get("/people/teams"))
    assert "MLG 147-A" in teams and "MLG 147-B" not in teams
    assert client.get("/people/new").status_code == 403
    assert client.post_form(f"/people/{org['agent_staff'].employee_number}/move",
                            {"team_id": org["team_b"].id, "starts_on": "2026-01-01"}).status_code == 403


def test_supervisor_sees_their_site_and_not_another(client, org):
    client.login(org["spv"].username)
    page = _text(client.get("/people/"))
    assert "Citra Wulandari" in page and "Rina Marlina" in page and "Joko Santoso" not in page
    assert client.get(f"/people/{org['far'].employee_number}").status_code == 403
    assert client.get(f"/people/teams/{org['far_team'].id}").status_code == 403


def test_agent_sees_only_their_own_page(client, org):
    client.login(org["agent"].username)
    me = client.get("/people/me")
    assert me.status_code == 200
    html = _text(me)
    assert "Rina Marlina" in html and "0812-555" in html and "MLG 147-A" in html
    assert 'data-testid="edit-staff"' not in html
    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{org['agent_staff'].employee_number}").status_code == 403
    assert client.get(f"/people/{org['colleague'].employee_number}").status_code == 403


def test_auditor_sees_people_but_not_personal_data(client, org):
    client.login(org["auditor"].username)
    html = _text(client.get(f"/people/{org['agent_staff'].employee_number}"))
    assert "Rina Marlina" in html and "MLG 147-A" in html
    assert "0812-555" not in html and 'data-testid="personal-data"' not in html


def test_a_user_without_staff_record_gets_a_clear_page(client, org, factories):
    client.login(org["qco"].username)
    response = client.get("/people/me")
    assert response.status_code == 200 and "Tidak ada data karyawan" in _text(response)


def test_hr_adds_a_person_and_bad_input_is_kept_with_the_message_by_the_field(client, org):
    client.login(org["hr"].username)
    agent_position = make_position("AGENT").id
    form = {"employee_number": org["agent_staff"].employee_number, "full_name": "Nama Yang Diketik",
            "position_id": agent_position, "site_id": org["site"].id, "service_ids": [org["service"].id],
            "team_id": org["team_a"].id, "hire_date": "2026-11-02", "status": "active", "education": "D3",
            "user_id": "", "phone": "0857"}
    bad = client.post_form("/people/new", form)
    assert bad.status_code == 422
    html = _text(bad)
    assert "Nama Yang Diketik" in html and "sudah dipakai" in html
    assert html.index("sudah dipakai") > html.index('name="employee_number"')  # next to its field
    form["employee_number"] = "1509777"
    good = client.post_form("/people/new", form)
    assert good.status_code == 303 and good.headers["Location"].endswith("/people/1509777")
    staff = db.session.scalar(select(Staff).where(Staff.employee_number == "1509777"))
    assert staff.full_name == "Nama Yang Diketik" and staff.team.name == "MLG 147-A"


def test_hr_moves_a_person_and_the_team_on_a_past_day_still_lists_them(client, org):
    client.login(org["hr"].username)
    number = org["colleague"].employee_number
    refused = client.post_form(f"/people/{number}/move", {"team_id": org["team_b"].id, "starts_on": "2020-01-01"})
    assert refused.status_code == 422 and "2020-01-01" in _text(refused)
    moved = client.post_form(f"/people/{number}/move", {"team_id": org["team_b"].id, "starts_on": "2026-03-01",
                                                         "reason": "Rotasi"})
    assert moved.status_code == 303
    history = _text(client.get(f"/people/{number}"))
    assert "MLG 147-A" in history and "MLG 147-B" in history and "Rotasi" in history
    before = _text(client.get(f"/people/teams/{org['team_a'].id}?on=2026-02-15"))
    after = _text(client.get(f"/people/teams/{org['team_a'].id}?on=2026-03-01"))
    assert "Bayu Saputra" in before and "Bayu Saputra" not in after


def test_hr_evaluates_and_the_manager_signs_the_extension(client, make_client, org):
    client.login(org["hr"].username)
    staff = org["agent_staff"]
    contract = db.session.scalar(select(StaffContract).where(StaffContract.staff_id == staff.id))
    url = f"/people/{staff.employee_number}/contracts/{contract.id}/extend"
    assert client.get(url).status_code == 200
    refused = client.post_form(url, {"recommendation": "extend", "kind": "pkwt", "ends_on": "2027-12-31", "evaluation": ""})
    assert refused.status_code == 422 and "2027-12-31" in _text(refused)
    sent = client.post_form(url, {"recommendation": "extend", "kind": "pkwt", "ends_on": "2027-12-31",
                                  "evaluation": "Kinerja baik", "number": "PKWT/2"})
    assert sent.status_code == 303
    page = _text(client.get(f"/people/{staff.employee_number}"))
    assert "Kinerja baik" in page and "sign-decision" not in page  # HR proposes, never signs
    assert db.session.scalar(select(StaffContract).where(StaffContract.staff_id == staff.id,
                                                         StaffContract.extends_id.is_not(None))) is None
    manager = make_client()
    manager.login(org["manager"].username)
    assert "1 evaluasi kontrak menunggu keputusan" in _text(manager.get("/"))
    page = _text(manager.get(f"/people/{staff.employee_number}"))
    ext_id = int(page.split('data-testid="sign-decision-')[1].split('"')[0])
    decide = f"/people/{staff.employee_number}/extensions/{ext_id}/decide"
    token_page = f"/people/{staff.employee_number}"
    wrong = manager.post_form(decide, {f"decide-{ext_id}-decision": "approve", f"decide-{ext_id}-password": "salah"},
                              token_from=token_page)
    assert wrong.status_code == 422
    signed = manager.post_form(decide, {f"decide-{ext_id}-decision": "approve",
                                        f"decide-{ext_id}-password": "correct-horse-battery"}, token_from=token_page)
    assert signed.status_code == 303
    db.session.expire_all()
    rows = db.session.scalars(select(StaffContract).where(StaffContract.staff_id == staff.id)
                              .order_by(StaffContract.starts_on)).all()
    assert len(rows) == 2 and rows[1].starts_on == contract.ends_on + timedelta(days=1) and rows[1].extends_id == contract.id
    assert rows[1].ends_on == date(2027, 12, 31)
    assert "Ditandatangani oleh" in _text(manager.get(f"/people/{staff.employee_number}"))
    other_staff_url = f"/people/{org['colleague'].employee_number}/contracts/{contract.id}/extend"
    assert client.get(other_staff_url).status_code == 404


def test_hr_import_reports_rows_and_saves_nothing_on_an_error(client, org):
    client.login(org["hr"].username)
    token = client.token("/people/import")
    site = org["site"].name
    data = workbook([_row("3001", site=site, **{"Layanan": "147", "Tim": "MLG 147-A"}),
                     _row("3002", site="Atlantis", **{"Layanan": "147"})])
    response = client.post("/people/import", data={"csrf_token": token, "file": (io.BytesIO(data), "karyawan.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = _text(response)
    assert 'data-testid="import-report"' in html and "Atlantis" in html
    assert db.session.scalar(select(Staff.id).where(Staff.employee_number == "3001")) is None
    ok = client.post("/people/import", data={"csrf_token": token, "file": (io.BytesIO(workbook(
        [_row("3001", site=site, **{"Layanan": "147", "Tim": "MLG 147-A"})])), "karyawan.xlsx")},
        content_type="multipart/form-data")
    assert ok.status_code == 303
    assert db.session.scalar(select(Staff).where(Staff.employee_number == "3001")).team.name == "MLG 147-A"
    template = client.get("/people/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")


def test_home_page_counts_contracts_ending_for_hr_and_the_supervisor_of_the_site(client, make_client, org):
    client.login(org["hr"].username)
    html = _text(client.get("/"))
    # One line per reminder window (7, 30, 60 days), each person in the shortest window that holds their end.
    assert "1 kontrak kerja berakhir dalam 30 hari" in html and "/people/?ending=30" in html  # the contract ends in 20 days
    assert "dalam 7 hari" not in html and "dalam 60 hari" not in html
    far = make_client()
    far.login(org["spv_far"].username)
    assert "kontrak kerja berakhir" not in _text(far.get("/"))
    near = make_client()
    near.login(org["spv"].username)
    assert "kontrak kerja berakhir" in _text(near.get("/"))
    listed = _text(client.get("/people/?ending=30"))
    assert "Rina Marlina" in listed and "Bayu Saputra" not in listed


def test_the_home_pages_contract_count_follows_every_change_at_once(app, client, org):
    """The count is kept while the staff and their contracts are unchanged (the "people" area of core/fragments.py):
    a contract changed through the portal's models or by a statement typed outside it shows on the next visit."""
    client.login(org["hr"].username)
    assert "1 kontrak kerja berakhir dalam 30 hari" in _text(client.get("/"))
    assert "1 kontrak kerja berakhir dalam 30 hari" in _text(client.get("/"))  # the kept number
    contract = db.session.scalar(select(StaffContract).where(StaffContract.staff_id == org["colleague"].id))
    contract.ends_on = local_today() + timedelta(days=5)
    db.session.commit()
    html = _text(client.get("/"))
    assert "1 kontrak kerja berakhir dalam 7 hari" in html and "1 kontrak kerja berakhir dalam 30 hari" in html
    db.session.execute(text("UPDATE staff_contract SET ends_on = :day WHERE id = :id"),
                       {"day": local_today() + timedelta(days=400), "id": contract.id})
    db.session.commit()
    html = _text(client.get("/"))
    assert "dalam 7 hari" not in html and "1 kontrak kerja berakhir dalam 30 hari" in html


def test_another_module_adds_a_section_to_the_person_page(client, org):
    from portal.people import sections

    registered = sections._sections.get("training")  # the training module's own section, put back afterwards
    sections.register(sections.Section("training", "Pelatihan", "people/sections/team.html",
                                       lambda user, staff: {"memberships": []}, order=50))
    try:
        client.login(org["hr"].username)
        html = _text(client.get(f"/people/{org['agent_staff'].employee_number}"))
        assert 'id="section-training"' in html and "Pelatihan" in html
    finally:
        sections._sections.pop("training", None)
        if registered is not None:
            sections.register(registered)


def test_hr_uploads_the_signed_contract_and_only_the_person_and_their_chain_open_it(client, make_client, org):
    from portal.core.audit import AuditEvent

    number = org["agent_staff"].employee_number
    contract = db.session.scalar(select(StaffContract).where(StaffContract.staff_id == org["agent_staff"].id))
    client.login(org["hr"].username)
    page = _text(client.get(f"/people/{number}"))
    assert f'data-testid="upload-contract-{contract.id}"' in page
    url = f"/people/{number}/contracts/{contract.id}/document"
    token = client.token(f"/people/{number}")
    # Not a PDF, JPEG or PNG by its bytes: refused with a message, nothing stored.
    bad = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(b"<script>alert(1)</script>"), "kontrak.pdf")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "Hanya berkas PDF, JPEG atau PNG" in _text(bad) or "PDF, JPEG" in _text(bad)
    db.session.expire_all()
    assert db.session.get(StaffContract, contract.id).file_path == ""
    ok = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.4 kontrak"), "Kontrak Rina.pdf")},
                     content_type="multipart/form-data")
    assert ok.status_code == 303
    db.session.expire_all()
    stored = db.session.get(StaffContract, contract.id)
    assert stored.file_path.startswith("contracts/") and stored.file_mime == "application/pdf"
    assert f'data-testid="contract-document-{contract.id}"' in _text(client.get(f"/people/{number}"))
    got = client.get(url)
    assert got.status_code == 200 and got.data == b"%PDF-1.4 kontrak" and "attachment" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    viewed = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("staff_contract.document_%"))).all()
    assert viewed.count("staff_contract.document_uploaded") == 1 and viewed.count("staff_contract.document_viewed") == 1
    own = make_client()
    own.login(org["agent"].username)  # the person themselves
    assert own.get(url).status_code == 200
    assert own.post(url, data={"csrf_token": own.token("/people/me")}).status_code == 403  # only HR uploads
    auditor = make_client()
    auditor.login(org["auditor"].username)  # sees the staff, not their personal documents
    assert auditor.get(url).status_code == 403
    assert f'data-testid="contract-document-{contract.id}"' not in _text(auditor.get(f"/people/{number}"))


def test_the_staff_list_pages_by_key_forward_and_back_keeping_the_filters(app, client, org):
    import re
    from html import unescape

    from portal.people import views

    with app.test_request_context():
        for n in range(2 * views.PAGE_SIZE + 7):
            make_staff(site=org["site"], employee_number=f"P{n:05d}", full_name=f"Pegawai Halaman {n}")
        db.session.commit()
        expected = db.session.scalars(select(Staff.employee_number).where(Staff.full_name.like("Pegawai Halaman%"))
                                      .order_by(Staff.employee_number)).all()
    client.login(org["hr"].username)

    def numbers(html):
        return re.findall(r"<strong>(P\d{5})</strong>", html)

    def links(html):
        return {rel: unescape(href) for rel, href in re.findall(r'rel="(prev|next)" href="([^"]+)"', html)}

    url, pages, seen = "/people/?q=Pegawai+Halaman", [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append((url, numbers(html)))
        seen += numbers(html)
        found = links(html)
        if len(pages) == 1:
            assert "prev" not in found
        url = found.get("next")
        if url:
            assert "q=Pegawai+Halaman" in url or "q=Pegawai%20Halaman" in url  # the filter stays
    assert seen == expected and [len(p[1]) for p in pages] == [views.PAGE_SIZE, views.PAGE_SIZE, 7]
    back = links(client.get(pages[-1][0]).get_data(as_text=True))["prev"]
    assert "before=" in back and "Pegawai" in back
    assert numbers(client.get(back).get_data(as_text=True)) == pages[1][1]
    first = links(client.get(back).get_data(as_text=True))["prev"]
    assert numbers(client.get(first).get_data(as_text=True)) == pages[0][1]
    assert "prev" not in links(client.get(first).get_data(as_text=True))  # back at the start: no "previous"
    for bad in ("~", "a~b", "x" * 300):
        assert client.get(f"/people/?after={bad}").status_code == 200
