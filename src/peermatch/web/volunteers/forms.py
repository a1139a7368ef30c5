"""A volunteer's forms. Every field has its own plain-English error message."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from peermatch.models import IssueType, VolunteerProfile
from peermatch.reference import LANGUAGES
from peermatch.services.advocates import NO_TIMES, OPT_OUT_CLASH, VolunteerDetails
from peermatch.web.fields import GovDateField, WeeklySlotsField
from peermatch.web.widgets import Checkboxes, Radios
from peermatch.web.forms import submit
from peermatch.web.volunteers import wording


def options(pairs: Any) -> list[SelectChoice]:
    """Choices for a radio or checkbox field from (value, label) pairs or a mapping."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(str(value), label) for value, label in items]


def details_questions() -> tuple[Any, ...]:
    """The questions of the application that *Your details* asks again, in the order both pages ask them.

    Built fresh for each form so every form lists its fields, and
    its error summary, in page order. The introduction is :func:`introduction_question`.
    """
    lived_experience = SelectMultipleField(
        "Which of these have you been through yourself?",
        description="Choose everything you could talk about with another parent. Select all that apply.",
        widget=Checkboxes(), validators=[DataRequired(message="Select at least one thing you have been through")],
        invalid_choice_message="Select from the list",
    )
    opt_outs = SelectMultipleField(
        "Are there any you would rather not support a parent with?",
        description="For example, because it is too close to what happened to you. We will not offer you a parent "
                    "whose request is about these. Leave blank if there are none.",
        widget=Checkboxes(), invalid_choice_message="Select from the list",
    )
    languages = SelectMultipleField(
        "Which languages could you support a parent in?", description="Select all that apply.",
        choices=options(LANGUAGES), widget=Checkboxes(),
        validators=[DataRequired(message="Select at least one language")],
        invalid_choice_message="Select languages from the list",
    )
    gender = RadioField(
        "What is your gender?", description="Some parents ask for an advocate of a particular gender.",
        choices=options(wording.GENDERS), widget=Radios(),
        invalid_choice_message="Select your gender, or prefer not to say",
    )
    support_modes = SelectMultipleField(
        "How could you support parents?", description="Select all that apply.",
        choices=options(wording.SUPPORT_MODES), widget=Checkboxes(),
        validators=[DataRequired(message="Select how you could support parents")],
        invalid_choice_message="Select how you could support parents",
    )
    postcode = StringField(
        "Your home postcode", description="For example, LA14 2AB. We only keep the first part (LA14), to work out "
                                           "distances.",
        widget=GovTextInput(), validators=[DataRequired(message="Enter your home postcode"),
                                           Length(max=10, message="Postcode must be 10 characters or fewer")],
    )
    travel_km = RadioField(
        "How far could you travel to meet a parent in person?", choices=options(wording.TRAVEL_DISTANCES),
        widget=Radios(), validate_choice=False,
    )
    network_wide = RadioField(
        "Would you support parents anywhere in the network by phone or video?",
        description="The network covers several parts of England. Parents elsewhere may have no advocate nearby.",
        choices=options([("yes", "Yes"), ("no", "No, only parents near me")]), widget=Radios(),
        invalid_choice_message="Select yes if you would support parents anywhere by phone or video",
    )
    return lived_experience, opt_outs, languages, gender, support_modes, postcode, travel_km, network_wide


def introduction_question() -> TextAreaField:
    return TextAreaField(
        "Tell the organisers a little about yourself",
        description="For example, what you have been through and why you would like to help other parents. "
                    "Only organisers read this.",
        widget=GovCharacterCount(),
        validators=[DataRequired(message="Tell the organisers a little about yourself"),
                    Length(max=1000, message="Your introduction must be 1000 characters or fewer")],
    )


class DetailsMixin:
    """Choices, rules and answers shared by the application and *Your details*."""

    lived_experience: SelectMultipleField
    opt_outs: SelectMultipleField
    languages: SelectMultipleField
    gender: RadioField
    support_modes: SelectMultipleField
    postcode: StringField
    travel_km: RadioField
    network_wide: RadioField
    introduction: TextAreaField

    def offer_issue_types(self, issue_types: list[IssueType]) -> None:
        """The issue types to tick, for both what the volunteer has been through and their opt-outs."""
        self.lived_experience.choices = options((t.code, t.name) for t in issue_types)
        self.opt_outs.choices = options((t.code, t.name) for t in issue_types)

    def validate_opt_outs(self, field: SelectMultipleField) -> None:
        if set(field.data or []) & set(self.lived_experience.data or []):
            raise ValidationError(OPT_OUT_CLASH)

    def validate_travel_km(self, field: RadioField) -> None:
        if "in_person" in (self.support_modes.data or []) and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select how far you could travel to meet a parent in person")

    def details(self) -> VolunteerDetails:
        """The answers, once the form is valid."""
        return VolunteerDetails(
            lived_experience=self.lived_experience.data, opt_outs=self.opt_outs.data or [],
            languages=self.languages.data, gender=self.gender.data, support_modes=self.support_modes.data,
            postcode=self.postcode.data, travel_km=float(self.travel_km.data or 0),
            network_wide=self.network_wide.data == "yes", introduction=self.introduction.data,
        )


def week_question(message: str = NO_TIMES) -> WeeklySlotsField:
    return WeeklySlotsField("When are you usually free?", validators=[DataRequired(message=message)])


class DetailsForm(DetailsMixin, FlaskForm):
    """*Your details*: the application's questions, less the organisation, capacity and free times."""

    (lived_experience, opt_outs, languages, gender, support_modes, postcode, travel_km,
     network_wide) = details_questions()
    introduction = introduction_question()
    submit = submit("Save your details")

    def keep_travel_distance(self, km: float) -> None:
        """Offer the volunteer's current distance even if it is not one of today's choices, so it shows ticked."""
        value = f"{km:g}"
        if km > 0 and value not in {c.value for c in self.travel_km.choices}:
            self.travel_km.choices = sorted([*self.travel_km.choices, SelectChoice(value, wording.distance(km))],
                                            key=lambda c: float(c.value))

    def fill(self, profile: VolunteerProfile) -> None:
        """Pre-fill every question from the profile."""
        self.lived_experience.data = [t.code for t in profile.lived_experience]
        self.opt_outs.data = [t.code for t in profile.opt_outs]
        self.languages.data = profile.languages
        self.gender.data = profile.gender
        self.support_modes.data = [mode for mode in wording.SUPPORT_MODES if mode in profile.support_modes]
        self.postcode.data = profile.home_outcode
        self.travel_km.data = f"{profile.travel_km:g}" if profile.offers_in_person else None
        self.network_wide.data = "yes" if profile.network_wide else "no"
        self.introduction.data = profile.introduction


class AvailabilityForm(FlaskForm):
    availability = week_question(NO_TIMES + ". If you need a break, add the dates you are away instead")
    submit = submit("Save availability")


class CapacityForm(FlaskForm):
    capacity = RadioField(
        "How many parents could you support at the same time?", choices=options((str(n), str(n)) for n in range(1, 5)),
        widget=Radios(), invalid_choice_message="Select how many parents you could support at the same time",
    )
    submit = submit("Save")


class PauseForm(FlaskForm):
    starts_on = GovDateField("First day you are away", what="the first day you are away",
                             required="Enter the first day you are away", description="For example, 1 8 2026")
    ends_on = GovDateField("Last day you are away", what="the last day you are away",
                           required="Enter the last day you are away", description="For example, 14 8 2026")
    reason = StringField("Reason (optional)", description="Only you and the organisers see this, for example "
                                                          "“holiday”.",
                         widget=GovTextInput(), validators=[Optional(), Length(
                             max=200, message="Reason must be 200 characters or fewer")])
    submit = submit("Add these dates")

    def validate_ends_on(self, field: GovDateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day you are away must be the same as or after the first day")


class ButtonForm(FlaskForm):
    """A form that is only a button (accept, remove): it carries the CSRF token."""

    submit = submit("Continue")


class DeclineForm(FlaskForm):
    reason = RadioField("Why can you not take this on?", choices=options(wording.DECLINE_REASONS),
                        widget=Radios(), invalid_choice_message="Select why you cannot take this on")
    note = TextAreaField("Anything else the organisers should know (optional)", widget=GovCharacterCount(),
                         validators=[Length(max=500, message="Anything else must be 500 characters or fewer")])
    submit = submit("Decline offer")


class ContactForm(FlaskForm):
    occurred_on = GovDateField("When were you in contact?", what="the date of the contact",
                               required="Enter the date of the contact", description="For example, 27 3 2026")
    mode = RadioField("How were you in contact?", choices=options(wording.CONTACT_MODES), widget=Radios(),
                      invalid_choice_message="Select how you were in contact")
    minutes = StringField("How long did it take, in minutes?", description="For example, 45. For 2 hours, enter 120.",
                          widget=GovTextInput())
    note = TextAreaField("Short note (optional)",
                         description="What you did, in a few words. Do not write anything you would not want the "
                                     "parent to read.",
                         widget=GovCharacterCount(),
                         validators=[Length(max=500, message="Note must be 500 characters or fewer")])
    submit = submit("Save contact")

    def validate_minutes(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Enter how many minutes the contact took")
        if not (text.isascii() and text.isdigit()):
            raise ValidationError("Minutes must be a whole number, like 45")
        if not 1 <= int(text) <= 1440:
            raise ValidationError("Minutes must be between 1 and 1440 (24 hours)")


class EndMatchForm(FlaskForm):
    outcome = RadioField("How did the support end?", choices=options(wording.MATCH_OUTCOMES),
                         widget=Radios(), invalid_choice_message="Select how the support ended")
    outcome_note = TextAreaField("Tell the organisers more (optional)", widget=GovCharacterCount(),
                                 validators=[Length(max=1000, message="This must be 1000 characters or fewer")])
    rating = RadioField("How well did the support go, from your side?", choices=options(wording.RATINGS),
                        widget=Radios(), invalid_choice_message="Select how well the support went")
    comments = TextAreaField("Your feedback (optional)",
                             description="What went well, and what would have helped you. The organisers read this.",
                             widget=GovCharacterCount(),
                             validators=[Length(max=2000, message="Your feedback must be 2000 characters or fewer")])
    submit = submit("End support")


# -- the application, one question a page --------------------------------------------------------

DETAILS_NAMES = ("lived_experience", "opt_outs", "languages", "gender", "support_modes", "postcode", "travel_km",
                 "network_wide")


def _question(name: str) -> Any:
    """The application's question ``name``, built fresh, for a page of its own."""
    return dict(zip(DETAILS_NAMES, details_questions(), strict=True))[name]


class ExperienceForm(FlaskForm):
    lived_experience = _question("lived_experience")
    submit = submit("Continue")


class OptOutsForm(FlaskForm):
    opt_outs = _question("opt_outs")
    submit = submit("Continue")


class LanguagesForm(FlaskForm):
    languages = _question("languages")
    submit = submit("Continue")


class GenderForm(FlaskForm):
    gender = _question("gender")
    submit = submit("Continue")


class SupportModesForm(FlaskForm):
    support_modes = _question("support_modes")
    submit = submit("Continue")


class PostcodeForm(FlaskForm):
    postcode = _question("postcode")
    submit = submit("Continue")


class TravelForm(FlaskForm):
    travel_km = _question("travel_km")
    submit = submit("Continue")

    def validate_travel_km(self, field: RadioField) -> None:
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select how far you could travel to meet a parent in person")


class OrganisationForm(FlaskForm):
    organisation = RadioField(
        "Which organisation would you like to volunteer with?", widget=Radios(), choices=[],
        invalid_choice_message="Select an organisation from the list",
    )
    submit = submit("Continue")


class NetworkWideForm(FlaskForm):
    network_wide = _question("network_wide")
    submit = submit("Continue")


class ApplicationCapacityForm(FlaskForm):
    capacity = RadioField(
        "How many parents could you support at the same time?",
        description="Most advocates support one or two. You can change this at any time.",
        choices=options((str(n), str(n)) for n in range(1, 5)), widget=Radios(),
        invalid_choice_message="Select how many parents you could support at the same time",
    )
    submit = submit("Continue")


class WhenFreeForm(FlaskForm):
    availability = week_question()
    submit = submit("Continue")


class IntroductionForm(FlaskForm):
    introduction = introduction_question()
    submit = submit("Continue")


class SendApplicationForm(FlaskForm):
    """Check your answers: only the button (the answers are already saved)."""

    submit = submit("Send application")
