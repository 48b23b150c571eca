"""A small outbound organisation for the tapping tests: Malang with a TAM team led by `tl` (the agent `agent` and a
colleague), a team of another leader, a QCO and QA, a supervisor of Malang and one of another site."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.tapping import services as tapping
from tests.people_factories import make_position, make_staff, make_team


@pytest.fixture
def org(app, factories):
    site = factories.site(code="MLG", name="Malang")
    far = factories.site(code="SMG", name="Semarang")
    service = factories.service(code="TAM-CT0", name="TAM CT-0 PraNPC", direction="outbound")
    users = {r: factories.user([r], site=site, services=[service]) for r in ("tl", "agent", "qco", "qa", "spv", "manager", "hr")}
    users["qco2"] = factories.user(["qco"], site=site, services=[service])
    users["tl_b"] = factories.user(["tl"], site=site)
    users["spv_far"] = factories.user(["spv"], site=far)
    users["colleague_user"] = factories.user(["agent"], site=site)
    with app.test_request_context():
        tapping.seed()
        make_position("TL", "Team Leader", "tl")
        lead = make_staff(site=site, user=users["tl"], position="TL")
        team = make_team(site=site, service=service, leader=lead, name="MLG CT0-A")
        lead_b = make_staff(site=site, user=users["tl_b"], position="TL")
        team_b = make_team(site=site, service=service, leader=lead_b, name="MLG CT0-B")
        agent = make_staff(team=team, user=users["agent"], full_name="Rina Marlina", employee_number="1509001")
        colleague = make_staff(team=team, user=users["colleague_user"], full_name="Bayu Saputra", employee_number="1509002")
        outsider = make_staff(team=team_b, full_name="Citra Wulandari", employee_number="1509003")
        db.session.commit()
    return {**users, "site": site, "service": service, "team": team, "team_b": team_b, "agent_staff": agent,
            "colleague": colleague, "outsider": outsider}
