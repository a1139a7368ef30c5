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


class ForgottenPasswordForm(FlaskForm):
    email = email_field()
    submit = submit("Send the link")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Your current password", widget=GovPasswordInput(),
                                     validators=[DataRequired(message="Enter your current password")])
    password, confirm_password = new_password_fields("Your new password")
    submit = submit("Change password")


class CodeForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(),
                       description="The 6-digit code your authenticator app shows for PeerMatch, or a recovery code",
                       validators=[DataRequired(message="Enter the code from your authenticator app")])
    submit = submit("Continue")


class SetUpCodeForm(FlaskForm):
    code = StringField("Code from the app", widget=GovTextInput(),
                       description="The 6-digit code the app shows for PeerMatch after you scan it",
                       validators=[DataRequired(message="Enter the 6-digit code your authenticator app shows")])
    submit = submit("Turn on two-factor sign-in")


class ConfirmItIsYouForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[DataRequired(message="Enter your password")])
    code = StringField("Code", widget=GovTextInput(),
                       description="The 6-digit code your authenticator app shows for PeerMatch, or a recovery code")
    submit = submit("Continue")
