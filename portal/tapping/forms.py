"""Forms of the tapping pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ImportForm(FlaskForm):
    file = FileField(_l("Excel (.xlsx) or CSV file"))


class DecisionForm(FlaskForm):
    pass


class CallForm(FlaskForm):
    """Manual entry of one call result, in the template's columns."""
    called_on = DateField(_l("Date (Tanggal)"), validators=[Optional()])
    called_time = StringField(_l("Time (Waktu)"), validators=[Length(max=8)])
    agent = StringField(_l("Agent (employee number or user name)"), validators=[Length(max=60)])
    service = SelectField(_l("Service (Layanan)"))
    product = StringField(_l("Product offered (Produk)"), validators=[Length(max=160)])
    customer_number = StringField(_l("Customer number (Nomor Pelanggan)"), validators=[Length(max=30)])
    result = SelectField(_l("Result (Hasil)"), choices=[("AGREE", "AGREE"), ("DECLINE", "DECLINE"), ("FOLLOW UP", "FOLLOW UP")])
    recording_id = StringField(_l("Recording reference (ID Rekaman)"), validators=[Length(max=80)])


class ValidationForm(FlaskForm):
    checked = SelectMultipleField(_l("Parameters met"), coerce=int, validate_choice=False)
    verdict = RadioField(_l("Verdict"), choices=[("VALID", "VALID"), ("RETURN", "RETURN")], validate_choice=False)
    reason_code = SelectField(_l("Reason of the RETURN"), validate_choice=False)
    recommendation = TextAreaField(_l("Recommendation for the agent"), validators=[Optional(), Length(max=2000)])


class RecallForm(FlaskForm):
    result = SelectField(_l("The customer's answer"), choices=[("AGREE", "AGREE"), ("DECLINE", "DECLINE"), ("FOLLOW UP", "FOLLOW UP")])
    outcome = TextAreaField(_l("Outcome of the call"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    qco = SelectField(_l("QCO"), validate_choice=False)
    service = SelectField(_l("Service"), validate_choice=False)


class ParameterSetForm(FlaskForm):
    """A new revision of the assessment standard for a service: one parameter a line, `clause | wording`."""
    service = SelectField(_l("Service"), validate_choice=False)
    document_code = StringField(_l("Document code of the standard"), validators=[Length(max=80)])
    revision = StringField(_l("Revision"), validators=[Length(max=10)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    effective_from = DateField(_l("Effective from"), validators=[Optional()])
    lines = TextAreaField(_l("Parameters, one a line: clause | wording"), validators=[Length(max=20000)])


class InboundCallForm(FlaskForm):
    """A sampled inbound call, entered by the QCO who scores it."""
    called_on = DateField(_l("Date (Tanggal)"), validators=[Optional()])
    called_time = StringField(_l("Time (Waktu)"), validators=[Length(max=8)])
    agent = StringField(_l("Agent (employee number or user name)"), validators=[Length(max=60)])
    service = SelectField(_l("Service (Layanan)"), validate_choice=False)
    recording_id = StringField(_l("Recording reference (ID Rekaman)"), validators=[Length(max=80)])
    topic = StringField(_l("Topic of the call"), validators=[Length(max=160)])
    customer_number = StringField(_l("Customer number (optional)"), validators=[Length(max=30)])


class ScoreForm(FlaskForm):
    """The scorecard: the answers and comments per parameter are read from the fields a<id> and c<id>."""
    comment = TextAreaField(_l("Overall comment"), validators=[Optional(), Length(max=4000)])


class ScorecardForm(FlaskForm):
    """A new revision of an inbound standard: one parameter a line, `section | clause | weight | critical | wording`."""
    service = SelectField(_l("Service"), validate_choice=False)
    document_code = StringField(_l("Document code of the standard"), validators=[Length(max=80)])
    revision = StringField(_l("Revision"), validators=[Length(max=10)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    effective_from = DateField(_l("Effective from"), validators=[Optional()])
    lines = TextAreaField(_l("Parameters, one a line: section | clause | weight | critical (ya or -) | wording"),
                          validators=[Length(max=20000)])


class CalibrationForm(FlaskForm):
    round_note = TextAreaField(_l("Note for the scorers"), validators=[Optional(), Length(max=2000)])


class SignForm(FlaskForm):
    reason = TextAreaField(_l("Why you dispute this result"), validators=[Optional(), Length(max=2000)])


class DecisionNoteForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("upheld", _l("Upheld")), ("rejected", _l("Rejected"))],
                          validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    amended = StringField(_l("Amended score (an upheld dispute of a score, optional)"), validators=[Length(max=10)])
