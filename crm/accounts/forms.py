"""One form per account screen."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from crm.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from crm.forms import Length, email_field, line_field


def new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("Use between %(min)d and %(max)d characters."),
            ),
        ],
        description=_l("At least %(n)d characters. A few unrelated words make a strong one.", n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )


def repeat_field(label, missing, other):
    return PasswordField(
        label,
        validators=[DataRequired(missing), EqualTo(other, _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = email_field(autocomplete="username")
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class SignupForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Email me a link"))


class FinishSignupForm(FlaskForm):
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    last_name = line_field(_l("Last name"), _l("Enter your last name."), autocomplete="family-name")
    password = new_password_field(_l("Password"))
    confirm = repeat_field(_l("Repeat the password"), _l("Repeat the password."), "password")
    submit = SubmitField(_l("Create my account"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"))
    confirm = repeat_field(_l("Repeat the new password"), _l("Repeat the new password."), "new_password")
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    new_password = new_password_field(_l("New password"))
    confirm = repeat_field(_l("Repeat the new password"), _l("Repeat the new password."), "new_password")
    submit = SubmitField(_l("Set my new password"))
