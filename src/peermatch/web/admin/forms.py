"""Admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import EmailField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

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


# -- the network's settings --------------------------------------------------------------------------

class OrganisationForm(FlaskForm):
    name = StringField("Name of the organisation", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the organisation's name"),
        Length(max=200, message="The name must be 200 characters or fewer")])
    contact_email = EmailField(
        "Contact email address (optional)", widget=GovTextInput(),
        description="Parents see it on their request's page, to write to the group looking after it.",
        validators=[Optional(), Length(max=254, message="Email address must be 254 characters or fewer"),
                    Email(message="Enter an email address in the correct format, like name@example.com",
                          check_deliverability=False)])
    submit = submit("Save")


class AddAreaForm(FlaskForm):
    area = SelectField("Council area", widget=GovSelect(), validate_choice=True,
                       description="Every outward postcode the area includes is covered with it.",
                       validators=[DataRequired(message="Choose a council area")])
    submit = submit("Add this council area")


class OutcodesForm(FlaskForm):
    outcodes = TextAreaField(
        "Outward codes covered on their own", widget=GovTextArea(),
        description="The first part of a postcode, like EX1 or LA14, separated by spaces. Only for outward codes "
                    "of a council area nobody covers: they belong to this organisation's nearest council area. "
                    "Take one out to stop covering it.",
        validators=[Length(max=2000, message="Enter 2000 characters or fewer")])
    submit = submit("Save the outward codes")


class RemoveAreaForm(FlaskForm):
    submit = submit("Remove this council area")


class DeactivateOrganiserForm(FlaskForm):
    submit = submit("Deactivate this account")


class ReinviteOrganiserForm(FlaskForm):
    submit = submit("Send a new invitation")


class MoveOrganiserForm(FlaskForm):
    organisation = SelectField("Move to", widget=GovSelect(), validate_choice=True,
                               validators=[DataRequired(message="Choose the organisation they now work for")])
    submit = submit("Move to this organisation")


class IssueTypeForm(FlaskForm):
    name = StringField("Name of the issue type", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the issue type's name"),
        Length(max=120, message="The name must be 120 characters or fewer")])
    description = TextAreaField(
        "Explanation for parents (optional)", widget=GovTextArea(),
        description="Shown under the name, in plain words, to parents choosing what is happening.",
        validators=[Length(max=500, message="The explanation must be 500 characters or fewer")])
    submit = submit("Save")


class RetireIssueTypeForm(FlaskForm):
    submit = submit("Retire this issue type")
