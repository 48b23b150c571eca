"""Forms of the capa pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


class NcForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    source = SelectField(_l("Found by"), validate_choice=False)
    classification = SelectField(_l("Classification"), validate_choice=False)
    found_on = DateField(_l("Found on"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    site_id = SelectField(_l("Site"), validate_choice=False)
    service_id = SelectField(_l("Service"), validate_choice=False)
    process_name = StringField(_l("Process"), validators=[Length(max=200)])
    document_code = StringField(_l("SOP or document code"), validators=[Length(max=80)])
    clause = StringField(_l("Clause (section or step)"), validators=[Length(max=300)])
    containment = TextAreaField(_l("Containment"), validators=[Length(max=5000)])
    containment_on = DateField(_l("Containment date"), validators=[Optional()])
    correction = TextAreaField(_l("Correction"), validators=[Length(max=5000)])
    correction_on = DateField(_l("Correction date"), validators=[Optional()])
    source_kind = HiddenField()
    source_ref = HiddenField()


class RootCauseForm(FlaskForm):
    why_1 = StringField(_l("Why 1"), validators=[Length(max=500)])
    answer_1 = StringField(_l("Answer 1"), validators=[Length(max=500)])
    why_2 = StringField(_l("Why 2"), validators=[Length(max=500)])
    answer_2 = StringField(_l("Answer 2"), validators=[Length(max=500)])
    why_3 = StringField(_l("Why 3"), validators=[Length(max=500)])
    answer_3 = StringField(_l("Answer 3"), validators=[Length(max=500)])
    why_4 = StringField(_l("Why 4"), validators=[Length(max=500)])
    answer_4 = StringField(_l("Answer 4"), validators=[Length(max=500)])
    why_5 = StringField(_l("Why 5"), validators=[Length(max=500)])
    answer_5 = StringField(_l("Answer 5"), validators=[Length(max=500)])
    man = TextAreaField(_l("Man (Manusia)"), validators=[Length(max=1000)])
    method = TextAreaField(_l("Method (Metode)"), validators=[Length(max=1000)])
    machine = TextAreaField(_l("Machine (Mesin)"), validators=[Length(max=1000)])
    material = TextAreaField(_l("Material (Material)"), validators=[Length(max=1000)])
    measurement = TextAreaField(_l("Measurement (Pengukuran)"), validators=[Length(max=1000)])
    environment = TextAreaField(_l("Environment (Lingkungan)"), validators=[Length(max=1000)])
    root_cause = TextAreaField(_l("Root cause found"), validators=[Length(max=5000)])


class ActionForm(FlaskForm):
    description = TextAreaField(_l("Corrective action"), validators=[Length(max=5000)])
    owner = SelectField(_l("Owner"), validate_choice=False)
    due_on = DateField(_l("Due date"), validators=[Optional()])


class DoneForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[Length(max=5000)])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence file (PDF, JPEG, PNG, Excel or Word, at most 10 MB)"))


class LinkForm(FlaskForm):
    kind = SelectField(_l("Link to"), validate_choice=False)
    code = StringField(_l("Code or number"), validators=[Length(max=80)])
    number = StringField(_l("Revision"), validators=[Length(max=4)])


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class CheckSetForm(FlaskForm):
    check_due = DateField(_l("Check due on"), validators=[Optional()])
    check_kind = SelectField(_l("Criterion"), validate_choice=False)
    check_criterion = TextAreaField(_l("What shows the actions worked"), validators=[Length(max=2000)])
    kpi_id = SelectField(_l("KPI (for a KPI criterion)"), coerce=_int_or_none, validate_choice=False)
    periods = IntegerField(_l("Following periods that must meet target"), validators=[Optional(), NumberRange(min=1, max=24)])


class VerifyForm(FlaskForm):
    result = RadioField(_l("Result"), choices=[("effective", _l("Actions effective")), ("ineffective", _l("Actions ineffective"))],
                        validate_choice=False)
    note = TextAreaField(_l("What you checked and found"), validators=[Length(max=5000)])


class PlainForm(FlaskForm):
    pass


class PackForm(FlaskForm):
    clause = SelectField(_l("ISO 9001:2015 clause"), validate_choice=False)
    period_from = DateField(_l("Period from"), validators=[Optional()])
    period_to = DateField(_l("Period to"), validators=[Optional()])
