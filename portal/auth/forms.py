"""Sign-in and own-account forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(_l("Enter your user name.")), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=256)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the new password.")), EqualTo("new_password", _l("The two passwords differ."))],
    )


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(_l("Name the token (e.g. the tool that will use it).")), Length(max=80)])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])  # left empty: API_TOKEN_DAYS from today
