"""The tapping section of the person's page (people's extension point), loaded with htmx from
/tapping/people/<no> so the person's page keeps its statement budget."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db


def _tapping(user, staff) -> dict | None:
    """The person themselves; a reader of call results whose scope holds them (all sites, their site, their team)."""
    own = staff.user_id is not None and staff.user_id == user.id
    if own and user.can("tapping.self"):
        return {"url_endpoint": "tapping.person_section"}
    if not user.can("tapping.read"):
        return None
    from portal.people import permissions as people

    if (user.can("tapping.all") or user.can("scope.all_sites") or (user.can("tapping.site") and staff.site_id == user.site_id)
            or people.can_view(user, staff)):
        return {"url_endpoint": "tapping.person_section"}
    return None


def tapping_context(user, staff) -> dict:
    """The person's last calls (masked numbers), their QVS of the last three months and their last inbound scores
    (three statements)."""
    from portal.tapping import qvs
    from portal.tapping.labels import STAGE_TONE, stage_labels
    from portal.tapping.models import AGREE, Call

    calls = list(db.session.scalars(select(Call).where(Call.agent_id == staff.id, Call.result == AGREE)
                                    .order_by(Call.called_at.desc()).limit(20)))
    stmt = (select(Call.month, *qvs._counts()).where(Call.agent_id == staff.id, Call.result == AGREE)
            .group_by(Call.month).order_by(Call.month.desc()).limit(3))
    months = [(m, qvs.Figures(agree=a or 0, valid=v or 0, returned=r or 0, pending=p or 0, first_valid=f or 0, judged=j or 0))
              for m, a, v, r, p, f, j in db.session.execute(stmt)]
    from sqlalchemy.orm import joinedload

    from portal.tapping.models import InboundCall, Score

    scores = db.session.execute(select(Score, InboundCall).join(InboundCall, InboundCall.id == Score.call_id)
                                .options(joinedload(InboundCall.service))
                                .where(InboundCall.agent_id == staff.id, Score.calibration_id.is_(None))
                                .order_by(InboundCall.called_at.desc()).limit(10)).all()
    return {"calls": calls, "months": months, "labels": stage_labels(), "tones": STAGE_TONE, "scores": scores}


def register() -> None:
    from portal.people import sections

    sections.register(sections.Section("tapping", _l("Call quality"), "training/sections/lazy.html", _tapping, order=60))
