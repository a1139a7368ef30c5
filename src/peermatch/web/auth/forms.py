"""Forms for signing in and registering."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from peermatch.web.forms import PHONE_FORMAT_MESSAGE, PHONE_PATTERN, email_field, name_field, new_password_fields, submit
from peermatch.web.widgets import Checkboxes, Radios


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


class NotificationSettingsForm(FlaskForm):
    channels = SelectMultipleField(
        "How should we tell you when something needs you?", widget=Checkboxes(),
        description="Select all that you want.", choices={"email": "Email", "text": "Text message"},
        invalid_choice_message="Select email, text message or both",
        validators=[InputRequired(message="Select email, text message or both")])
    phone = StringField("Mobile phone number for texts", widget=GovTextInput(),
                        description="Only if you chose text message. For example, 07700 900 982.",
                        validators=[Optional(), Regexp(PHONE_PATTERN, message=PHONE_FORMAT_MESSAGE)])
    how_often = RadioField(
        "How often?", widget=Radios(),
        choices={"each": "Each time something happens", "digest": "A daily digest instead of single messages"},
        validators=[InputRequired(message="Select how often you want to be told")])
    submit = submit("Save settings")
