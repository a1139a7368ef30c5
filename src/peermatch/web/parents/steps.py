"""The question pages of "Ask for support", in order, each with how to load and save its answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm

from peermatch.models import SafeContact, SupportRequest, User
from peermatch.services import drafts
from peermatch.web.parents import forms

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Context:
    session: Session
    parent: User
    draft: SupportRequest
    now: datetime
    privacy_version: str


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[FlaskForm]
    load: Callable[[FlaskForm, Context], None]
    save: Callable[[FlaskForm, Context], None]
    prepare: Callable[[FlaskForm, Context], None] = lambda form, ctx: None
    applies: Callable[[SupportRequest], bool] = lambda draft: True
    # A page that follows up another question's answer (or replaces it) shares that question's number.
    follows: str | None = None


# Question 1 in three short groups, so a parent on a phone scans headings rather than 20 boxes in a row.
# An issue type the admin adds later joins the last group.
ISSUE_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("Meetings and children's services", (
        "early_help", "child_in_need", "section_47", "child_protection_conference", "core_group",
        "pre_proceedings", "care_proceedings", "family_group_conference")),
    ("A child in care or living away from you", ("family_time", "reunification", "kinship_care", "adoption")),
    ("Other things affecting your family", ()),
]


def issue_groups(types: list[Any]) -> list[tuple[str, list[Any]]]:
    """The issue types under the heading of their group, in their usual order within it."""
    placed = {code: index for index, (_, codes) in enumerate(ISSUE_GROUPS) for code in codes}
    groups: list[tuple[str, list[Any]]] = [(heading, []) for heading, _ in ISSUE_GROUPS]
    for issue_type in types:
        groups[placed.get(issue_type.code, len(ISSUE_GROUPS) - 1)][1].append(issue_type)
    return [(heading, members) for heading, members in groups if members]


def _issue_choices(form: Any, ctx: Context) -> None:
    types = drafts.active_issue_types(ctx.session)
    form.issue_types.choices = {t.code: t.name for t in types}
    form.issue_groups = issue_groups(types)


def _main_issue_choices(form: Any, ctx: Context) -> None:
    form.main_issue.choices = {t.code: t.name for t in ctx.draft.issue_types}


def _area_choices(form: Any, ctx: Context) -> None:
    form.area.choices = {"": "Select your council area",
                         **{str(a.id): a.name for a in drafts.covered_areas(ctx.session)}}


def contact_answers(form: Any) -> drafts.SafeContactAnswers:
    """The safe-contact answers of a contact form (the question, or the page that changes them later)."""
    return drafts.SafeContactAnswers(
        name_to_ask_for=form.name_to_ask_for.data or "", channels=frozenset(form.channels.data or []),
        email=form.email.data or None, phone=form.phone.data or None, safe_times=form.safe_times.data or "",
        voicemail_ok={"yes": True, "no": False}.get(form.voicemail_ok.data or ""),
        text_phone=form.text_phone.data or None)


def _save_contact(form: Any, ctx: Context) -> None:
    drafts.save_safe_contact(ctx.session, ctx.draft, contact_answers(form))


def _load_contact(form: Any, ctx: Context) -> None:
    load_contact(form, ctx.draft.safe_contact)


def load_contact(form: Any, contact: SafeContact | None) -> None:
    """Fill a contact form with the answers given before."""
    if contact is None:
        return
    form.name_to_ask_for.data = contact.name_to_ask_for
    form.channels.data = [c for c, ok in (("phone", contact.phone_ok), ("text", contact.text_ok),
                                          ("email", contact.email_ok)) if ok]
    form.phone.data = contact.phone if contact.phone_ok else None
    form.text_phone.data = contact.phone if contact.text_ok else None
    form.email.data = contact.email
    form.voicemail_ok.data = ("yes" if contact.voicemail_ok else "no") if contact.phone_ok else None
    form.safe_times.data = contact.safe_times


def _load_meeting(form: Any, ctx: Context) -> None:
    if ctx.draft.draft_answers.get("meeting_answered"):
        form.meeting_type.data = ctx.draft.meeting_type or forms.NO_MEETING


def _load_meeting_date(form: Any, ctx: Context) -> None:
    form.meeting_date.data = ctx.draft.meeting_date
    form.meeting_part.data = "" if ctx.draft.meeting_part is None else str(ctx.draft.meeting_part)


def _load_where(form: Any, ctx: Context) -> None:
    form.postcode.data = ctx.draft.outcode


def _load_languages(form: Any, ctx: Context) -> None:
    if ctx.draft.draft_answers.get("languages_answered"):
        form.languages.data = ctx.draft.languages
        form.interpreter_ok.data = "yes" if ctx.draft.interpreter_ok else "no"


def _remote_route(form: Any, ctx: Context) -> None:
    form.outcode = ctx.draft.outcode
    form.route = drafts.remote_support_route(ctx.session, ctx.draft.latitude, ctx.draft.longitude)


def _mode_choices(form: Any, ctx: Context) -> None:
    form.remote_only = drafts.is_network_wide(ctx.draft)
    if form.remote_only:  # an advocate from another area supports by phone or video only
        form.support_modes.choices = [(v, label) for v, label, _ in forms.SUPPORT_MODES if v != "in_person"]


def _load_modes(form: Any, ctx: Context) -> None:
    d = ctx.draft
    form.support_modes.data = [m for m, ok in (("in_person", d.accepts_in_person), ("phone", d.accepts_phone),
                                               ("video", d.accepts_video)) if ok]


STEPS: list[Step] = [
    Step("what-is-happening", forms.WhatIsHappeningForm,
         load=lambda f, c: setattr(f.issue_types, "data", [t.code for t in c.draft.issue_types]),
         save=lambda f, c: drafts.save_issue_types(c.session, c.draft, f.issue_types.data),
         prepare=_issue_choices),
    Step("what-matters-most", forms.WhatMattersMostForm,
         load=lambda f, c: setattr(f.main_issue, "data", c.draft.main_issue.code if c.draft.main_issue else None),
         save=lambda f, c: drafts.save_main_issue(c.session, c.draft, f.main_issue.data),
         prepare=_main_issue_choices, applies=lambda d: len(d.issue_types) > 1, follows="what-is-happening"),
    Step("meeting", forms.MeetingForm, load=_load_meeting,
         save=lambda f, c: drafts.save_meeting(
             c.session, c.draft, None if f.meeting_type.data == forms.NO_MEETING else f.meeting_type.data)),
    Step("meeting-date", forms.MeetingDateForm, load=_load_meeting_date,
         save=lambda f, c: drafts.save_meeting_date(
             c.session, c.draft, f.meeting_date.data, int(f.meeting_part.data) if f.meeting_part.data else None,
             c.now),
         applies=lambda d: bool(d.meeting_type), follows="meeting"),
    Step("where", forms.WhereForm, load=_load_where,
         save=lambda f, c: drafts.save_postcode(c.session, c.draft, f.postcode.data or "")),
    Step("council-area", forms.CouncilAreaForm,
         load=lambda f, c: setattr(f.area, "data", str(c.draft.area_id) if c.draft.area_id else ""),
         save=lambda f, c: drafts.save_council_area(c.session, c.draft, f.area.data),
         prepare=_area_choices, applies=lambda d: d.draft_answers.get("location") == "area", follows="where"),
    Step("no-group-nearby", forms.NoGroupNearbyForm, load=lambda f, c: None,
         save=lambda f, c: drafts.choose_network_wide_support(c.session, c.draft),
         prepare=_remote_route, applies=drafts.is_uncovered, follows="where"),
    Step("how", forms.HowForm, load=_load_modes,
         save=lambda f, c: drafts.save_support_modes(c.session, c.draft, f.support_modes.data),
         prepare=_mode_choices),
    Step("language", forms.LanguageForm, load=_load_languages,
         save=lambda f, c: drafts.save_languages(c.session, c.draft, f.languages.data,
                                                           f.interpreter_ok.data == "yes")),
    Step("advocate", forms.AdvocateForm,
         load=lambda f, c: setattr(f.advocate_gender, "data", (c.draft.advocate_gender or "none")
                                   if c.draft.draft_answers.get("gender_answered") else None),
         save=lambda f, c: drafts.save_advocate_gender(
             c.session, c.draft, None if f.advocate_gender.data == "none" else f.advocate_gender.data)),
    Step("when-free", forms.WhenFreeForm,
         load=lambda f, c: f.availability.set_mask(c.draft.availability_mask),
         save=lambda f, c: drafts.save_availability(c.session, c.draft, f.availability.mask)),
    Step("contact", forms.ContactForm, load=_load_contact, save=_save_contact),
    Step("message-times", forms.MessageTimesForm,
         load=lambda f, c: f.message_times.set_mask(c.draft.safe_contact.message_times_mask)
         if c.draft.safe_contact and c.draft.draft_answers.get("message_times_answered") else None,
         save=lambda f, c: drafts.save_message_times(c.session, c.draft, f.message_times.mask),
         applies=drafts.messages_allowed, follows="contact"),
    Step("consent", forms.ConsentForm,
         load=lambda f, c: setattr(f.consent, "data", bool(c.draft.draft_answers.get("consent_version"))),
         save=lambda f, c: drafts.record_consent(c.session, c.draft, c.parent, c.privacy_version, c.now)),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def next_step(draft: SupportRequest, after: str) -> str | None:
    """The next question that applies after ``after``, or None at the end."""
    slugs = [s.slug for s in STEPS]
    for step in STEPS[slugs.index(after) + 1:]:
        if step.applies(draft):
            return step.slug
    return None


QUESTIONS = [step.slug for step in STEPS if step.follows is None]


def question_number(slug: str) -> tuple[int, int]:
    """"Question n of N" that never changes as the parent answers: N counts the main questions only,
    and a page that follows up an answer (the meeting's date, what matters most, message times, the
    council area instead of a postcode) carries the number of the question it follows."""
    step = STEPS_BY_SLUG[slug]
    return QUESTIONS.index(step.follows or slug) + 1, len(QUESTIONS)
