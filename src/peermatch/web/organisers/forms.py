"""An organiser's forms. Every field has its own plain-English error message."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovCheckboxInput, GovSelect, GovTextInput
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from peermatch.models import MatchOutcome, UnmatchedReason
from peermatch.web.fields import GovDateField
from peermatch.web.forms import submit
from peermatch.web.widgets import Checkboxes, FilterButton, FilterCheckbox, FilterSelect, Radios

UNMATCHED_REASONS = {
    UnmatchedReason.NO_ADVOCATE_AVAILABLE: "No advocate is available in time",
    UnmatchedReason.PARENT_NOT_REACHABLE: "We could not reach the parent safely",
    UnmatchedReason.SUPPORT_FOUND_ELSEWHERE: "The parent found support elsewhere",
    UnmatchedReason.NO_LONGER_NEEDED: "The parent no longer needs support",
    UnmatchedReason.OUTSIDE_WHAT_WE_OFFER: "It is outside what our advocates can help with",
    UnmatchedReason.DUPLICATE: "The parent sent the same request twice",
}

MATCH_OUTCOMES = {
    MatchOutcome.SUPPORTED_THROUGH_MEETING: "The parent was supported through the meeting or process",
    MatchOutcome.ONGOING_NEED_REFERRED: "The parent needs more help and was referred on",
    MatchOutcome.PARENT_STOPPED_CONTACT: "The parent stopped being in touch",
    MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE: "The advocate could not carry on",
    MatchOutcome.CONCERN_RAISED: "A concern was raised",
    MatchOutcome.OTHER: "Something else",
}


class ButtonForm(FlaskForm):
    """A form that is only a button: it carries the CSRF token."""

    submit = submit("Continue")


class OfferForm(FlaskForm):
    """Send an offer to one advocate, from the candidates page."""

    volunteer_id = HiddenField(validators=[DataRequired(message="Choose an advocate")])
    submit = submit("Send offer")


class ConflictForm(FlaskForm):
    volunteer_id = SelectField("Which advocate?", widget=GovSelect(),
                               validators=[DataRequired(message="Select the advocate who has a conflict of interest")])
    reason = StringField("Why should they not be offered this request?",
                         description="For example, they know the family. Only organisers see this.",
                         widget=GovTextInput(),
                         validators=[DataRequired(message="Enter the reason"),
                                     Length(max=300, message="The reason must be 300 characters or fewer")])
    submit = submit("Record conflict of interest")


class CloseForm(FlaskForm):
    reason = RadioField("Why are you closing this request without a match?", widget=Radios(),
                        choices=UNMATCHED_REASONS, validators=[InputRequired(message="Select why you are closing this request")])
    submit = submit("Close request")


class EndMatchForm(FlaskForm):
    outcome = RadioField("How did the support end?", widget=Radios(), choices=MATCH_OUTCOMES,
                         validators=[InputRequired(message="Select how the support ended")])
    note = TextAreaField("Anything else to record (optional)", widget=GovCharacterCount(),
                         validators=[Length(max=1000, message="This must be 1000 characters or fewer")])
    submit = submit("End match")


class ReasonForm(FlaskForm):
    """Reject or suspend: a decision with its reason."""

    reason = TextAreaField("Reason", widget=GovCharacterCount(),
                           description="Only organisers see this. It is not sent to the volunteer.",
                           validators=[DataRequired(message="Enter the reason"),
                                       Length(max=500, message="The reason must be 500 characters or fewer")])
    submit = submit("Continue")


def _date(label: str, what: str, hint: str = "For example, 27 3 2026") -> GovDateField:
    return GovDateField(label, what=what, description=hint, validators=[Optional()])


class VettingForm(FlaskForm):
    dbs_checked_on = _date("Date of the DBS check", "the date of the DBS check")
    dbs_expires_on = _date("When the DBS check needs renewing", "the date the DBS check needs renewing",
                           "Usually 3 years after the check. For example, 27 3 2029")
    dbs_certificate_ref = StringField("DBS certificate number (optional)", widget=GovTextInput(),
                                      validators=[Length(max=32, message="The certificate number must be 32 "
                                                                         "characters or fewer")])
    training_completed_on = _date("Date training was completed", "the date training was completed")
    reference_1_requested_on = _date("Reference 1: requested", "the date reference 1 was requested")
    reference_1_received_on = _date("Reference 1: received", "the date reference 1 was received")
    reference_1_verified_on = _date("Reference 1: verified", "the date reference 1 was verified")
    reference_2_requested_on = _date("Reference 2: requested", "the date reference 2 was requested")
    reference_2_received_on = _date("Reference 2: received", "the date reference 2 was received")
    reference_2_verified_on = _date("Reference 2: verified", "the date reference 2 was verified")
    notes = TextAreaField("Notes (optional)", widget=GovCharacterCount(),
                          description="Only organisers see these. Do not write anything the volunteer should not read.",
                          validators=[Length(max=2000, message="Notes must be 2000 characters or fewer")])
    submit = submit("Save checks")


class TriageForm(FlaskForm):
    """The triage list's filters (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField("Status", widget=FilterSelect(), validate_choice=False,
                         choices={"": "Any status", "waiting": "Needs an offer", "submitted": "New", "open": "Open",
                                  "offered": "Offered"})
    issue = SelectField("Issue type", widget=FilterSelect(), validate_choice=False)
    area = SelectField("Area", widget=FilterSelect(), validate_choice=False)
    language = SelectField("Language", widget=FilterSelect(), validate_choice=False)
    soon = BooleanField("Meeting within 7 days", widget=FilterCheckbox())
    submit = SubmitField("Filter", widget=FilterButton())


class AdvocateFiltersForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", widget=GovTextInput(), validators=[Length(max=100)])
    standing = SelectField("Standing", widget=FilterSelect(), validate_choice=False, choices={
        "": "Any", "application_received": "Application received", "approved": "Approved",
        "suspended": "Suspended", "inactive": "Stepped back", "rejected": "Not approved", "withdrawn": "Withdrawn"})
    vetting = SelectField("Vetting", widget=FilterSelect(), validate_choice=False, choices={
        "": "Any", "not_started": "Not started", "in_progress": "In progress", "complete": "Complete",
        "expiring": "DBS check runs out within 30 days", "expired": "Expired"})
    language = SelectField("Language", widget=FilterSelect(), validate_choice=False)
    mode = SelectField("Support", widget=FilterSelect(), validate_choice=False, choices={
        "": "Any", "in_person": "In person", "phone": "Phone", "video": "Video"})
    network_wide = BooleanField("Supports parents anywhere in the network", widget=FilterCheckbox())
    submit = SubmitField("Filter", widget=FilterButton())


class BatchForm(FlaskForm):
    most_matches = BooleanField("Match as many parents as possible first, then by best score",
                                description="Otherwise the proposals give the best total score.",
                                widget=GovCheckboxInput())
    submit = submit("Propose offers")


class SendBatchForm(FlaskForm):
    pairs = SelectMultipleField("Offers to send", widget=Checkboxes(), validate_choice=False,
                                validators=[InputRequired(message="Select at least one offer to send")])
    submit = submit("Send selected offers")
