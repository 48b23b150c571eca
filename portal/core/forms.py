"""Small helpers shared by forms of every module."""
from __future__ import annotations

from contextlib import contextmanager

from flask import flash
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.service import ServiceError
from portal.extensions import db


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def apply_service_error(form, exc) -> None:
    """Show a refused change next to the field it concerns (or at the top of the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


@contextmanager
def refusals(form=None, errors: dict | None = None, flash_it: bool | str = False):
    """Catch a ServiceError raised in the block: undo the request's changes and show the message.

    The message goes next to its field of `form`, into `errors` (field -> message), or into a flash message;
    execution continues after the `with` block, where the view renders the form again (422)."""
    try:
        yield
    except ServiceError as exc:
        db.session.rollback()
        after_refusal(exc)
        if form is not None:
            apply_service_error(form, exc)
        if errors is not None:
            errors[exc.field or "form"] = exc.message
        if flash_it:
            flash(exc.message, flash_it if isinstance(flash_it, str) else "error")


def after_refusal(exc: ServiceError) -> None:
    """Once a refused change is undone, write what must stay on record (and keep it past the error answer)."""
    if exc.keep is not None:
        from portal.core.unit import keep_changes

        exc.keep()
        keep_changes()


def form_status(form=None, errors: dict | None = None) -> int:
    """422 when the form (or the errors dict) carries an error, else 200."""
    if form is not None and (form.errors or getattr(form, "form_errors", None)):
        return 422
    return 422 if errors else 200
