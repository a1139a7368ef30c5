"""Fixtures for a volunteer's journey: approved advocates, parents' requests and offers made the domain way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from peermatch.geo import lookup_postcode
from peermatch.models import (
    IssueType,
    Match,
    Offer,
    RequestLanguage,
    RequestStatus,
    Role,
    SafeContact,
    SupportRequest,
    User,
    Vetting,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import matches, offers
from peermatch.services.reference_data import area_for_outcode

# A fixed "now" for tests that control the clock: a Tuesday at 10am UK time.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
TODAY = NOW.date()

# Both references asked for, received and checked.
VERIFIED_REFERENCES = {f"reference_{n}_{step}_on": date(2024, 12, 1 + i) for n in (1, 2)
                       for i, step in enumerate(("requested", "received", "verified"))}

# What a parent gave us that must never reach a volunteer before the introduction.
PARENT_NAME = "Zelda-Quinn"
PARENT_EMAIL = "zelda.private@example.net"
PARENT_PHONE = "07700 900461"


@dataclass
class Volunteering:
    """Makes advocates, requests and offers inside the test's rolled-back transaction."""

    session: Any
    people: Any

    def issue(self, code: str) -> IssueType:
        return self.session.scalar(sa.select(IssueType).where(IssueType.code == code))

    def advocate(self, *, capacity: int = 2, postcode: str = "LA14", status: str = VolunteerStatus.APPROVED,
                 organisation: Any = None, name: str = "Robin", email: str | None = None) -> tuple[User, VolunteerProfile]:
        """An approved volunteer advocate living in ``postcode`` (Barrow-in-Furness by default)."""
        organisation = organisation or self.people.organisation()
        user = self.people.user(Role.VOLUNTEER, organisation, name=name, email=email)
        outcode = lookup_postcode(postcode)
        area = area_for_outcode(self.session, outcode.outcode)
        profile = VolunteerProfile(
            user_id=user.id, organisation_id=organisation.id, status=status, home_outcode=outcode.outcode,
            latitude=outcode.latitude, longitude=outcode.longitude, area_id=area.id if area else None,
            travel_km=15, capacity=capacity, availability_mask=0b111_111_111, introduction="I have been there",
            approved_dt=NOW - timedelta(days=30) if status == VolunteerStatus.APPROVED else None,
        )
        profile.language_rows = [VolunteerLanguage(language="en")]
        profile.lived_experience = [self.issue("child_protection_conference")]
        profile.vetting = Vetting(dbs_checked_on=date(2025, 1, 6), dbs_expires_on=date(2028, 1, 6),
                                  training_completed_on=date(2025, 2, 1), **VERIFIED_REFERENCES)
        self.session.add(profile)
        self.session.flush()
        return user, profile

    def request(self, *, postcode: str = "LA13", meeting_date: date | None = None, meeting_part: int | None = None,
                organisation: Any = None, name: str = PARENT_NAME, email: str = PARENT_EMAIL,
                phone: str = PARENT_PHONE, **contact: Any) -> SupportRequest:
        """An open request from a parent, with how it is safe to contact them."""
        parent = self.people.user(Role.PARENT, name="Parent account name", email=f"acct-{uuid.uuid4().hex[:8]}@example.org")
        outcode = lookup_postcode(postcode)
        area = area_for_outcode(self.session, outcode.outcode)
        request = SupportRequest(
            parent_id=parent.id, organisation_id=(organisation.id if organisation else area.organisation_id if area else None),
            area_id=area.id if area else None, status=RequestStatus.OPEN, outcode=outcode.outcode,
            latitude=outcode.latitude, longitude=outcode.longitude,
            main_issue_id=self.issue("child_protection_conference").id, description="My own words about my family",
            meeting_type="child_protection_conference" if meeting_date else None, meeting_date=meeting_date,
            meeting_part=meeting_part, availability_mask=0b101, accepts_in_person=True, accepts_phone=True,
            submitted_dt=NOW - timedelta(days=2), opened_dt=NOW - timedelta(days=1),
        )
        request.issue_types = [self.issue("child_protection_conference"), self.issue("domestic_abuse")]
        request.language_rows = [RequestLanguage(language="en")]
        contact = {"email_ok": True, "phone_ok": True, "text_ok": False, "voicemail_ok": False,
                   "safe_times": "Weekdays 9:30am to 2:30pm", **contact}
        request.safe_contact = SafeContact(name_to_ask_for=name, email=email, phone=phone, **contact)
        self.session.add(request)
        self.session.flush()
        return request

    def offer(self, profile: VolunteerProfile, request: SupportRequest | None = None, *, now: datetime = NOW) -> Offer:
        """An offer sent to ``profile`` through the domain functions (as organisers do)."""
        request = request or self.request(organisation=profile.organisation)
        organiser = self.people.user(Role.ORGANISER, profile.organisation)
        offer = offers.propose(self.session, request, profile, organiser, now, score=0.8)
        offers.approve(self.session, offer, organiser, now)
        offers.send(self.session, offer, organiser, now)
        return offer

    def introduced(self, user: User, profile: VolunteerProfile, request: SupportRequest | None = None, *,
                   now: datetime = NOW) -> Match:
        """An offer the advocate accepted and an organiser then introduced: the match the advocate works in."""
        offer = self.offer(profile, request, now=now)
        match = offers.accept(self.session, offer, user, now)
        return matches.introduce(self.session, match, self.people.user(Role.ORGANISER, profile.organisation), now)


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Volunteering:
    return Volunteering(session, people)


@pytest.fixture()
def clock() -> Any:
    """Stop the clock at ``NOW`` (time-machine); ``clock.move_to(datetime)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture()
def advocate_client(sign_in_as: Any, volunteering: Volunteering, clock: Any) -> tuple[Any, User, VolunteerProfile]:
    """A signed-in approved advocate (capacity 2), with the clock stopped at ``NOW``."""
    user, profile = volunteering.advocate()
    browser, _ = sign_in_as(Role.VOLUNTEER, user)
    return browser, user, profile
