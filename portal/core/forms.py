"""Small helpers shared by forms of every module."""
from __future__ import annotations


def apply_service_error(form, exc) -> None:
    """Show a refused change next to the field it concerns (or at the top of the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)
