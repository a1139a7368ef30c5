"""A volunteer advocate's side of PeerMatch: applying, availability, pauses, offers and matches.

Every function that reads an offer or a match takes the volunteer's own profile and
looks the object up *through* it, so another volunteer's offer or match is simply not
found (the views answer 404). A parent's name and contact details are only ever read
here after the introduction (:func:`open_match`), and each such read is audited.

Domain functions flush and never commit; dates and times are passed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.geo import Outcode, PostcodeError, distance_km, lookup_postcode
from peermatch.models import (
    Area,
    ContactLogEntry,
    ContactMode,
    Feedback,
    FeedbackAuthor,
    Gender,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    Offer,
    OfferStatus,
    Organisation,
    RequestStatus,
    SupportMode,
    SupportRequest,
    User,
    Vetting,
    VettingStatus,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.reference import DAYS, LANGUAGES, PARTS_OF_DAY
from peermatch.services import audit
from peermatch.services.offers import free_place, move_request
from peermatch.services.reference_data import area_for_outcode

SLOTS = len(DAYS) * len(PARTS_OF_DAY)
DBS_RENEWAL_WARNING = timedelta(days=60)
REFERENCES_NEEDED = 2
OPEN_MATCH_STATUSES = (MatchStatus.INTRODUCED, MatchStatus.ACTIVE)
SUPPORT_MODES = frozenset(SupportMode)
MAX_TRAVEL_KM = 200
INTRODUCTION_LENGTH = 1000
OPT_OUT_CLASH = "You cannot choose something you have been through and also ask not to be offered it"


class VolunteeringError(ValueError):
    """Something the volunteer can put right; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(LookupError):
    """No such offer or match *for this volunteer* (the view answers 404 either way)."""


# -- availability -----------------------------------------------------------------------------

def slots_by_day(mask: int) -> list[tuple[str, list[str]]]:
    """The free parts of each day, as words, for every day with at least one: ``[("Monday", ["morning"])]``."""
    days = []
    for day, day_name in enumerate(DAYS):
        parts = [name for part, name in enumerate(PARTS_OF_DAY) if mask >> (day * len(PARTS_OF_DAY) + part) & 1]
        if parts:
            days.append((day_name, parts))
    return days


def set_availability(session: Session, profile: VolunteerProfile, mask: int, by: User) -> None:
    """Replace the weekly grid. Matching reads it straight from the profile, so it applies at once."""
    if not 0 < mask < 1 << SLOTS:
        raise VolunteeringError(
            "Select at least one time in the week when you are usually free. If you need a break, "
            "add the dates you are away instead", field="monday",
        )
    profile.availability_mask = mask
    session.flush()


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


def profile_for(session: Session, user: User) -> VolunteerProfile | None:
    """The volunteer's own profile, or None while they have not applied."""
    return session.scalar(
        sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
        .options(selectinload(VolunteerProfile.vetting), selectinload(VolunteerProfile.organisation),
                 selectinload(VolunteerProfile.pauses))
    )


def organisations_to_choose(session: Session) -> list[Organisation]:
    """Member organisations a volunteer outside every covered area may choose to volunteer with."""
    return list(session.scalars(sa.select(Organisation).where(Organisation.active.is_(True))
                                .order_by(Organisation.name)))


def issue_types_to_choose(session: Session, profile: VolunteerProfile | None = None) -> list[IssueType]:
    """The issue types a volunteer picks from, in their usual order.

    Retired issue types are left out, except those ``profile`` already has: otherwise saving
    *Your details* would quietly drop an experience or an opt-out the volunteer never unticked.
    """
    kept = {t.id for t in [*profile.lived_experience, *profile.opt_outs]} if profile is not None else set()
    shown = IssueType.active.is_(True) if not kept else sa.or_(IssueType.active.is_(True), IssueType.id.in_(list(kept)))
    return list(session.scalars(sa.select(IssueType).where(shown).order_by(IssueType.position)))


def organisation_for_outcode(session: Session, outcode: str) -> Organisation | None:
    """The member organisation whose area covers ``outcode``, if any."""
    area = area_for_outcode(session, outcode)
    return area.organisation if area is not None else None


@dataclass(frozen=True)
class _CheckedDetails:
    outcode: Outcode
    area: Area | None
    issues: dict[str, IssueType]


def _check_details(session: Session, answers: VolunteerDetails) -> _CheckedDetails:
    """The rules the details must meet, when applying and when changing them; raises :class:`VolunteeringError`.

    The forms check the same things first with the same words; these guard the domain
    (and the database's constraints) whatever calls it.
    """
    try:
        outcode = lookup_postcode(answers.postcode)
    except PostcodeError as error:
        raise VolunteeringError(str(error), field="postcode") from error
    if not answers.lived_experience:
        raise VolunteeringError("Select at least one thing you have been through", field="lived_experience")
    if set(answers.lived_experience) & set(answers.opt_outs):
        raise VolunteeringError(OPT_OUT_CLASH, field="opt_outs")
    if not answers.languages:
        raise VolunteeringError("Select at least one language", field="languages")
    if answers.gender and answers.gender not in set(Gender):
        raise VolunteeringError("Select your gender, or prefer not to say", field="gender")
    if not answers.support_modes or not set(answers.support_modes) <= SUPPORT_MODES:
        raise VolunteeringError("Select how you could support parents", field="support_modes")
    if "in_person" in answers.support_modes and not 0 < answers.travel_km <= MAX_TRAVEL_KM:
        raise VolunteeringError("Select how far you could travel to meet a parent in person", field="travel_km")
    if not answers.introduction.strip():
        raise VolunteeringError("Tell the organisers a little about yourself", field="introduction")
    if len(answers.introduction.strip()) > INTRODUCTION_LENGTH:
        raise VolunteeringError(f"Your introduction must be {INTRODUCTION_LENGTH} characters or fewer",
                                field="introduction")
    issues = {t.code: t for t in session.scalars(sa.select(IssueType))}
    unknown = [code for code in answers.lived_experience + answers.opt_outs if code not in issues]
    if unknown or any(code not in LANGUAGES for code in answers.languages):
        raise VolunteeringError("Choose from the list", field="lived_experience")
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


def apply(session: Session, user: User, answers: Application, now: datetime) -> VolunteerProfile:
    """Record an application to volunteer; the status is *application received* until an organiser approves it.

    The application goes to the organisation whose area covers the volunteer's home
    outward code. Where no member organisation covers it yet, the volunteer chooses one
    from the list (``answers.organisation_id``): they may well support parents by phone
    or video, and an organiser can move them later. Until they choose,
    :class:`VolunteeringError` for the ``organisation`` field is raised and nothing is saved,
    so the form can ask and keep every other answer.
    """
    if profile_for(session, user) is not None:
        raise VolunteeringError("You have already applied")
    checked = _check_details(session, answers)
    if not 1 <= answers.capacity <= 4:
        raise VolunteeringError("Select how many parents you could support at the same time", field="capacity")
    if not 0 < answers.availability_mask < 1 << SLOTS:
        raise VolunteeringError("Select at least one time in the week when you are usually free", field="monday")
    organisation = checked.area.organisation if checked.area is not None else None
    if organisation is None and answers.organisation_id is not None:
        organisation = session.get(Organisation, answers.organisation_id)
    if organisation is None:
        raise VolunteeringError(
            f"No member organisation covers {checked.outcode.outcode} yet. Choose the organisation you would like "
            "to volunteer with", field="organisation",
        )
    profile = VolunteerProfile(
        user_id=user.id, organisation_id=organisation.id, status=VolunteerStatus.APPLICATION_RECEIVED,
        capacity=answers.capacity, availability_mask=answers.availability_mask, applied_dt=now,
    )
    _write_details(profile, answers, checked)
    profile.vetting = Vetting(status=VettingStatus.NOT_STARTED)
    user.organisation_id = organisation.id
    session.add(profile)
    session.flush()
    audit.record(session, user, "volunteer.applied", "volunteer_profile", profile.id,
                 organisation_id=organisation.id)
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


def change_details(session: Session, profile: VolunteerProfile, answers: VolunteerDetails,
                   by: User) -> DetailsChange:
    """Change the details a volunteer gave when applying: everything but their organisation, capacity and free times.

    Matching reads the profile itself, so new offers use the change at once. Nothing is
    changed unless every answer is acceptable (:class:`VolunteeringError` otherwise). The
    audit event names the answers that changed, never their old or new values.
    """
    checked = _check_details(session, answers)
    before = _details_of(profile)
    _write_details(profile, answers, checked)
    session.flush()
    after = _details_of(profile)
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        audit.record(session, by, "volunteer.details_changed", "volunteer_profile", profile.id,
                     organisation_id=profile.organisation_id, fields=changed)
    outside = checked.area is None or checked.area.organisation_id != profile.organisation_id
    return DetailsChange(changed, outside_organisation="postcode" in changed and outside)


# -- capacity and pauses ----------------------------------------------------------------------

def set_capacity(session: Session, profile: VolunteerProfile, capacity: int) -> None:
    """How many parents at once. Never below the matches they already have (checked in the UPDATE itself)."""
    if not 1 <= capacity <= 4:
        raise VolunteeringError("Select how many parents you could support at the same time", field="capacity")
    session.flush()
    changed = session.execute(
        sa.update(VolunteerProfile)
        .where(VolunteerProfile.id == profile.id, VolunteerProfile.active_match_count <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.refresh(profile)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise VolunteeringError(
            f"You are supporting {profile.active_match_count} parents at the moment, so choose "
            f"{profile.active_match_count} or more. You can choose fewer when a match ends", field="capacity",
        )


def current_pauses(profile: VolunteerProfile, today: date) -> list[VolunteerPause]:
    """Pauses that have not finished yet, soonest first."""
    return sorted((p for p in profile.pauses if p.ends_on >= today), key=lambda p: p.starts_on)


def add_pause(session: Session, profile: VolunteerProfile, starts_on: date, ends_on: date, reason: str,
              today: date) -> VolunteerPause:
    """Dates the volunteer is away ("away 1–14 August"), both days included. No offers are made for them."""
    if ends_on < starts_on:
        raise VolunteeringError("The last day you are away must be the same as or after the first day", "ends_on")
    if ends_on < today:
        raise VolunteeringError("The last day you are away must be today or in the future", "ends_on")
    if starts_on > today + timedelta(days=366):
        raise VolunteeringError("The first day you are away must be within the next year", "starts_on")
    for other in profile.pauses:
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise VolunteeringError(
                f"These dates overlap a time you are already away ({other.starts_on.day} {other.starts_on:%B} to "
                f"{other.ends_on.day} {other.ends_on:%B %Y}). Remove that one first, or choose other dates", "starts_on",
            )
    pause = VolunteerPause(starts_on=starts_on, ends_on=ends_on, reason=(reason or "").strip()[:200])
    profile.pauses.append(pause)
    session.flush()
    return pause


def remove_pause(session: Session, profile: VolunteerProfile, pause_id: uuid.UUID) -> VolunteerPause:
    """Remove one of the volunteer's own pauses (another's is :class:`NotFound`)."""
    pause = session.scalar(sa.select(VolunteerPause).where(VolunteerPause.id == pause_id,
                                                           VolunteerPause.volunteer_id == profile.id))
    if pause is None:
        raise NotFound(pause_id)
    profile.pauses.remove(pause)
    session.delete(pause)
    session.flush()
    return pause


# -- vetting and the home page ----------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One line of the vetting checklist: ``state`` is done, missing, expiring or expired."""

    name: str
    state: str
    detail: str


def vetting_checklist(vetting: Vetting | None, today: date) -> list[Check]:
    """What is done, missing or about to expire in the safer-recruitment checks, in plain words."""
    checks = []
    dbs_expires = vetting.dbs_expires_on if vetting else None
    if vetting is None or vetting.dbs_checked_on is None:
        checks.append(Check("DBS check", "missing", "Not done yet. Your organiser will arrange it with you"))
    elif dbs_expires is not None and dbs_expires < today:
        checks.append(Check("DBS check", "expired",
                            f"Ran out on {dbs_expires.day} {dbs_expires:%B %Y}. Your organiser will arrange a new one"))
    elif dbs_expires is not None and dbs_expires <= today + DBS_RENEWAL_WARNING:
        checks.append(Check("DBS check", "expiring",
                            f"Runs out on {dbs_expires.day} {dbs_expires:%B %Y}. Your organiser will be in touch to renew it"))
    else:
        until = f", valid until {dbs_expires.day} {dbs_expires:%B %Y}" if dbs_expires else ""
        checks.append(Check("DBS check", "done", "Done" + until))
    if vetting is None or vetting.training_completed_on is None:
        checks.append(Check("Training", "missing", "Not done yet"))
    else:
        done = vetting.training_completed_on
        checks.append(Check("Training", "done", f"Done on {done.day} {done:%B %Y}"))
    received = vetting.references_received if vetting else 0
    checks.append(Check("References", "done" if received >= REFERENCES_NEEDED else "missing",
                        f"{received} of {REFERENCES_NEEDED} received"))
    return checks


def minutes_given(session: Session, profile: VolunteerProfile, year: int) -> int:
    """Minutes of support the volunteer has logged in calendar ``year``."""
    return session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ContactLogEntry.minutes), 0))
        .join(Match, ContactLogEntry.match_id == Match.id)
        .where(Match.volunteer_id == profile.id, ContactLogEntry.occurred_on >= date(year, 1, 1),
               ContactLogEntry.occurred_on <= date(year, 12, 31))
    ) or 0


def offers_waiting(session: Session, profile: VolunteerProfile, now: datetime) -> list[Offer]:
    """Offers waiting for this volunteer's answer that have not run out, the soonest to lapse first."""
    return list(session.scalars(
        sa.select(Offer).where(Offer.volunteer_id == profile.id, Offer.status == OfferStatus.OFFERED,
                               sa.or_(Offer.expires_dt.is_(None), Offer.expires_dt > now))
        .options(selectinload(Offer.request).selectinload(SupportRequest.main_issue),
                 selectinload(Offer.request).selectinload(SupportRequest.area))
        .order_by(Offer.expires_dt)
    ))


def open_matches(session: Session, profile: VolunteerProfile) -> list[Match]:
    """The parents this volunteer is supporting now."""
    return list(session.scalars(
        sa.select(Match).where(Match.volunteer_id == profile.id, Match.status.in_(list(OPEN_MATCH_STATUSES)))
        .options(selectinload(Match.request).selectinload(SupportRequest.safe_contact))
        .order_by(Match.introduced_dt)
    ))


@dataclass
class HomePage:
    profile: VolunteerProfile | None
    checks: list[Check] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    minutes_this_year: int = 0
    pauses: list[VolunteerPause] = field(default_factory=list)


def home_page(session: Session, user: User, now: datetime, today: date) -> HomePage:
    """Everything on the volunteer's home page: vetting, offers waiting, matches, hours given this year."""
    profile = profile_for(session, user)
    if profile is None:
        return HomePage(None)
    return HomePage(profile, vetting_checklist(profile.vetting, today), offers_waiting(session, profile, now),
                    open_matches(session, profile), minutes_given(session, profile, today.year),
                    current_pauses(profile, today))


# -- offers -----------------------------------------------------------------------------------

def offer_for(session: Session, profile: VolunteerProfile, offer_id: uuid.UUID) -> Offer:
    """One of this volunteer's own offers; any other is :class:`NotFound`."""
    offer = session.scalar(sa.select(Offer).where(Offer.id == offer_id, Offer.volunteer_id == profile.id))
    if offer is None:
        raise NotFound(offer_id)
    return offer


@dataclass(frozen=True)
class OfferSummary:
    """What a volunteer may know about a parent before accepting: nothing that identifies them."""

    offer_id: uuid.UUID
    status: str
    expires_dt: datetime | None
    main_issue: str
    other_issues: list[str]
    area: str
    outcode: str
    distance_km: float | None
    free_times: list[tuple[str, list[str]]]
    meeting_type: str | None
    meeting_date: date | None
    meeting_part: int | None
    support_modes: list[str]
    languages: list[str]
    interpreter_ok: bool
    waiting: bool


def summarise_offer(offer: Offer, profile: VolunteerProfile, now: datetime) -> OfferSummary:
    """An anonymised summary of the request behind ``offer``.

    Built field by field on purpose: the parent's name, contact details, account and own
    words stay out until they accept, whatever a template later tries to print.
    """
    request = offer.request
    distance = None
    if None not in (request.latitude, request.longitude, profile.latitude, profile.longitude):
        distance = distance_km(request.latitude, request.longitude, profile.latitude, profile.longitude)  # type: ignore[arg-type]
    modes = [m for m, ok in (("in_person", request.accepts_in_person), ("phone", request.accepts_phone),
                             ("video", request.accepts_video)) if ok]
    main = request.main_issue
    waiting = offer.status == OfferStatus.OFFERED and (offer.expires_dt is None or offer.expires_dt > now)
    return OfferSummary(
        offer_id=offer.id, status=offer.status, expires_dt=offer.expires_dt,
        main_issue=main.name if main else "",
        other_issues=[t.name for t in request.issue_types if main is None or t.id != main.id],
        area=request.area.name if request.area else "", outcode=request.outcode or "",
        distance_km=distance, free_times=slots_by_day(request.availability_mask),
        meeting_type=request.meeting_type, meeting_date=request.meeting_date, meeting_part=request.meeting_part,
        support_modes=modes, languages=[LANGUAGES.get(code, code) for code in request.languages],
        interpreter_ok=request.interpreter_ok, waiting=waiting,
    )


# -- matches ----------------------------------------------------------------------------------

def match_for(session: Session, profile: VolunteerProfile, match_id: uuid.UUID) -> Match:
    """One of this volunteer's own matches; any other is :class:`NotFound`."""
    match = session.scalar(
        sa.select(Match).where(Match.id == match_id, Match.volunteer_id == profile.id)
        .options(selectinload(Match.contacts), selectinload(Match.request).selectinload(SupportRequest.safe_contact))
    )
    if match is None:
        raise NotFound(match_id)
    return match


@dataclass(frozen=True)
class ContactDetails:
    """How the parent said it is safe to contact them: only the channels they allowed are filled in."""

    name: str
    email: str | None
    phone_for_calls: str | None
    phone_for_texts: str | None
    voicemail_ok: bool
    safe_times: str


def contact_details(match: Match) -> ContactDetails | None:
    """The parent's details exactly as they allowed, while the match is open (None once it has ended)."""
    safe = match.request.safe_contact
    if safe is None or match.status not in OPEN_MATCH_STATUSES:
        return None
    return ContactDetails(
        name=safe.name_to_ask_for,
        email=safe.email if safe.email_ok and safe.email else None,
        phone_for_calls=safe.phone if safe.phone_ok and safe.phone else None,
        phone_for_texts=safe.phone if safe.text_ok and safe.phone else None,
        voicemail_ok=safe.voicemail_ok and safe.phone_ok,
        safe_times=safe.safe_times,
    )


@dataclass(frozen=True)
class MatchPage:
    match: Match
    contact: ContactDetails | None
    minutes: int


def open_match(session: Session, user: User, profile: VolunteerProfile, match_id: uuid.UUID) -> MatchPage:
    """The match page: the parent's contact details (the read is audited) and the contact log."""
    match = match_for(session, profile, match_id)
    contact = contact_details(match)
    if contact is not None:
        audit.record(session, user, "match.contact_details_viewed", "support_request", match.request_id,
                     organisation_id=match.request.organisation_id, match_id=str(match.id))
    return MatchPage(match, contact, sum(c.minutes for c in match.contacts))


def log_contact(session: Session, match: Match, by: User, occurred_on: date, mode: str, minutes: int, note: str,
                today: date) -> ContactLogEntry:
    """Record one contact with the parent; the first one makes the match *active*."""
    if match.status == MatchStatus.ENDED:
        raise VolunteeringError("This support has ended, so you cannot add contacts to it")
    if occurred_on > today:
        raise VolunteeringError("The date of the contact must be today or in the past", "occurred_on")
    introduced = match.introduced_dt.date()
    if occurred_on < introduced:
        raise VolunteeringError(
            f"The date of the contact must be on or after the day you were introduced "
            f"({introduced.day} {introduced:%B %Y})", "occurred_on",
        )
    if mode not in {m.value for m in ContactMode}:
        raise VolunteeringError("Select how you were in contact", "mode")
    if not 1 <= minutes <= 1440:
        raise VolunteeringError("Minutes must be between 1 and 1440 (24 hours)", "minutes")
    entry = ContactLogEntry(occurred_on=occurred_on, mode=mode, minutes=minutes, note=(note or "").strip()[:500],
                            recorded_by_id=by.id)
    match.contacts.append(entry)
    if match.status == MatchStatus.INTRODUCED:
        match.status = MatchStatus.ACTIVE
        match.activated_dt = datetime.combine(occurred_on, datetime.min.time(), tzinfo=match.introduced_dt.tzinfo)
    session.flush()
    return entry


def end_match(session: Session, match: Match, by: User, outcome: str, outcome_note: str, rating: int,
              comments: str, now: datetime) -> Match:
    """End the support with an outcome and the volunteer's feedback; their place is free again.

    The match moves to *ended* in a conditional UPDATE, so ending twice (a double click)
    frees only one place; the request is closed with the same outcome.
    """
    if outcome not in {o.value for o in MatchOutcome}:
        raise VolunteeringError("Select how the support ended", "outcome")
    if not 1 <= rating <= 5:
        raise VolunteeringError("Select how well the support went", "rating")
    session.flush()
    ended = session.execute(
        sa.update(Match).where(Match.id == match.id, Match.status.in_(list(OPEN_MATCH_STATUSES)))
        .values(status=MatchStatus.ENDED, ended_dt=now, outcome=outcome, outcome_note=(outcome_note or "").strip()[:1000],
                updated_dt=now)
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        raise VolunteeringError("This support has already ended")
    free_place(session, match.volunteer_id)
    session.refresh(match)
    session.refresh(match.volunteer)
    session.add(Feedback(match_id=match.id, author=FeedbackAuthor.VOLUNTEER, rating=rating,
                         comments=(comments or "").strip()[:2000], given_dt=now))
    request = match.request
    if request.status == RequestStatus.MATCHED:
        move_request(session, request, RequestStatus.CLOSED, by, now)
        request.outcome = outcome
    audit.record(session, by, "match.ended", "support_request", request.id,
                 organisation_id=request.organisation_id, match_id=str(match.id), outcome=outcome)
    session.flush()
    return match


__all__ = [
    "Application", "Check", "ContactDetails", "DetailsChange", "HomePage", "MatchPage", "NotFound", "OfferSummary",
    "VolunteerDetails", "VolunteeringError", "add_pause", "apply", "change_details", "contact_details",
    "current_pauses", "end_match", "home_page", "issue_types_to_choose", "log_contact", "match_for", "minutes_given",
    "offer_for", "offers_waiting", "open_match", "open_matches", "organisation_for_outcode", "organisations_to_choose",
    "profile_for", "remove_pause", "set_availability", "set_capacity", "slots_by_day", "summarise_offer",
    "vetting_checklist",
]
