"""Who may see and do what with documents and revisions: one place, used by views, templates and services."""
from __future__ import annotations

from portal.documents.models import APPROVED, EFFECTIVE, SUPERSEDED, WITHDRAWN

WORKERS = ("documents.draft", "documents.check", "documents.approve")


def can_work_on_drafts(user) -> bool:
    """Drafts (and the register's "Draft" filter) are for those who write, check or approve them."""
    return user.is_authenticated and any(user.can(p) for p in WORKERS)


def can_see_revision(user, rev) -> bool:
    """Drafts are seen by those who work on them; issued revisions by every reader."""
    if rev.status in (EFFECTIVE, SUPERSEDED, WITHDRAWN, APPROVED):
        return True
    return user.is_authenticated and any(user.can(p) for p in WORKERS)
