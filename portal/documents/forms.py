"""Forms of the document register."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.core.forms import MultiCheckboxField
from portal.documents.models import DOC_TYPES


class DocumentForm(FlaskForm):
    code = StringField(_l("Document code"), validators=[DataRequired(_l("Enter the document code.")), Length(max=80)])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    doc_type = SelectField(_l("Type"), choices=[("", "—")] + list(DOC_TYPES.items()), validators=[Optional()])
    unit = StringField(_l("Owning unit"), validators=[Optional(), Length(max=20)])
    review_interval_months = IntegerField(_l("Periodic review every (months)"), default=24,
                                          validators=[DataRequired(_l("Enter a number of months.")), NumberRange(1, 120, _l("Between 1 and 120 months."))])
    service_ids = MultiCheckboxField(_l("Services it applies to"), coerce=int)
    site_ids = MultiCheckboxField(_l("Sites it applies to"), coerce=int)
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class DraftForm(FlaskForm):
    effective_date = DateField(_l("Effective date"), validators=[Optional()])
    change_description = TextAreaField(_l("Description of the change"), validators=[Optional(), Length(max=5000)])
    form_schema = TextAreaField(_l("Fields of the online form"), validators=[Optional(), Length(max=20000)])


class FileForm(FlaskForm):
    file = FileField(_l("Original file (PDF or DOCX)"))


class SignForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to sign."))])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=2000)])


class ChangeRequestForm(FlaskForm):
    proposal = TextAreaField(_l("What should change"), validators=[DataRequired(_l("Describe the change you propose.")), Length(max=5000)])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(_l("Give the reason for the change.")), Length(max=2000)])


class ReviewForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), choices=[("no_change", _l("Still suitable: no change needed")),
                                                  ("revise", _l("Needs revision"))],
                         validators=[DataRequired(_l("Choose the outcome of the review."))])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to sign."))])



class ImportUploadForm(FlaskForm):
    """Upload of files to import (several files or a zip); the files are read from request.files."""


class ImportReviewForm(FlaskForm):
    """The review of a pending import: the fields are read from the posted form (see import_views)."""
