"""Forms for signing in and registering."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from peermatch.web.forms import email_field, name_field, new_password_fields, submit


class SignInForm(FlaskForm):
    # No format check here: the account decides, and the error must not say which part was wrong.
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired(message="Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    submit = submit("Sign in")


class ParentRegistrationForm(FlaskForm):
    display_name = name_field(
        "What should we call you?",
        "This can be a first name or a nickname. It does not need to be your real name.",
        "Enter a name we can call you",
    )
    email = email_field()
    password, confirm_password = new_password_fields()
    submit = submit("Create account")


class VolunteerRegistrationForm(FlaskForm):
    display_name = name_field("Your first name", "Parents you support will see this name.", "Enter your first name")
    email = email_field()
    password, confirm_password = new_password_fields()
    submit = submit("Create account")


class SignOutForm(FlaskForm):
    submit = submit("Sign out")



class SetPasswordForm(FlaskForm):
    password, confirm_password = new_password_fields()
    submit = submit("Set password")
