"""Who may do what with a record: one place, used by views, templates and services alike."""
from __future__ import annotations

from portal.core import permissions
from portal.records.models import APPROVED, DRAFT, SUBMITTED, Record


def can_view(user, record: Record) -> bool:
    """The author, or a reader of the record's site and service."""
    if record.created_by_id == user.id:
        return True
    return user.can("records.read") and permissions.can_see_scope(user, record.site_id,
                                                                   [record.service_id] if record.service_id else [])


def can_edit(user, record: Record) -> bool:
    """Only the author edits, and only a draft."""
    return record.status == DRAFT and record.created_by_id == user.id and user.can("records.fill")


def can_approve(user, record: Record) -> bool:
    """An approver of the record's scope, never its author, approves a submitted record."""
    return (record.status == SUBMITTED and user.can("records.approve") and can_view(user, record)
            and record.created_by_id != user.id)


def can_amend(user, record: Record) -> bool:
    """An approver, or the author, opens an amendment of an approved record."""
    return record.status == APPROVED and can_view(user, record) and (
        user.can("records.approve") or (record.created_by_id == user.id and user.can("records.fill")))
