"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from peermatch.web.fields import GovDateField
from peermatch.web.forms import email_field, name_field, submit
from peermatch.web.widgets import FilterButton, FilterSelect


class InviteOrganiserForm(FlaskForm):
    display_name = name_field("Full name", required_message="Enter the organiser's name")
    email = email_field("Work email address", required_message="Enter the organiser's work email address")
    organisation = SelectField(
        "Organisation", widget=GovSelect(), validators=[DataRequired(message="Choose an organisation")],
        validate_choice=True,
    )
    submit = submit("Create account and send invitation")


class ActivateModelForm(FlaskForm):
    submit = submit("Use this model for new offers")


class ResetTwoFactorForm(FlaskForm):
    submit = submit("Reset two-factor sign-in")


class AuditFiltersForm(FlaskForm):
    """The audit log's filters (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField("Person's email address", widget=GovTextInput(),
                         validators=[Length(max=254, message="Email address must be 254 characters or fewer")])
    organisation = SelectField("Organisation", widget=FilterSelect(), validate_choice=False)
    action = SelectField("Action", widget=FilterSelect(), validate_choice=False)
    since = GovDateField("From", what="the first day")
    until = GovDateField("To", what="the last day")
    submit = SubmitField("Filter", widget=FilterButton())


class RetentionForm(FlaskForm):
    days = IntegerField(
        "Retention period, in days", widget=GovTextInput(),
        description="How long finished requests, volunteers who left and unused accounts are kept before "
                    "they are erased. Between 30 and 3650 days.",
        validators=[InputRequired(message="Enter the retention period in days"),
                    NumberRange(min=30, max=3650, message="The retention period must be between 30 and 3650 days")])
    submit = submit("Save the retention period")
