"""Volunteer advocates: applying, their details, availability, dates away and capacity; vetting
and an organiser's decisions (approve, reject, suspend, reinstate).

The only code that changes a volunteer's profile (its standing, capacity, availability,
pauses, details and vetting), and their unfinished application, kept answer by answer in
``volunteer_application_drafts`` until :func:`send_application` makes the profile. The count of places taken belongs to ``services.matches``,
which changes it only when a match begins or ends.

Standing (``VolunteerProfile.status``) moves only through :func:`_move` along
:data:`TRANSITIONS`, with a history row and an audit event. Vetting is a set of dated
checks; how far it is (:func:`vetting_state`) is worked out from them on the day, so a DBS
check that runs out takes the advocate out of matching that day by the rules alone.

Matching reads profiles straight from the database, so every change here reaches the
next ranking at once. Domain functions flush and never commit; times are passed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.errors import DomainError, NotFound
from peermatch.geo import Outcode, PostcodeError, lookup_postcode
from peermatch.models import (
    OFFER_OUTSTANDING,
    Area,
    Offer,
    AuditAction,
    Gender,
    IssueType,
    Organisation,
    SupportMode,
    User,
    Vetting,
    VettingStatus,
    VolunteerApplicationDraft,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
)
from peermatch.reference import ALL_SLOTS_MASK, LANGUAGES
from peermatch.services import audit, matching_data, notifications
from peermatch.services.reference_data import area_for_outcode

SUPPORT_MODES = frozenset(SupportMode)
REFERENCES_NEEDED = 2
MAX_TRAVEL_KM = 200
INTRODUCTION_LENGTH = 1000
PAUSE_REASON_LENGTH = 200
CAPACITY_CHOICES = range(1, 5)
OPT_OUT_CLASH = "You cannot choose something you have been through and also ask not to be offered it"
NO_TIMES = "Select at least one time in the week when you are usually free"


def _record(session: Session, by: User | None, action: AuditAction, profile: VolunteerProfile, now: datetime,
            **details: object) -> None:
    """Audit a change to an advocate; matching sees it at the next ranking on every worker."""
    audit.record(session, by, action, "volunteer_profile", profile.id, organisation_id=profile.organisation_id,
                 at=now, **details)
    matching_data.changed(session, [profile.id])


def profile_for(session: Session, user: User) -> VolunteerProfile | None:
    """The volunteer's own profile, or None while they have not applied.

    Its vetting, organisation and dates away load when a page first reads them (one statement
    each, as eager loading would send): the pages answered most, such as the offers, read none.
    """
    return session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))


# -- applying and your details ---------------------------------------------------------------

@dataclass
class VolunteerDetails:
    """The answers a volunteer gives when applying and can change later on *Your details*."""

    lived_experience: list[str]
    opt_outs: list[str]
    languages: list[str]
    gender: str
    support_modes: list[str]
    postcode: str
    travel_km: float
    network_wide: bool
    introduction: str


@dataclass
class Application(VolunteerDetails):
    """The answers of the application form: the details, plus how many parents at once and when they are free."""

    capacity: int
    availability_mask: int
    organisation_id: uuid.UUID | None = None


@dataclass(frozen=True)
class _CheckedDetails:
    outcode: Outcode
    area: Area | None
    issues: dict[str, IssueType]


def _check_details(session: Session, answers: VolunteerDetails) -> _CheckedDetails:
    """The rules the details must meet, when applying and when changing them; raises :class:`DomainError`.

    The forms check the same things first with the same words; these guard the domain
    (and the database's constraints) whatever calls it.
    """
    try:
        outcode = lookup_postcode(answers.postcode)
    except PostcodeError as error:
        raise DomainError(str(error), field="postcode") from error
    if not answers.lived_experience:
        raise DomainError("Select at least one thing you have been through", field="lived_experience")
    if set(answers.lived_experience) & set(answers.opt_outs):
        raise DomainError(OPT_OUT_CLASH, field="opt_outs")
    if not answers.languages:
        raise DomainError("Select at least one language", field="languages")
    if answers.gender and answers.gender not in set(Gender):
        raise DomainError("Select your gender, or prefer not to say", field="gender")
    if not answers.support_modes or not set(answers.support_modes) <= SUPPORT_MODES:
        raise DomainError("Select how you could support parents", field="support_modes")
    if "in_person" in answers.support_modes and not 0 < answers.travel_km <= MAX_TRAVEL_KM:
        raise DomainError("Select how far you could travel to meet a parent in person", field="travel_km")
    if not answers.introduction.strip():
        raise DomainError("Tell the organisers a little about yourself", field="introduction")
    if len(answers.introduction.strip()) > INTRODUCTION_LENGTH:
        raise DomainError(f"Your introduction must be {INTRODUCTION_LENGTH} characters or fewer",
                          field="introduction")
    issues = {t.code: t for t in session.scalars(sa.select(IssueType))}
    unknown = [code for code in answers.lived_experience + answers.opt_outs if code not in issues]
    if unknown or any(code not in LANGUAGES for code in answers.languages):
        raise DomainError("Choose from the list", field="lived_experience")
    return _CheckedDetails(outcode, area_for_outcode(session, outcode.outcode), issues)


def _write_details(profile: VolunteerProfile, answers: VolunteerDetails, checked: _CheckedDetails) -> None:
    """Copy checked details onto a new or existing profile, keeping only the outward code of the postcode."""
    modes = set(answers.support_modes)
    profile.gender = answers.gender or None
    profile.home_outcode = checked.outcode.outcode
    profile.latitude, profile.longitude = checked.outcode.latitude, checked.outcode.longitude
    profile.area_id = checked.area.id if checked.area is not None else None
    profile.travel_km = float(answers.travel_km) if "in_person" in modes else 0.0
    profile.network_wide = answers.network_wide
    profile.offers_in_person, profile.offers_phone, profile.offers_video = (
        "in_person" in modes, "phone" in modes, "video" in modes)
    profile.introduction = answers.introduction.strip()
    profile.lived_experience = [checked.issues[code] for code in dict.fromkeys(answers.lived_experience)]
    profile.opt_outs = [checked.issues[code] for code in dict.fromkeys(answers.opt_outs)]
    # Rows for languages that stay are kept: deleting and re-adding the same primary key in one flush would clash.
    wanted = set(answers.languages)
    kept = [row for row in profile.language_rows if row.language in wanted]
    added = sorted(wanted - {row.language for row in kept})
    profile.language_rows = kept + [VolunteerLanguage(language=code) for code in added]


def _details_of(profile: VolunteerProfile) -> dict[str, object]:
    """The profile's details, named as on the forms, in a shape that compares equal when nothing changed."""
    return {
        "lived_experience": {t.code for t in profile.lived_experience},
        "opt_outs": {t.code for t in profile.opt_outs},
        "languages": set(profile.languages),
        "gender": profile.gender,
        "support_modes": profile.support_modes,
        "postcode": profile.home_outcode,
        "travel_km": profile.travel_km,
        "network_wide": profile.network_wide,
        "introduction": profile.introduction,
    }


def _check_capacity(capacity: int) -> None:
    if isinstance(capacity, bool) or capacity not in CAPACITY_CHOICES:
        raise DomainError("Select how many parents you could support at the same time", field="capacity")


def _check_week(mask: int, message: str = NO_TIMES) -> None:
    if isinstance(mask, bool) or not isinstance(mask, int) or not 0 < mask <= ALL_SLOTS_MASK:
        raise DomainError(message, field="availability")


def apply(session: Session, user: User, answers: Application, now: datetime) -> VolunteerProfile:
    """Record an application to volunteer; the status is *application received* until an organiser approves it.

    The application goes to the organisation whose area covers the volunteer's home
    outward code. Where no member organisation covers it yet, the volunteer chooses one
    from the list (``answers.organisation_id``): they may well support parents by phone
    or video, and an organiser can move them later. Until they choose,
    :class:`DomainError` for the ``organisation`` field is raised and nothing is saved,
    so the form can ask and keep every other answer.
    """
    if profile_for(session, user) is not None:
        raise DomainError("You have already applied")
    checked = _check_details(session, answers)
    _check_capacity(answers.capacity)
    _check_week(answers.availability_mask)
    organisation = checked.area.organisation if checked.area is not None else None
    if organisation is None and answers.organisation_id is not None:
        organisation = session.get(Organisation, answers.organisation_id)
    if organisation is None:
        raise DomainError(
            f"No member organisation covers {checked.outcode.outcode} yet. Choose the organisation you would like "
            "to volunteer with", field="organisation",
        )
    profile = VolunteerProfile(
        user_id=user.id, organisation_id=organisation.id, status=VolunteerStatus.APPLICATION_RECEIVED,
        capacity=answers.capacity, availability_mask=answers.availability_mask, applied_dt=now,
        created_dt=now, updated_dt=now,
    )
    _write_details(profile, answers, checked)
    profile.vetting = Vetting(created_dt=now, updated_dt=now)
    user.organisation_id = organisation.id
    session.add(profile)
    session.flush()
    session.add(VolunteerStatusChange(volunteer_id=profile.id, from_status=None,
                                      to_status=VolunteerStatus.APPLICATION_RECEIVED, changed_dt=now,
                                      changed_by_id=user.id))
    _record(session, user, AuditAction.ADVOCATE_APPLICATION_RECEIVED, profile, now)
    return profile


# -- an application saved as it goes ------------------------------------------------------------

APPLICATION_QUESTIONS = ("lived_experience", "opt_outs", "languages", "gender", "support_modes", "postcode",
                         "travel_km", "organisation", "network_wide", "capacity", "availability", "introduction")
"""The application's answers, by the names its pages and :class:`Application` use, in the order asked."""


def application_answers(session: Session, user: User) -> dict[str, Any]:
    """The answers of the volunteer's unfinished application so far (empty before the first)."""
    draft = session.get(VolunteerApplicationDraft, user.id)
    return dict(draft.answers) if draft is not None else {}


def save_application_answers(session: Session, user: User, answers: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Keep answers of an unfinished application, checked as :func:`apply` will check them.

    Nothing is kept unless every answer given is right (:class:`DomainError` for the first
    that is not). A postcode is kept as its outward code only. Answers whose question no
    longer applies (a travel distance once in person is unticked) are kept, and ignored
    when the application is sent. Returns every answer so far.
    """
    if profile_for(session, user) is not None:
        raise DomainError("You have already applied")
    kept = application_answers(session, user)
    checked = {name: _check_answer(session, name, value, {**kept, **answers}) for name, value in answers.items()
               if name in APPLICATION_QUESTIONS}
    draft = session.get(VolunteerApplicationDraft, user.id)
    if draft is None:
        draft = VolunteerApplicationDraft(user_id=user.id, answers={})
        session.add(draft)
    draft.answers = {**kept, **checked}
    draft.updated_dt = now
    session.flush()
    return dict(draft.answers)


def _check_answer(session: Session, name: str, value: Any, answers: dict[str, Any]) -> Any:
    """One answer as it is kept, or :class:`DomainError` in the application's own words."""
    if name in {"lived_experience", "opt_outs"}:
        codes = list(dict.fromkeys(value or []))
        known = set(session.scalars(sa.select(IssueType.code).where(IssueType.code.in_(codes),
                                                                    IssueType.active.is_(True))))
        if name == "lived_experience" and not codes:
            raise DomainError("Select at least one thing you have been through", field=name)
        if set(codes) - known:
            raise DomainError("Select from the list", field=name)
        other = answers.get("opt_outs" if name == "lived_experience" else "lived_experience") or []
        if set(codes) & set(other):
            raise DomainError(OPT_OUT_CLASH, field=name)
        return codes
    if name == "languages":
        codes = list(dict.fromkeys(value or []))
        if not codes:
            raise DomainError("Select at least one language", field=name)
        if any(code not in LANGUAGES for code in codes):
            raise DomainError("Select languages from the list", field=name)
        return codes
    if name == "gender":
        if value not in set(Gender):
            raise DomainError("Select your gender, or prefer not to say", field=name)
        return str(value)
    if name == "support_modes":
        modes = [mode for mode in (value or []) if mode in SUPPORT_MODES]
        if not modes or len(modes) != len(value or []):
            raise DomainError("Select how you could support parents", field=name)
        return modes
    if name == "postcode":
        try:
            return lookup_postcode(str(value or "")).outcode
        except PostcodeError as error:
            raise DomainError(str(error), field=name) from error
    if name == "travel_km":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= MAX_TRAVEL_KM:
            raise DomainError("Select how far you could travel to meet a parent in person", field=name)
        return float(value)
    if name == "organisation":
        found = session.scalar(sa.select(Organisation.id).where(Organisation.id == _uuid_or_none(value),
                                                                Organisation.active.is_(True)))
        if found is None:
            raise DomainError("Select an organisation from the list", field=name)
        return str(found)
    if name == "network_wide":
        return bool(value)
    if name == "capacity":
        _check_capacity(value)
        return value
    if name == "availability":
        _check_week(value)
        return value
    text = str(value or "").strip()  # the introduction
    if not text:
        raise DomainError("Tell the organisers a little about yourself", field=name)
    if len(text) > INTRODUCTION_LENGTH:
        raise DomainError(f"Your introduction must be {INTRODUCTION_LENGTH} characters or fewer", field=name)
    return text


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def questions_to_answer(session: Session, answers: dict[str, Any]) -> list[str]:
    """The application's questions that apply to these answers: a travel distance only for support in person,
    an organisation only where no member organisation covers the postcode."""
    wanted = []
    for name in APPLICATION_QUESTIONS:
        if name == "travel_km" and "in_person" not in (answers.get("support_modes") or []):
            continue
        if name == "organisation" and not needs_organisation(session, answers):
            continue
        wanted.append(name)
    return wanted


def needs_organisation(session: Session, answers: dict[str, Any]) -> bool:
    """True once the postcode is known and no member organisation covers it: the volunteer then chooses one."""
    if not answers.get("postcode"):
        return False
    area = area_for_outcode(session, answers["postcode"])
    return area is None or area.organisation is None


def unanswered(session: Session, answers: dict[str, Any]) -> list[str]:
    """The questions that apply and have no answer yet, in the order asked."""
    return [name for name in questions_to_answer(session, answers) if name not in answers]


def send_application(session: Session, user: User, now: datetime) -> VolunteerProfile:
    """Send the unfinished application: :func:`apply` with the answers saved so far, then forget the draft.

    :class:`DomainError` for the first question still to answer, and nothing is saved.
    """
    answers = application_answers(session, user)
    missing = unanswered(session, answers)
    if missing:
        raise DomainError("Answer every question before you send your application", field=missing[0])
    in_person = "in_person" in answers["support_modes"]
    profile = apply(session, user, Application(
        lived_experience=answers["lived_experience"], opt_outs=answers["opt_outs"], languages=answers["languages"],
        gender=answers["gender"], support_modes=answers["support_modes"], postcode=answers["postcode"],
        travel_km=answers["travel_km"] if in_person else 0.0, network_wide=answers["network_wide"],
        introduction=answers["introduction"], capacity=answers["capacity"],
        availability_mask=answers["availability"],
        organisation_id=uuid.UUID(answers["organisation"]) if answers.get("organisation") else None,
    ), now)
    draft = session.get(VolunteerApplicationDraft, user.id)
    if draft is not None:
        session.delete(draft)
        session.flush()
    return profile


@dataclass(frozen=True)
class DetailsChange:
    """What :func:`change_details` did.

    ``changed`` names the answers that changed, in the order the page asks them.
    ``outside_organisation`` is true when the home postcode changed to one outside every area
    of the volunteer's organisation (they stay with it: moving organisation is part of vetting).
    """

    changed: list[str]
    outside_organisation: bool


def change_details(session: Session, profile: VolunteerProfile, answers: VolunteerDetails, by: User,
                   now: datetime) -> DetailsChange:
    """Change the details a volunteer gave when applying: everything but their organisation, capacity and free times.

    Nothing is changed unless every answer is acceptable (:class:`DomainError` otherwise).
    The audit event names the answers that changed, never their old or new values.
    """
    checked = _check_details(session, answers)
    before = _details_of(profile)
    _write_details(profile, answers, checked)
    session.flush()
    after = _details_of(profile)
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        _record(session, by, AuditAction.ADVOCATE_DETAILS_CHANGED, profile, now, fields=changed)
    outside = checked.area is None or checked.area.organisation_id != profile.organisation_id
    return DetailsChange(changed, outside_organisation="postcode" in changed and outside)


# -- availability, capacity and pauses ----------------------------------------------------------

def set_availability(session: Session, profile: VolunteerProfile, mask: int, by: User, now: datetime) -> None:
    """Replace the weekly grid."""
    _check_week(mask, NO_TIMES + ". If you need a break, add the dates you are away instead")
    profile.availability_mask = mask
    session.flush()
    _record(session, by, AuditAction.ADVOCATE_AVAILABILITY_CHANGED, profile, now)


def set_capacity(session: Session, profile: VolunteerProfile, capacity: int, by: User, now: datetime) -> None:
    """How many parents at once. Never below the matches they already have (checked in the UPDATE itself)."""
    _check_capacity(capacity)
    session.flush()
    changed = session.execute(
        sa.update(VolunteerProfile)
        .where(VolunteerProfile.id == profile.id, VolunteerProfile.active_match_count <= capacity)
        .values(capacity=capacity, updated_dt=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(profile)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(
            f"You are supporting {profile.active_match_count} parents at the moment, so choose "
            f"{profile.active_match_count} or more. You can choose fewer when a match ends", field="capacity",
        )
    _record(session, by, AuditAction.ADVOCATE_CAPACITY_CHANGED, profile, now)


def add_pause(session: Session, profile: VolunteerProfile, starts_on: date, ends_on: date, reason: str,
              by: User, now: datetime) -> VolunteerPause:
    """Dates the volunteer is away ("away 1–14 August"), both days included. No offers are made for them."""
    today = clock.today(now)
    if ends_on < starts_on:
        raise DomainError("The last day you are away must be the same as or after the first day", "ends_on")
    if ends_on < today:
        raise DomainError("The last day you are away must be today or in the future", "ends_on")
    if starts_on > today + timedelta(days=366):
        raise DomainError("The first day you are away must be within the next year", "starts_on")
    reason = (reason or "").strip()
    if len(reason) > PAUSE_REASON_LENGTH:
        raise DomainError(f"Reason must be {PAUSE_REASON_LENGTH} characters or fewer", "reason")
    for other in profile.pauses:
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise DomainError(
                f"These dates overlap a time you are already away ({other.starts_on.day} {other.starts_on:%B} to "
                f"{other.ends_on.day} {other.ends_on:%B %Y}). Remove that one first, or choose other dates", "starts_on",
            )
    pause = VolunteerPause(starts_on=starts_on, ends_on=ends_on, reason=reason)
    profile.pauses.append(pause)
    session.flush()
    _record(session, by, AuditAction.ADVOCATE_PAUSE_ADDED, profile, now)
    return pause


def remove_pause(session: Session, profile: VolunteerProfile, pause_id: uuid.UUID, by: User,
                 now: datetime) -> VolunteerPause:
    """Remove one of the volunteer's own pauses (another's is :class:`NotFound`)."""
    pause = session.scalar(sa.select(VolunteerPause).where(VolunteerPause.id == pause_id,
                                                           VolunteerPause.volunteer_id == profile.id))
    if pause is None:
        raise NotFound(pause_id)
    profile.pauses.remove(pause)
    session.delete(pause)
    session.flush()
    _record(session, by, AuditAction.ADVOCATE_PAUSE_REMOVED, profile, now)
    return pause


# -- standing: an organiser's decisions ---------------------------------------------------------

V = VolunteerStatus
TRANSITIONS: dict[VolunteerStatus, frozenset[VolunteerStatus]] = {
    V.APPLICATION_RECEIVED: frozenset({V.APPROVED, V.REJECTED, V.WITHDRAWN}),
    V.APPROVED: frozenset({V.SUSPENDED, V.INACTIVE, V.WITHDRAWN}),
    V.SUSPENDED: frozenset({V.APPROVED, V.WITHDRAWN}),
    V.INACTIVE: frozenset({V.APPROVED, V.WITHDRAWN}),
    V.REJECTED: frozenset(),
    V.WITHDRAWN: frozenset(),
}
"""Where a volunteer's standing may go from each; rejected and withdrawn are final."""

REASON_LENGTH = 500
_WORDS = {V.APPROVED: "approved", V.REJECTED: "not approved", V.SUSPENDED: "suspended",
          V.INACTIVE: "stepped back", V.WITHDRAWN: "withdrawn", V.APPLICATION_RECEIVED: "waiting for vetting"}


def _move(session: Session, profile: VolunteerProfile, new: VolunteerStatus, by: User, now: datetime,
          reason: str = "", **values: object) -> None:
    """Change a volunteer's standing in one conditional UPDATE, with its history row and audit event."""
    old = VolunteerStatus(profile.status)
    if new not in TRANSITIONS[old]:
        raise DomainError(f"This volunteer is {_WORDS[old]}, so they cannot be {_WORDS[new]} now")
    session.flush()
    moved = session.execute(
        sa.update(VolunteerProfile).where(VolunteerProfile.id == profile.id, VolunteerProfile.status == old)
        .values(status=new, updated_dt=now, **values).execution_options(synchronize_session=False)
    )
    session.refresh(profile)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("Someone else changed this volunteer's standing a moment ago. Check it and try again")
    session.add(VolunteerStatusChange(volunteer_id=profile.id, from_status=old, to_status=new, changed_dt=now,
                                      changed_by_id=by.id, reason=reason))
    _record(session, by, AuditAction(f"advocate.{new}"), profile, now, from_status=str(old))
    notifications.vetting_decided(session, profile, new, now)


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"Give the reason {what}", "reason")
    if len(reason) > REASON_LENGTH:
        raise DomainError(f"The reason must be {REASON_LENGTH} characters or fewer", "reason")
    return reason


def what_vetting_lacks(vetting: Vetting | None, today: date) -> list[str]:
    """What still stands between this volunteer and approval, in an organiser's words (empty: nothing)."""
    lacking = []
    if vetting is None or vetting.dbs_checked_on is None or vetting.dbs_expires_on is None:
        lacking.append("a DBS check with its expiry date")
    elif vetting.dbs_expires_on < today:
        lacking.append(f"a DBS check in date (it ran out on {vetting.dbs_expires_on.day} "
                       f"{vetting.dbs_expires_on:%B %Y})")
    if vetting is None or vetting.training_completed_on is None:
        lacking.append("training")
    verified = vetting.references_verified if vetting is not None else 0
    if verified < REFERENCES_NEEDED:
        lacking.append(f"two verified references ({verified} so far)")
    return lacking


def vetting_state(vetting: Vetting | None, today: date) -> VettingStatus:
    """Not started, in progress, complete or expired, worked out from the checks on ``today``."""
    if vetting is None or not any((vetting.dbs_checked_on, vetting.training_completed_on,
                                   vetting.reference_1_requested_on, vetting.reference_2_requested_on)):
        return VettingStatus.NOT_STARTED
    if vetting.dbs_expires_on is not None and vetting.dbs_expires_on < today:
        return VettingStatus.EXPIRED
    return VettingStatus.COMPLETE if not what_vetting_lacks(vetting, today) else VettingStatus.IN_PROGRESS


def approve(session: Session, profile: VolunteerProfile, by: User, now: datetime) -> None:
    """Approve an application (or take back an advocate who stepped back) once vetting is complete."""
    lacking = what_vetting_lacks(profile.vetting, clock.today(now))
    if lacking:
        raise DomainError("Before approving, record " + " and ".join(lacking))
    _move(session, profile, V.APPROVED, by, now, approved_dt=now, approved_by_id=by.id)


def reject(session: Session, profile: VolunteerProfile, by: User, now: datetime, reason: str) -> None:
    """Decide not to approve an application, with the reason (kept for the organisers, never sent)."""
    _move(session, profile, V.REJECTED, by, now, _reason(reason, "for not approving"))


def suspend(session: Session, profile: VolunteerProfile, by: User, now: datetime, reason: str) -> None:
    """Stop offering an advocate parents for now; offers waiting for their answer are withdrawn.

    Parents they already support keep their match: ending one is a separate decision.
    """
    from peermatch.services import offers, requests

    reason = _reason(reason, "for suspending")
    waiting = session.scalars(sa.select(Offer).where(Offer.volunteer_id == profile.id,
                                                     Offer.status.in_(OFFER_OUTSTANDING))
                              .order_by(Offer.request_id)).all()
    for offer in waiting:
        request = requests.lock(session, offer.request)
        offers.withdraw_outstanding(session, request, by, now, only=offer, note="The advocate was suspended")
        requests.offer_came_back(session, request, by, now)
    _move(session, profile, V.SUSPENDED, by, now, reason)


def step_back(session: Session, profile: VolunteerProfile, by: User, now: datetime, reason: str) -> None:
    """An advocate stops taking parents for a while (approving them again brings them back)."""
    _move(session, profile, V.INACTIVE, by, now, _reason(reason, "for stepping back"))


def reinstate(session: Session, profile: VolunteerProfile, by: User, now: datetime) -> None:
    """Offer a suspended advocate parents again (vetting must still be complete)."""
    lacking = what_vetting_lacks(profile.vetting, clock.today(now))
    if lacking:
        raise DomainError("Before reinstating, record " + " and ".join(lacking))
    _move(session, profile, V.APPROVED, by, now)


# -- vetting ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class VettingChecks:
    """What an organiser records of the safer-recruitment checks (any of them may still be missing)."""

    dbs_checked_on: date | None
    dbs_expires_on: date | None
    dbs_certificate_ref: str
    training_completed_on: date | None
    references: tuple[tuple[date | None, date | None, date | None], tuple[date | None, date | None, date | None]]
    notes: str


REFERENCE_STEPS = ("requested", "received", "verified")
CERTIFICATE_LENGTH = 32
NOTES_LENGTH = 2000


def record_vetting(session: Session, profile: VolunteerProfile, checks: VettingChecks, by: User,
                   now: datetime) -> list[str]:
    """Record the checks; returns the names of what changed (what the audit event lists, never values)."""
    today = clock.today(now)
    if checks.dbs_checked_on and checks.dbs_checked_on > today:
        raise DomainError("The date of the DBS check must be today or in the past", "dbs_checked_on")
    if checks.dbs_expires_on and not checks.dbs_checked_on:
        raise DomainError("Enter the date of the DBS check as well as when it expires", "dbs_checked_on")
    if checks.dbs_expires_on and checks.dbs_checked_on and checks.dbs_expires_on <= checks.dbs_checked_on:
        raise DomainError("The DBS check must expire after the date it was done", "dbs_expires_on")
    reference = (checks.dbs_certificate_ref or "").strip()
    if len(reference) > CERTIFICATE_LENGTH:
        raise DomainError(f"The certificate number must be {CERTIFICATE_LENGTH} characters or fewer",
                          "dbs_certificate_ref")
    if checks.training_completed_on and checks.training_completed_on > today:
        raise DomainError("The date training was completed must be today or in the past", "training_completed_on")
    for number, steps in enumerate(checks.references, start=1):
        for earlier, later, (before_day, day) in zip(REFERENCE_STEPS, REFERENCE_STEPS[1:], zip(steps, steps[1:])):
            field = f"reference_{number}_{later}_on"
            if day is not None and before_day is None:
                raise DomainError(f"Reference {number} cannot be {later} before it is {earlier}", field)
            if day is not None and before_day is not None and day < before_day:
                raise DomainError(f"Reference {number} cannot be {later} before the date it was {earlier}", field)
        for step, day in zip(REFERENCE_STEPS, steps):
            if day is not None and day > today:
                raise DomainError(f"The date reference {number} was {step} must be today or in the past",
                                  f"reference_{number}_{step}_on")
    notes = (checks.notes or "").strip()
    if len(notes) > NOTES_LENGTH:
        raise DomainError(f"Notes must be {NOTES_LENGTH} characters or fewer", "notes")
    vetting = profile.vetting or Vetting(volunteer_id=profile.id)
    values = {"dbs_checked_on": checks.dbs_checked_on, "dbs_expires_on": checks.dbs_expires_on,
              "dbs_certificate_ref": reference or None, "training_completed_on": checks.training_completed_on,
              "notes": notes}
    for number, steps in enumerate(checks.references, start=1):
        for step, day in zip(REFERENCE_STEPS, steps):
            values[f"reference_{number}_{step}_on"] = day
    changed = [name for name, value in values.items() if getattr(vetting, name) != value]
    if not changed:
        return []
    for name, value in values.items():
        setattr(vetting, name, value)
    vetting.recorded_by_id = by.id
    profile.vetting = vetting
    session.flush()
    _record(session, by, AuditAction.VETTING_RECORDED, profile, now, fields=changed)
    return changed
