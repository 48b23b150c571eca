"""What services raise when they refuse a change; shared by every module."""
from __future__ import annotations


class ServiceError(ValueError):
    """A refused change, with a message for the user and the field it concerns."""

    def __init__(self, message: str, field: str | None = None, keep=None):
        super().__init__(message)
        self.message = message
        self.field = field
        # What must stay on record although the change is undone (a refused signature): a function the
        # caller runs after its rollback.
        self.keep = keep


class ConflictError(ServiceError):
    """A change made on an out-of-date version of an object (answered with 409)."""


def refusal(message: str, field: str | None, write) -> ServiceError:
    """A ServiceError whose record of the refusal (`write()`, e.g. an audit event) is written now and kept.

    `write` runs at once, and again after the caller's rollback (see core.forms.refusals), so the refusal stays
    on record whether or not the surrounding change is undone."""
    write()
    return ServiceError(message, field, keep=write)
