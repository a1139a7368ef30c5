"""Volunteer advocates: applying, their details, availability, dates away and capacity.

The only code that changes a volunteer's profile (its status, capacity, availability,
pauses and details). The count of places taken belongs to ``services.matches``, which
changes it only when a match begins or ends.

Matching reads profiles straight from the database, so every change here reaches the
next ranking at once. Domain functions flush and never commit; times are passed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch import clock
from peermatch.errors import DomainError, NotFound
from peermatch.geo import Outcode, PostcodeError, lookup_postcode
from peermatch.models import (
    Area,
    AuditAction,
    Gender,
    IssueType,
    Organisation,
    SupportMode,
    User,
    Vetting,
    VettingStatus,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.reference import ALL_SLOTS_MASK, LANGUAGES
from peermatch.services import audit
from peermatch.services.reference_data import area_for_outcode

SUPPORT_MODES = frozenset(SupportMode)
MAX_TRAVEL_KM = 200
INTRODUCTION_LENGTH = 1000
PAUSE_REASON_LENGTH = 200
CAPACITY_CHOICES = range(1, 5)
OPT_OUT_CLASH = "You cannot choose something you have been through and also ask not to be offered it"
NO_TIMES = "Select at least one time in the week when you are usually free"


def _record(session: Session, by: User | None, action: AuditAction, profile: VolunteerProfile, now: datetime,
            **details: object) -> None:
    audit.record(session, by, action, "volunteer_profile", profile.id, organisation_id=profile.organisation_id,
                 at=now, **details)


def profile_for(session: Session, user: User) -> VolunteerProfile | None:
    """The volunteer's own profile, or None while they have not applied."""
    return session.scalar(
        sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
        .options(selectinload(VolunteerProfile.vetting), selectinload(VolunteerProfile.organisation),
                 selectinload(VolunteerProfile.pauses))
    )


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
    profile.vetting = Vetting(status=VettingStatus.NOT_STARTED, created_dt=now, updated_dt=now)
    user.organisation_id = organisation.id
    session.add(profile)
    session.flush()
    _record(session, user, AuditAction.ADVOCATE_APPLIED, profile, now)
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
