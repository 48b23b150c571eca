"""Forms of the records pages (the record's own fields come from its schema, not from here)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class NewRecordForm(FlaskForm):
    site_id = SelectField(_l("Site"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the site."))])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[Optional()])
    period_start = DateField(_l("Period (date, or first day)"), validators=[DataRequired(_l("Enter the date the record is about."))])
    period_end = DateField(_l("Last day of the period (if longer than a day)"), validators=[Optional()])


class SignRecordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to sign."))])


class RecordReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=2000)])


class DisposalForm(FlaskForm):
    method = StringField(_l("How the records are destroyed"), default="Penghapusan permanen data elektronik",
                         validators=[DataRequired(_l("Say how the records are destroyed.")), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to sign."))])
    witness_id = SelectField(_l("Witness"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the witness."))])
    witness_password = PasswordField(_l("The witness's password"),
                                     validators=[DataRequired(_l("The witness enters their password to sign."))])


class ContractForm(FlaskForm):
    name = StringField(_l("Contract (PKS)"), validators=[DataRequired(_l("The contract needs a name.")), Length(max=200)])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[Optional()])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
