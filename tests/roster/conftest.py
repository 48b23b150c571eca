"""A small organisation for the roster tests: an inbound service around the clock (shifts P, S, M and PM) and an
outbound one 08.00-17.00 (R), a team A led by `tl` with three agents (one without a contract after November), a
team B of another leader, and `spv` of the same site."""
from __future__ import annotations

from datetime import date, time

import pytest

from portal.extensions import db
from portal.roster import demo
from portal.roster import services as roster
from tests.people_factories import make_position, make_staff, make_team


@pytest.fixture
def org(app, factories):
    site = factories.site(name="Malang")
    inbound = factories.service(code="147R", name="147")
    outbound = factories.service(code="TAMR", name="TAM Add-On", direction="outbound")
    users = {r: factories.user([r], site=site) for r in ("tl", "spv", "agent", "manager", "hr", "admin")}
    users["tl_b"] = factories.user(["tl"], site=site)
    with app.test_request_context():
        demo.seed(users["admin"])
        make_position("TL", "Team Leader", "tl")
        lead = make_staff(site=site, user=users["tl"], position="TL", with_contract=True)
        team = make_team(site=site, service=inbound, leader=lead, name="MLG 147-A")
        lead_b = make_staff(site=site, user=users["tl_b"], position="TL", with_contract=True)
        team_b = make_team(site=site, service=inbound, leader=lead_b, name="MLG 147-B")
        team_out = make_team(site=site, service=outbound, leader=lead_b, name="MLG TAM-A")
        agent = make_staff(team=team, user=users["agent"], full_name="Rina Marlina", with_contract=True)
        bayu = make_staff(team=team, full_name="Bayu Saputra", with_contract=True)
        short = make_staff(team=team, full_name="Citra Pendek", with_contract=True, contract_end=date(2026, 11, 30))
        other = make_staff(team=team_b, full_name="Dodi Lain", with_contract=True)
        tam = make_staff(team=team_out, full_name="Eka Outbound", with_contract=True)
        db.session.commit()
    return {**users, "site": site, "inbound": inbound, "outbound": outbound, "team": team, "team_b": team_b,
            "team_out": team_out, "agent_staff": agent, "bayu": bayu, "short": short, "other": other, "tam": tam,
            "lead": lead}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def month_of(team, first: date, actor):
    return roster.month_for(team, first, actor)


T = time
