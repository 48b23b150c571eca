"""Forms of the monitoring pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.core.forms import MultiCheckboxField


class ReadingForm(FlaskForm):
    period = SelectField(_l("Period"))
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    at = TimeField(_l("Start of the interval"), validators=[Optional()])
    value = StringField(_l("Value"), validators=[DataRequired(_l("Enter the value.")), Length(max=20)])
    volume = IntegerField(_l("Volume (calls offered)"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    replace = BooleanField(_l("Replace the reading already stored for this period"))


class ComputeForm(FlaskForm):
    month = StringField(_l("Month"), validators=[DataRequired(_l("Enter the month."))])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file of the contact-center system"))
    replace = BooleanField(_l("Replace the readings already stored for the same KPI and period"))


class PlanForm(FlaskForm):
    problem = TextAreaField(_l("What missed the target, and why"), validators=[Length(max=4000)])


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note (required to reject)"), validators=[Optional(), Length(max=2000)])


class DistributeForm(FlaskForm):
    recipients = MultiCheckboxField(_l("Team leaders who must act"), coerce=int)


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"))
    note = TextAreaField(_l("Outcome in figures"), validators=[Optional(), Length(max=4000)])


class ShiftReportForm(FlaskForm):
    class Meta:
        csrf = False

    service = SelectField(_l("Service"))
    day = DateField(_l("Date"), validators=[Optional()])
    shift = SelectField(_l("Shift"), validate_choice=False)


class KpiForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name of the KPI.")), Length(max=120)])
    formula = TextAreaField(_l("Formula or source"), validators=[Optional(), Length(max=2000)])
    target = StringField(_l("Target"), validators=[DataRequired(_l("Enter the value.")), Length(max=20)])
    direction = SelectField(_l("Direction"))
    owner_role = SelectField(_l("Owner"))
