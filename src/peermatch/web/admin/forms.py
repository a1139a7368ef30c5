"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import DataRequired

from peermatch.web.forms import email_field, name_field, submit


class InviteOrganiserForm(FlaskForm):
    display_name = name_field("Full name", required_message="Enter the organiser's name")
    email = email_field("Work email address")
    organisation = SelectField(
        "Organisation", widget=GovSelect(), validators=[DataRequired(message="Choose an organisation")],
        validate_choice=True,
    )
    submit = submit("Create account and send invitation")


class ActivateModelForm(FlaskForm):
    submit = submit("Use this model for new offers")


class ResetTwoFactorForm(FlaskForm):
    submit = submit("Reset two-factor sign-in")
