"""Forms of the coaching pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FileField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class FindingForm(FlaskForm):
    staff_id = SelectField(_l("Person"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the person."))])
    kind = SelectField(_l("Kind"))
    found_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date of the finding."))])
    rule = StringField(_l("Rule or SOP clause"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("What was found"), validators=[DataRequired(_l("Describe what was found.")), Length(max=4000)])
    evidence_link = StringField(_l("Evidence (a record number or link, e.g. an F-03)"), validators=[Optional(), Length(max=300)])
    evidence_file = FileField(_l("Evidence file (PDF, JPEG or PNG, at most 5 MB)"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})
    response = TextAreaField(_l("The person's response"), validators=[Optional(), Length(max=4000)])


class CoachingForm(FlaskForm):
    staff_id = SelectField(_l("Person"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the person."))])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date of the session."))])
    topic = StringField(_l("Topic"), validators=[DataRequired(_l("Enter the topic.")), Length(max=200)])
    actions = TextAreaField(_l("Agreed actions"), validators=[Optional(), Length(max=4000)])
    follow_up_on = DateField(_l("Follow-up on"), validators=[Optional()])


class WarningForm(FlaskForm):
    staff_id = SelectField(_l("Person"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the person."))])
    level_id = SelectField(_l("Level"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the warning level."))])
    issued_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date of the warning."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the warning.")), Length(max=4000)])
    password = PasswordField(_l("Your password (electronic signature)"), validators=[DataRequired(_l("Enter your password to sign."))])


class ResponseForm(FlaskForm):
    response = TextAreaField(_l("Response"), validators=[DataRequired(_l("Write the response.")), Length(max=4000)])
