"""Forms of the roster pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class PublishForm(FlaskForm):
    password = PasswordField(_l("Your password (electronic signature)"), validators=[DataRequired(_l("Enter your password to sign."))])


class ChangeForm(FlaskForm):
    staff_id = IntegerField(_l("Person"), validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    code = StringField(_l("Shift (empty: day off)"), validators=[Optional(), Length(max=10)])
    kind = SelectField(_l("Kind of change"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the change.")), Length(max=2000)])


class FillForm(FlaskForm):
    staff_id = IntegerField(_l("Person"), validators=[DataRequired()])
    start = DateField(_l("From"), validators=[DataRequired(_l("Enter the first day."))])
    end = DateField(_l("To"), validators=[DataRequired(_l("Enter the last day."))])
    code = StringField(_l("Shift (empty: day off)"), validators=[Optional(), Length(max=10)])


class AbsenceForm(FlaskForm):
    reason = SelectField(_l("Reason"))
    note = StringField(_l("Note (for a sick day: the doctor's note)"), validators=[Optional(), Length(max=500)])


class TimesForm(FlaskForm):
    check_in = TimeField(_l("Check-in"), validators=[DataRequired(_l("Enter the check-in time."))])
    check_out = TimeField(_l("Check-out"), validators=[Optional()])


class ShiftForm(FlaskForm):
    service_id = SelectField(_l("Service"), coerce=int)
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the shift code.")), Length(max=10)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    starts = TimeField(_l("Start"), validators=[DataRequired(_l("Enter the start of the shift."))])
    ends = TimeField(_l("End"), validators=[DataRequired(_l("Enter the end of the shift."))])
    break_minutes = IntegerField(_l("Break (minutes)"), default=60, validators=[Optional(), NumberRange(0, 240)])
    active = BooleanField(_l("In use"), default=True)


class HoursForm(FlaskForm):
    opens = TimeField(_l("Opens (empty: around the clock)"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()])
    late_tolerance = IntegerField(_l("Late after (minutes)"), default=5, validators=[Optional(), NumberRange(0, 120)])
    early_tolerance = IntegerField(_l("Early leave before the end (minutes)"), default=5, validators=[Optional(), NumberRange(0, 120)])


class DayOffForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the day off (e.g. collective leave).")), Length(max=120)])
