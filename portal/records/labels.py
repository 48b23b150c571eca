"""How record statuses read on screen, in print and in exports: the one source, translated."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.records.models import APPROVED, DISPOSED, DRAFT, SUBMITTED

STATUS_LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), APPROVED: _l("Approved (locked)"),
                 DISPOSED: _l("Disposed of")}


def status_labels() -> dict[str, str]:
    """Every record status with its label in the current language."""
    return {k: str(v) for k, v in STATUS_LABELS.items()}


def status_label(status: str) -> str:
    """The label of one record status."""
    return str(STATUS_LABELS.get(status, status))


BADGE_KINDS = {DRAFT: "muted", SUBMITTED: "info", APPROVED: "ok", DISPOSED: "error"}


def badge_maker(labels: dict[str, str]):
    """`record_badge(status)` for a template whose context holds `status_labels` (templates/records/_status.html): a
    function, not a Jinja macro, because the records list calls it once per row and a macro call costs several
    times more."""
    def record_badge(status: str) -> Markup:
        return Markup(f'<span class="badge badge-{BADGE_KINDS.get(status, "muted")}" data-status="{escape(status)}">'
                      f"{escape(labels.get(status, ''))}</span>")

    return record_badge



def list_rows(rows, labels: dict[str, str], show_url: str) -> Markup:
    """The records list's table rows (templates/records/index.html): built here, not in a Jinja loop, because the
    list shows 50 rows of nine values and the loop cost ≈ 40 µs a row (attribute lookups, filters, escaping each
    through the template machinery) — a third of the page. The markup is the one the template had."""
    from portal.core.i18n import _format_date, _translations, get_locale
    from portal.records.models import record_number

    gettext = _translations().ugettext
    l_record, l_form, l_period, l_site, l_service, l_by, l_status = (
        escape(gettext(text)) for text in ("Record", "Form", "Period", "Site", "Service", "Filled by", "Status"))
    hold = f' <span class="badge badge-warn">{escape(gettext("legal hold"))}</span>'
    badge = badge_maker(labels)
    locale = get_locale()
    # A page's 50 rows repeat a few forms, sites, services, authors, days and statuses: each is escaped (and a day
    # formatted) once per page, not once per row.
    seen: dict = {}

    def text(value) -> str:
        shown = seen.get(value)
        if shown is None:
            shown = seen[value] = str(escape(value))
        return shown

    def day(value) -> str:
        key = ("day", value)
        shown = seen.get(key)
        if shown is None:
            shown = seen[key] = str(escape(_format_date(value, locale)))
        return shown

    def status_cell(status: str, legal_hold: bool) -> str:
        key = ("status", status, legal_hold)
        shown = seen.get(key)
        if shown is None:
            shown = seen[key] = f'{badge(status)}{hold if legal_hold else ""}'
        return shown

    out = []
    for (record_id, version, form_code, form_title, period_start, period_end, site_name, service_name, author, status,
         legal_hold) in rows:
        period = day(period_start)
        if period_end != period_start:
            period = f"{period} – {day(period_end)}"
        shown_version = f' <span class="muted">v{version}</span>' if version > 1 else ""
        out.append(
            f'<tr>\n'
            f'          <td data-label="{l_record}"><a href="{show_url}{record_id}"><strong>'
            f'{record_number(record_id)}</strong></a>{shown_version}</td>\n'
            f'          <td data-label="{l_form}">{text(form_code)}<br><span class="muted">{text(form_title)}</span></td>\n'
            f'          <td data-label="{l_period}">{period}</td>\n'
            f'          <td data-label="{l_site}">{text(site_name)}</td>\n'
            f'          <td data-label="{l_service}">{text(service_name or "—")}</td>\n'
            f'          <td data-label="{l_by}">{text(author)}</td>\n'
            f'          <td data-label="{l_status}">{status_cell(status, legal_hold)}</td>\n'
            f'        </tr>')
    return Markup("\n".join(out))


# Where the records list's shared top fragment takes the reader's people (records/_list_top.html).
PEOPLE_MARKER = Markup("<!--people-" + secrets.token_hex(8) + "-->")


def people_options(people, selected: str | None) -> Markup:
    """The "Filled by" filter's options: the authors among the records this reader may see (names escaped)."""
    selected = selected or ""
    return Markup("").join(Markup(f'<option value="{person_id}"{" selected" if selected == str(person_id) else ""}>{escape(name)}</option>')
                           for person_id, name in people)
