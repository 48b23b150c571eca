"""How staff statuses, contract kinds and requirement kinds read on screen and in Excel: the one source, translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.people.models import (ACTIVE, APPLIED, HIRED, INTERVIEWED, OFFERED, REJECTED, SCREENED, TESTED, ALL_TESTS, ENDED, EXPERIENCE, HEALTH_CERTIFICATE, MAX_AGE, MIN_EDUCATION,
                                  NOT_UNDER_COACHING, ON_LEAVE, PERMANENT, PERSON_CHECK, PKWT, PROBATION,
                                  PSYCH_ASSESSMENT)

STATUS_LABELS = {ACTIVE: _l("Active"), ON_LEAVE: _l("On leave"), ENDED: _l("Ended")}
STATUS_BADGES = {ACTIVE: "ok", ON_LEAVE: "warn", ENDED: "muted"}
KIND_LABELS = {PKWT: _l("Fixed term (PKWT)"), PROBATION: _l("Probation"), PERMANENT: _l("Permanent")}
REQUIREMENT_LABELS = {
    MAX_AGE: _l("Maximum age at hiring"), MIN_EDUCATION: _l("Minimum education"), EXPERIENCE: _l("Experience"),
    HEALTH_CERTIFICATE: _l("Health certificate"), PSYCH_ASSESSMENT: _l("Psychological assessment passed"),
    ALL_TESTS: _l("All tests passed"), NOT_UNDER_COACHING: _l("Not under coaching"),
    PERSON_CHECK: _l("Checked by a person"),
}


def status_labels() -> dict[str, str]:
    return {k: str(v) for k, v in STATUS_LABELS.items()}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in KIND_LABELS.items()}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def requirement_label(kind: str) -> str:
    return str(REQUIREMENT_LABELS.get(kind, kind))


STAGE_LABELS = {APPLIED: _l("Applied"), SCREENED: _l("Screened"), TESTED: _l("Tested"), INTERVIEWED: _l("Interviewed"),
                OFFERED: _l("Offered"), HIRED: _l("Hired"), REJECTED: _l("Rejected")}
DOCUMENT_KIND_LABELS = {"cv": _l("CV"), "health": _l("Health certificate"), "assessment": _l("Assessment report")}
RESULT_LABELS = {"met": _l("met"), "not_met": _l("not met"), "to_check": _l("to be checked by a person")}


def stage_labels() -> dict[str, str]:
    return {k: str(v) for k, v in STAGE_LABELS.items()}


def document_kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in DOCUMENT_KIND_LABELS.items()}


def result_labels() -> dict[str, str]:
    return {k: str(v) for k, v in RESULT_LABELS.items()}
