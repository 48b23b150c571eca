"""One word per term, Indonesian times, no English in role names, exports or manifests (issue 15)."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).parents[2] / "translations" / "id" / "LC_MESSAGES" / "messages.po"
# Loan words that are Indonesian as they stand (KBBI): these role names may read the same in both languages.
SAME_IN_BOTH = {"Supervisor", "Auditor", "Administrator"}


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def _strings():
    for m in _catalog():
        if m.id:
            yield from (m.string if isinstance(m.string, (list, tuple)) else [m.string])


def test_one_spelling_per_term_and_no_english_terms_in_the_translations():
    texts = [s for s in _strings() if s]
    assert not [s for s in texts if "Tandatangani" in s or "tandatangani " in s.lower().replace("ditandatangani", "")], \
        "the imperative is written 'Tanda tangani'"
    assert not [s for s in texts if re.search(r"legal hold|\bhold\b", s, re.I)], "'legal hold' is 'penahanan hukum'"
    assert not [s for s in texts if re.search(r"\b\d{2}:\d{2}\b", s)], "times are written 08.30 in Indonesian"


def test_role_names_are_indonesian(app):
    from flask_babel import force_locale

    from portal.core.permissions import ROLES

    with app.test_request_context(), force_locale("id"):
        english = {code: str(label) for code, label in ROLES.items()}
    with app.test_request_context(), force_locale("en"):
        for code, label in ROLES.items():
            if str(label) not in SAME_IN_BOTH:
                assert english[code] != str(label), f"role {code} is still called {label!r} in Indonesian"


def test_no_translation_names_a_role_in_english():
    english = ["Agent", "Team Leader", "Quality Control Officer", "Quality Assurance", "Trainer", "HR Recruitment",
               "Document Controller", "Quality Management Representative"]
    found = [s for s in _strings() if s and any(re.search(rf"\b{name}\b", s) for name in english)]
    assert found == []


def test_times_read_08_00_in_indonesian_and_08_00_with_a_colon_in_english(app):
    from datetime import datetime

    from flask_babel import force_locale

    from portal.core.i18n import fmt_datetime, fmt_iso_time

    with app.test_request_context(), force_locale("id"):
        assert fmt_iso_time("08:00") == "08.00" and fmt_iso_time("8:05:30") == "8:05:30"  # not a time: as typed
        assert fmt_iso_time("08:05:30") == "08.05.30" and fmt_iso_time("") == ""
        assert fmt_datetime(datetime(2026, 11, 30, 1, 0), "Asia/Jakarta").endswith("08.00 WIB")
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert fmt_iso_time("08:00") == "08:00"

