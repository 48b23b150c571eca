"""Forms of the training pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.core.forms import MultiCheckboxField


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class CourseForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the course code.")), Length(max=30)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the course name.")), Length(max=160)])
    kind = SelectField(_l("Kind"))
    position_ids = MultiCheckboxField(_l("Required for the positions"), coerce=int)
    service_ids = MultiCheckboxField(_l("Required for the services"), coerce=int)
    validity_months = IntegerField(_l("Valid for (months)"), validators=[Optional()])
    pass_mark = DecimalField(_l("Pass mark"), places=2, validators=[DataRequired(_l("Enter the pass mark."))])
    sop_code = StringField(_l("SOP it teaches (document code)"), validators=[Optional(), Length(max=80)])
    active = BooleanField(_l("Active"), default=True)


class SessionForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the course."))])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    starts_at = StringField(_l("From"), default="08:00", validators=[DataRequired(_l("Enter a time as HH:MM."))])
    ends_at = StringField(_l("Until"), default="17:00", validators=[DataRequired(_l("Enter a time as HH:MM."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=160)])
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=2000)])


class SignForm(FlaskForm):
    password = PasswordField(_l("Your password (electronic signature)"), validators=[DataRequired(_l("Enter your password to sign."))])


class AmendForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the amendment"), validators=[DataRequired(_l("Give the reason for the amendment.")), Length(max=2000)])


class MarkForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the course."))])


class OverrideForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the override.")), Length(max=2000)])
    until = DateField(_l("Until (empty: until the training is passed)"), validators=[Optional()])
