"""What a volunteer advocate's pages show: their vetting, offers, matches and hours given.

Every function that reads an offer or a match takes the volunteer's own profile and
looks the object up *through* it, so another volunteer's offer or match is simply not
found (the views answer 404). A parent's name and contact details are only read here
after the introduction (:func:`match_page`), and each such read is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch import clock
from peermatch.errors import NotFound
from peermatch.geo import distance_km
from peermatch.models import (
    MATCH_INTRODUCED,
    MATCH_OPEN,
    AuditAction,
    ContactLogEntry,
    IssueType,
    Match,
    Message,
    Offer,
    OfferStatus,
    Organisation,
    SupportRequest,
    User,
    Vetting,
    VolunteerPause,
    VolunteerProfile,
)
from peermatch.reference import LANGUAGES, slots_by_day
from peermatch.services import audit, messages
from peermatch.services.advocates import REFERENCES_NEEDED, profile_for
from peermatch.services.reference_data import area_for_outcode

DBS_RENEWAL_WARNING = timedelta(days=60)


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


def current_pauses(profile: VolunteerProfile, today: date) -> list[VolunteerPause]:
    """Pauses that have not finished yet, soonest first."""
    return sorted((p for p in profile.pauses if p.ends_on >= today), key=lambda p: p.starts_on)


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
        # The tag already says "Done": the detail says only what the tag cannot.
        until = f"Valid until {dbs_expires.day} {dbs_expires:%B %Y}" if dbs_expires else ""
        checks.append(Check("DBS check", "done", until))
    if vetting is None or vetting.training_completed_on is None:
        checks.append(Check("Training", "missing", "Not done yet"))
    else:
        done = vetting.training_completed_on
        checks.append(Check("Training", "done", f"Completed on {done.day} {done:%B %Y}"))
    verified = vetting.references_verified if vetting else 0
    received = vetting.references_received if vetting else 0
    checks.append(Check("References", "done" if verified >= REFERENCES_NEEDED else "missing",
                        f"{received} of {REFERENCES_NEEDED} received" +
                        (f", {verified} checked" if received and verified < received else "")))
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
        .options(selectinload(Offer.request).options(
            selectinload(SupportRequest.main_issue), selectinload(SupportRequest.area),
            selectinload(SupportRequest.issue_types), selectinload(SupportRequest.language_rows)))
        .order_by(Offer.expires_dt)
    ))


def open_matches(session: Session, profile: VolunteerProfile) -> list[Match]:
    """The parents this volunteer is supporting now."""
    return list(session.scalars(
        sa.select(Match).where(Match.volunteer_id == profile.id, Match.status.in_(MATCH_OPEN))
        .options(selectinload(Match.request).selectinload(SupportRequest.safe_contact))
        .order_by(Match.accepted_dt)
    ))


@dataclass
class HomePage:
    profile: VolunteerProfile | None
    checks: list[Check] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    minutes_this_year: int = 0
    pauses: list[VolunteerPause] = field(default_factory=list)


def home_page(session: Session, user: User, now: datetime) -> HomePage:
    """Everything on the volunteer's home page: vetting, offers waiting, matches, hours given this year."""
    profile = profile_for(session, user)
    if profile is None:
        return HomePage(None)
    today = clock.today(now)
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
    """The parent's details exactly as they allowed, from the introduction until the match ends (else None)."""
    safe = match.request.safe_contact
    if safe is None or match.status not in MATCH_INTRODUCED:
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
    messages: list[Message]  # with the parent, from the introduction
    can_write: bool


def match_page(session: Session, user: User, profile: VolunteerProfile, match_id: uuid.UUID,
               now: datetime) -> MatchPage:
    """The match page: the parent's contact details (the read is audited) and the contact log."""
    match = match_for(session, profile, match_id)
    contact = contact_details(match)
    if contact is not None:
        audit.record(session, user, AuditAction.CONTACT_DETAILS_VIEWED, "support_request", match.request_id,
                     organisation_id=match.request.organisation_id, at=now, match_id=str(match.id))
    thread = messages.thread(session, match) if match.introduced_dt is not None else []
    return MatchPage(match, contact, sum(c.minutes for c in match.contacts), thread, messages.thread_open(match))
