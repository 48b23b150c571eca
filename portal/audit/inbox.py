"""What the audit trail puts on the home page: signed content found changed outside the portal."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.core import integrity
from portal.core.inbox import InboxItem, provider


@provider
def integrity_mismatches(user) -> list[InboxItem]:
    """For the QMR and auditors: how many signed objects were found changed (one statement)."""
    if not user.can("audit.view"):
        return []
    n = integrity.count_objects()
    if not n:
        return []
    return [InboxItem(title=_("%(n)d signed document(s) or record(s) changed outside the portal", n=n),
                      url=url_for("audit.events", action=integrity.ACTION), kind="integrity")]
