"""Coaching services without HTTP: warning validity at the boundaries, who may issue which level, the signature, the
escalation proposals (count, window, answered by a warning), acknowledgement by the coached person only, the
"under coaching" flag read by the people module's screening, and the warning letter read back with pdftotext."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.coaching import paper
from portal.coaching import services as coaching
from portal.coaching.models import WarningLevel
from portal.core.service import ServiceError
from portal.extensions import db
from tests.factories import TEST_PASSWORD
from tests.people_factories import make_staff, make_team


def _level(code: str) -> WarningLevel:
    return db.session.scalar(select(WarningLevel).where(WarningLevel.code == code))


@pytest.fixture
def world(app, factories):
    site = factories.site(name="Malang")
    service = factories.service(code="147C", name="147")
    users = {r: factories.user([r], site=site) for r in ("tl", "spv", "manager", "agent")}
    with app.test_request_context():
        coaching.seed()
        team = make_team(site=site, service=service, name="Tim A")
        agent = make_staff(team=team, user=users["agent"], full_name="Rina")
        other = make_staff(team=team, full_name="Bayu")
        db.session.commit()
    return {**users, "agent_staff": agent, "other": other, "team": team, "site": site}


def test_levels_are_seeded_as_data(app, world):
    with app.app_context():
        levels = coaching.levels()
        assert [lv.code for lv in levels] == ["LISAN", "SP1", "SP2", "SP3"]
        assert _level("SP1").validity_months == 6 and _level("SP3").roles == {"manager"}


def test_warning_validity_and_who_may_issue_it(app, world):
    with app.test_request_context():
        with pytest.raises(ServiceError, match="SP1|Surat"):
            coaching.issue_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 1, 31), "reason": "x"},
                                   TEST_PASSWORD, world["tl"])
        with pytest.raises(ServiceError):
            coaching.issue_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 1, 31), "reason": " "},
                                   TEST_PASSWORD, world["spv"])
        with pytest.raises(ServiceError):
            coaching.issue_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 1, 31), "reason": "x"},
                                   "wrong", world["spv"])
        w = coaching.issue_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 1, 31),
                                                                   "reason": "Meninggalkan layanan"}, TEST_PASSWORD, world["spv"])
        assert w.valid_until == date(2026, 7, 30)
        assert w.valid_on(date(2026, 1, 31)) and w.valid_on(date(2026, 7, 30))
        assert not w.valid_on(date(2026, 1, 30)) and not w.valid_on(date(2026, 7, 31))
        assert coaching.under_coaching(world["other"].id, date(2026, 7, 30))
        assert coaching.under_coaching(world["other"].id, date(2026, 7, 31)) is None
        lisan = coaching.issue_warning(world["agent_staff"], _level("LISAN"), {"issued_on": date(2026, 2, 1), "reason": "Lisan"},
                                       TEST_PASSWORD, world["tl"])
        assert lisan.valid_until == date(2026, 4, 30)


def test_escalation_proposes_the_next_level_and_a_warning_answers_it(app, world):
    today = date(2026, 11, 30)
    with app.test_request_context():
        def finding(days_ago, kind="late_login", staff=None):
            coaching.raise_finding(staff or world["agent_staff"], {"kind": kind, "found_on": today - timedelta(days=days_ago),
                                                                   "description": "Terlambat"}, world["tl"])
        finding(31)  # outside the 30 days
        finding(20)
        finding(10, kind="indiscipline")
        finding(5)
        assert coaching.proposals(None, today) == []  # two late logins within 30 days
        finding(0)
        (p,) = coaching.proposals(None, today)
        assert p.staff_id == world["agent_staff"].id and p.kind == "late_login" and p.count == 3 and p.level.code == "LISAN"
        coaching.issue_warning(world["agent_staff"], _level("LISAN"), {"issued_on": today, "reason": "Tiga kali terlambat"},
                               TEST_PASSWORD, world["tl"])
        assert coaching.proposals(None, today) == []  # answered by the warning in force
        finding(0)
        assert coaching.proposals(None, today + timedelta(days=1)) == []  # one new finding since the warning
        from portal.people.models import Staff

        assert coaching.proposals(Staff.id == world["other"].id, today) == []  # the scope holds


def test_acknowledgement_by_the_coached_person_only(app, world):
    with app.test_request_context():
        session = coaching.record_session(world["agent_staff"], {"held_on": date(2026, 11, 20), "topic": "Login",
                                                                 "follow_up_on": date(2026, 12, 4)}, world["tl"])
        with pytest.raises(ServiceError):
            coaching.record_session(world["agent_staff"], {"held_on": date(2026, 11, 20), "topic": "x",
                                                           "follow_up_on": date(2026, 11, 1)}, world["tl"])
        with pytest.raises(ServiceError):
            coaching.acknowledge(session, world["tl"])
        coaching.acknowledge(session, world["agent"])
        assert session.acknowledged_at is not None
        with pytest.raises(ServiceError):
            coaching.acknowledge(session, world["agent"])


def test_screening_of_an_internal_candidate_reads_the_coaching_records(app, world):
    from portal.people import recruitment
    from portal.people.models import NOT_UNDER_COACHING, Requirement, RequirementSet
    from tests.people_factories import make_candidate, make_position

    with app.test_request_context():
        position = make_position("QA", "Quality Assurance", "qa")
        rs = RequirementSet(position_id=position.id, source="MNOP-01 Rev.00 §2.1", effective_from=date(2020, 1, 1))
        rs.requirements = [Requirement(kind=NOT_UNDER_COACHING, text="Tidak dalam masa pembinaan")]
        db.session.add(rs)
        db.session.flush()
        candidate, _doc = make_candidate(position="QA", hire_on=date(2026, 5, 1), with_document=False,
                                         staff_id=world["other"].id, full_name="Bayu")
        _rs, (result,) = recruitment.screen(candidate)
        assert result.status == "met"
        coaching.write_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 1, 31), "reason": "x"}, world["spv"])
        _rs, (result,) = recruitment.screen(candidate)
        assert result.status == "not_met" and "2026-07-30" in result.reason
        _rs, (result,) = recruitment.screen(candidate, date(2026, 7, 31))
        assert result.status == "met"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_warning_letter_reads_back(app, world, tmp_path):
    from portal.printing import services as printing

    with app.test_request_context():
        w = coaching.issue_warning(world["other"], _level("SP1"), {"issued_on": date(2026, 11, 2),
                                                                   "reason": "Meninggalkan layanan tanpa izin"},
                                   TEST_PASSWORD, world["spv"])
        pdf, printout = paper.render_warning(w, world["spv"])
        path = tmp_path / "w.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        assert "SURAT PERINGATAN 1" in text and "Bayu" in text and "Meninggalkan layanan tanpa izin" in text
        assert w.number in text and printing.verify(printout).valid
