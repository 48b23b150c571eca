"""Forms of the administration pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.auth.models import TIMEZONES
from portal.core.forms import MultiCheckboxField
from portal.core.permissions import ROLES


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(_l("Enter the user name.")), Length(max=60)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=120)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=160)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    site_id = SelectField(_l("Home site"), coerce=int, validators=[DataRequired(_l("Choose a site."))])
    roles = MultiCheckboxField(_l("Roles"), choices=[(k, v) for k, v in ROLES.items()],
                               validators=[DataRequired(_l("Choose at least one role."))])
    service_ids = MultiCheckboxField(_l("Services"), coerce=int)
    locale = SelectField(_l("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    password = PasswordField(_l("Initial password"))
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(_l("Enter a temporary password."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class SiteForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    timezone = SelectField(_l("Time zone"), choices=[(k, f"{v} ({k})") for k, v in TIMEZONES.items()])
    is_head_office = BooleanField(_l("Head office (master copies are kept here)"))
    active = BooleanField(_l("Active"), default=True)


class ServiceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    direction = SelectField(_l("Direction"), choices=[("inbound", _l("Inbound")), ("outbound", _l("Outbound"))])
    active = BooleanField(_l("Active"), default=True)
