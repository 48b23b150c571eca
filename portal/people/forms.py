"""Forms of the people pages; the services check the rules, the forms only read the input."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal.core.forms import MultiCheckboxField


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class StaffForm(FlaskForm):
    employee_number = StringField(_l("Employee number"), validators=[DataRequired(_l("Enter the employee number.")), Length(max=30)])
    full_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)])
    position_id = SelectField(_l("Position"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the position."))])
    site_id = SelectField(_l("Site"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the site."))])
    service_ids = MultiCheckboxField(_l("Services"), coerce=int)
    team_id = SelectField(_l("Team (from the hire date)"), coerce=_int_or_none, validators=[Optional()])
    hire_date = DateField(_l("Hire date"), validators=[DataRequired(_l("Enter the hire date."))])
    status = SelectField(_l("Status"))
    ended_on = DateField(_l("Left on (when ended)"), validators=[Optional()])
    education = SelectField(_l("Education"), validators=[Optional()])
    user_id = SelectField(_l("Portal user account"), coerce=_int_or_none, validators=[Optional()])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    identity_number = StringField(_l("Identity number (NIK KTP)"), validators=[Optional(), Length(max=30)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])


class MoveForm(FlaskForm):
    team_id = SelectField(_l("New team"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the team."))])
    starts_on = DateField(_l("In the new team from"), validators=[DataRequired(_l("Enter the day the move takes effect."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class ContractForm(FlaskForm):
    number = StringField(_l("Contract number"), validators=[Optional(), Length(max=60)])
    kind = SelectField(_l("Kind"), validators=[DataRequired(_l("Choose the kind of contract."))])
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Enter the first day of the contract."))])
    ends_on = DateField(_l("Last day"), validators=[Optional()])


class ExtendForm(FlaskForm):
    evaluation = TextAreaField(_l("Evaluation (performance, attendance, quality) and recommendation"),
                               validators=[DataRequired(_l("Write the evaluation the extension is decided on (performance, attendance, quality).")),
                                           Length(max=4000)])
    recommendation = SelectField(_l("Recommendation"), choices=[("extend", _l("Extend the contract")),
                                                                ("end", _l("Let the contract end"))])
    kind = SelectField(_l("Kind of the next contract"), validators=[Optional()])
    ends_on = DateField(_l("Last day of the next contract"), validators=[Optional()])
    number = StringField(_l("Contract number"), validators=[Optional(), Length(max=60)])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(_l("Give the team a name.")), Length(max=80)])
    site_id = SelectField(_l("Site"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the site."))])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the service."))])
    leader_id = SelectField(_l("Team leader"), coerce=_int_or_none, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"))


class PlanForm(FlaskForm):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(_l("Enter the month as YYYY-MM.")),
                                                          Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Enter the month as YYYY-MM."))])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the service."))])
    site_id = SelectField(_l("Site"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the site."))])
    planned = IntegerField(_l("Planned agents"), validators=[InputRequired(_l("Enter the planned headcount (0 or more)."))])


class OpeningForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the opening a title.")), Length(max=160)])
    position_id = SelectField(_l("Position"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the position."))])
    site_id = SelectField(_l("Site"), coerce=_int_or_none, validators=[DataRequired(_l("Choose the site."))])
    service_id = SelectField(_l("Service"), coerce=_int_or_none, validators=[Optional()])
    headcount = IntegerField(_l("People to hire"), default=1, validators=[InputRequired(_l("At least one person is to be hired."))])
    hire_on = DateField(_l("Planned hiring date"), validators=[DataRequired(_l("Enter the planned hiring date."))])


class CandidateForm(FlaskForm):
    full_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the candidate's name.")), Length(max=120)])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    education = SelectField(_l("Education"), validators=[Optional()])
    education_field = StringField(_l("Field of study"), validators=[Optional(), Length(max=120)])
    staff_id = SelectField(_l("Internal candidate (staff record)"), coerce=_int_or_none, validators=[Optional()])
    identity_number = StringField(_l("Identity number (NIK KTP)"), validators=[Optional(), Length(max=30)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=160)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])


class ExperienceForm(FlaskForm):
    position_code = SelectField(_l("Position"), validators=[DataRequired(_l("Choose the position."))])
    months = IntegerField(_l("Months"), validators=[InputRequired(_l("Enter the months of experience (1 to 600)."))])
    employer = StringField(_l("Where"), validators=[Optional(), Length(max=160)])


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), validators=[DataRequired(_l("Choose the kind of document."))])
    dated_on = DateField(_l("Date on the document"), validators=[Optional()])
    file = FileField(_l("File (PDF, JPEG or PNG, at most 5 MB)"))


class StageForm(FlaskForm):
    stage = SelectField(_l("Stage"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class HireForm(FlaskForm):
    employee_number = StringField(_l("Employee number"), validators=[DataRequired(_l("Enter the employee number.")), Length(max=30)])
    username = StringField(_l("Portal user name (creates the account)"), validators=[Optional(), Length(max=60)])
    team_id = SelectField(_l("Team"), coerce=_int_or_none, validators=[Optional()])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day of the probation"), validators=[Optional()])
    contract_number = StringField(_l("Contract number"), validators=[Optional(), Length(max=60)])


class DecideForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("approve", _l("Approve the recommendation")), ("decline", _l("Decline"))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Your password (electronic signature)"), validators=[DataRequired(_l("Enter your password to sign."))])


class RequirementSetForm(FlaskForm):
    source = StringField(_l("Manual revision"), validators=[DataRequired(_l("Name the manual revision the requirements come from.")),
                                                           Length(max=120)])
    effective_from = DateField(_l("Applies from"), validators=[DataRequired(_l("Enter the day the requirements apply from."))])
    text = TextAreaField(_l("Requirements, one a line: kind | parameter | the manual's wording"),
                         validators=[DataRequired(_l("Write at least one requirement."))], render_kw={"rows": 16})
