"""The question pages a parent answers, one question a page where they must think."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount, GovCheckboxInput, GovSelect, GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from peermatch.models import Gender, MeetingType
from peermatch.reference import LANGUAGES
from peermatch.services import drafts
from peermatch.web.fields import GovDateField, WeeklySlotsField
from peermatch.web.widgets import Checkboxes, Radios
from peermatch.web.forms import PHONE_FORMAT_MESSAGE, PHONE_PATTERN, submit

MEETING_TYPES = [
    (MeetingType.CHILD_PROTECTION_CONFERENCE, "Child protection conference",
     "A meeting that decides whether there will be a child protection plan"),
    (MeetingType.CORE_GROUP, "Core group meeting", "A meeting about how a child protection plan is going"),
    (MeetingType.CHILD_IN_NEED_MEETING, "Child in need meeting", "A meeting about support from children's services"),
    (MeetingType.PLO_MEETING, "Pre-proceedings (PLO) meeting", "The last meeting before the council may go to court"),
    (MeetingType.COURT_HEARING, "Family court hearing", None),
    (MeetingType.FAMILY_GROUP_CONFERENCE, "Family group conference", "A family-led meeting to make a plan"),
    (MeetingType.CHILD_IN_CARE_REVIEW, "Review for a child in care", None),
    (MeetingType.OTHER, "Another meeting", None),
]
NO_MEETING = "none"
PARTS = [("0", "Morning"), ("1", "Afternoon"), ("2", "Evening")]
SUPPORT_MODES = [("in_person", "In person", "Meeting face to face, or going with you to a meeting"),
                 ("phone", "By phone", None), ("video", "By video call", None)]
CHANNELS = [("phone", "Phone call"), ("text", "Text message"), ("email", "Email")]


class ParentForm(FlaskForm):
    """Every question page has a Continue button, and a heading (by default, its first question)."""

    heading: str | None = None
    submit = submit("Continue")

    def page_heading(self) -> str:
        questions = (field for field in self if field.name not in ("csrf_token", "submit"))
        return self.heading or next(questions).label.text


class WhatIsHappeningForm(ParentForm):
    issue_types = SelectMultipleField(
        "What is happening?", widget=Checkboxes(), description="Select all that apply.",
        validators=[InputRequired(message="Select what is happening")], validate_choice=True,
    )


class WhatMattersMostForm(ParentForm):
    main_issue = RadioField("Which of these matters most to you right now?", widget=Radios(),
                            validators=[InputRequired(message="Select what matters most to you right now")])


class MeetingForm(ParentForm):
    meeting_type = RadioField(
        "Do you have a meeting coming up?", widget=Radios(),
        description="An advocate can help you get ready, and may be able to come with you.",
        choices={**{value: label for value, label, _ in MEETING_TYPES}, NO_MEETING: "No meeting planned"},
        validators=[InputRequired(message="Select the meeting you have coming up, or no meeting planned")],
    )


class MeetingDateForm(ParentForm):
    heading = "About the meeting"
    meeting_date = GovDateField("When is the meeting?", what="the date of the meeting",
                                description="For example, 27 3 2027", required="Enter the date of the meeting")
    meeting_part = RadioField("What time of day is it?", widget=Radios(),
                              choices={**dict(PARTS), "": "I do not know yet"}, default="",
                              validators=[Optional()])


class WhereForm(ParentForm):
    postcode = StringField(
        "What is your postcode?", widget=GovTextInput(),
        description="The first part is enough, for example LA14. We use it only to find advocates near you.",
        validators=[Length(max=10, message="Postcode must be 10 characters or fewer")],
    )


class NoGroupNearbyForm(ParentForm):
    """No member organisation covers the parent's postcode: offer phone or video support from elsewhere."""

    heading = "There is no parent group near you yet"
    submit = submit("Ask for support by phone or video call")


class CouncilAreaForm(ParentForm):
    area = SelectField("Which council area do you live in?", widget=GovSelect(),
                       validators=[DataRequired(message="Select your council area")])


class HowForm(ParentForm):
    support_modes = SelectMultipleField(
        "How could support happen?", widget=Checkboxes(), description="Select all that would work for you.",
        choices={v: label for v, label, _ in SUPPORT_MODES},
        validators=[InputRequired(message="Select how support could happen")],
    )


class LanguageForm(ParentForm):
    languages = SelectMultipleField(
        "Which languages do you speak?", widget=Checkboxes(), description="Select all that apply.",
        choices=dict(LANGUAGES), validators=[InputRequired(message="Select the languages you speak")],
    )
    interpreter_ok = RadioField(
        "If we cannot find an advocate who speaks your language, would an interpreter be OK?",
        widget=Radios(), choices={"yes": "Yes", "no": "No"},
        validators=[InputRequired(message="Select yes if an interpreter would be OK")],
    )


class AdvocateForm(ParentForm):
    advocate_gender = RadioField(
        "Would you prefer your advocate to be a woman or a man?", widget=Radios(),
        choices={"none": "No preference", Gender.WOMAN.value: "A woman", Gender.MAN.value: "A man"},
        validators=[InputRequired(message="Select if you have a preference")],
    )


class WhenFreeForm(ParentForm):
    availability = WeeklySlotsField("When are you usually free?",
                                    validators=[InputRequired(message="Select at least one time you are usually free")])


class ContactForm(ParentForm):
    """How and when it is safe to contact the parent. The phone and email boxes sit under the way they belong to
    (GOV.UK's conditional reveal: shown when it is ticked, all shown without JavaScript), and voicemail is asked
    only under phone calls. Which answers each way needs is the domain's rule (``drafts.contact_problems``)."""

    heading = "How and when it is safe to contact you"
    name_to_ask_for = StringField(
        "What name should we ask for?", widget=GovTextInput(),
        description="If someone else answers, we will ask for this name. It can be a nickname.",
        validators=[DataRequired(message="Enter the name we should ask for"),
                    Length(max=100, message="Name must be 100 characters or fewer")],
    )
    channels = SelectMultipleField(
        "How is it safe to contact you?", widget=Checkboxes(), description="Select all that are safe.",
        choices=dict(CHANNELS), validators=[InputRequired(message="Select at least one way it is safe to contact you")],
    )
    phone = StringField("Phone number for calls", widget=GovTextInput(), description="For example, 07700 900 982.",
                        validators=[Optional(), Regexp(PHONE_PATTERN, message=PHONE_FORMAT_MESSAGE)])
    voicemail_ok = RadioField("Is it OK to leave a voicemail?", widget=Radios(),
                              choices={"no": "No, do not leave a voicemail", "yes": "Yes"},
                              validators=[Optional()])
    text_phone = StringField("Mobile number for texts", widget=GovTextInput(),
                             description="If you also chose phone calls, use the same number.",
                             validators=[Optional(), Regexp(PHONE_PATTERN, message=PHONE_FORMAT_MESSAGE)])
    email = StringField("Email address", widget=GovTextInput(),
                        description="It can be different from the one you sign in with.",
                        validators=[Optional(), Length(max=254, message="Email address must be 254 characters or fewer"),
                                    Email(message="Enter an email address in the correct format, like name@example.com",
                                          check_deliverability=False)])
    safe_times = TextAreaField(
        "When is it safe to contact you?", widget=GovCharacterCount(),
        description="For example, weekdays between 10am and 2pm, or not after 6pm.",
        validators=[DataRequired(message="Tell us when it is safe to contact you"),
                    Length(max=300, message="When it is safe to contact you must be 300 characters or fewer")],
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def,override]
        """Each field's own checks, then every answer the ways chosen need, all shown at once."""
        from peermatch.web.parents.steps import contact_answers

        valid = super().validate(extra_validators)
        if self.channels.errors:
            return valid
        for name, message in drafts.contact_problems(contact_answers(self)):
            field = self[name]
            if not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


MESSAGE_TIMES_HINT = ("We will only send an email or a text at the times you choose: morning is 8am to 12 noon, "
                      "afternoon is 12 to 5pm, evening is 5pm to 9pm. We never send anything at night.")


class MessageTimesForm(ParentForm):
    message_times = WeeklySlotsField(
        "When is it safe for us to send you a message?", description=MESSAGE_TIMES_HINT,
        validators=[InputRequired(message="Select at least one time when it is safe to send you a message")])


class ChangeContactForm(ContactForm):
    """The safe-contact question and the message times on one page, to change them after sending."""

    heading = "Change how and when it is safe to contact you"
    message_times = WeeklySlotsField("When is it safe for us to send you a message?",
                                     description="Only if you chose email or text message. " + MESSAGE_TIMES_HINT)
    submit = submit("Save changes")


class ConsentForm(ParentForm):
    heading = "Sharing your answers"
    consent = BooleanField(
        "I agree that the organisers of the parent group in my area, and the advocate who supports me, "
        "can see my answers", widget=GovCheckboxInput(),
        validators=[DataRequired(message="You must agree before we can look for an advocate")],
    )


class SendForm(FlaskForm):
    submit = submit("Send request")


class WithdrawForm(FlaskForm):
    confirm = RadioField("Are you sure you want to cancel this request?", widget=Radios(),
                         choices={"yes": "Yes, cancel my request", "no": "No, keep it"},
                         validators=[InputRequired(message="Select yes if you want to cancel this request")])
    submit = submit("Continue")


class FeedbackForm(FlaskForm):
    rating = RadioField("How helpful was your advocate?", widget=Radios(),
                        choices={"5": "Very helpful", "4": "Helpful", "3": "Neither helpful nor unhelpful",
                                 "2": "Not very helpful", "1": "Not helpful at all"},
                        validators=[InputRequired(message="Select how helpful your advocate was")])
    comments = TextAreaField("Tell us more (optional)", widget=GovCharacterCount(),
                             validators=[Length(max=2000, message="Your feedback must be 2000 characters or fewer")])
    submit = submit("Send feedback")


class DeleteAccountForm(FlaskForm):
    confirm = RadioField("Are you sure you want to delete your account and everything in it?", widget=Radios(),
                         choices={"yes": "Yes, delete everything", "no": "No, keep my account"},
                         validators=[InputRequired(message="Select yes if you want to delete your account")])
    submit = submit("Continue")
