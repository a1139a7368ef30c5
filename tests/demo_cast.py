"""The demo network's cast: for each kind of visitor a real person, and real ids of what that person may touch.

Shared by the access matrix (every route, every visitor) and the page checks of every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from peermatch import clock
from peermatch.models import (
    MATCH_INTRODUCED,
    Area,
    Match,
    Offer,
    Role,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services.demo import DEMO_PASSWORD, load_demo_data
from support import FormClient, sign_in_through_the_pages

PERSONAS = ["anonymous", "parent", "other_parent", "advocate", "other_advocate", "applicant", "organiser",
            "other_organiser", "admin"]


@dataclass
class Cast:
    emails: dict[str, str]
    ids: dict[str, str]


@pytest.fixture()
def cast(session: Any) -> Cast:
    return make_cast(session)


def make_cast(session: Any) -> Cast:
    """The cast, read from the demo network (loaded here if the database does not have it yet)."""
    load_demo_data(session, clock.now())
    session.flush()
    # An introduced match within one organisation (not a network-wide advocate from another), the first by the
    # parent's email: introduced, so both sides can write to each other whatever the demo drew.
    match = session.scalar(
        sa.select(Match).join(SupportRequest, SupportRequest.id == Match.request_id)
        .join(VolunteerProfile, VolunteerProfile.id == Match.volunteer_id)
        .join(User, User.id == SupportRequest.parent_id)
        .where(Match.status.in_(MATCH_INTRODUCED), VolunteerProfile.organisation_id == SupportRequest.organisation_id)
        .order_by(User.email).limit(1))
    request = match.request
    organisation = request.organisation_id
    offer = session.scalar(sa.select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id ==
                                                  match.volunteer_id).limit(1))
    advocate = session.get(VolunteerProfile, match.volunteer_id)

    def one(query: Any) -> Any:
        return session.scalar(query.order_by(User.email).limit(1))

    other_parent = one(sa.select(User).join(SupportRequest, SupportRequest.parent_id == User.id)
                       .where(SupportRequest.organisation_id != organisation))
    other_advocate = one(sa.select(User).join(VolunteerProfile, VolunteerProfile.user_id == User.id).where(
        VolunteerProfile.status == VolunteerStatus.APPROVED, VolunteerProfile.organisation_id == organisation,
        VolunteerProfile.id != advocate.id))
    applicant = one(sa.select(User).join(VolunteerProfile, VolunteerProfile.user_id == User.id).where(
        VolunteerProfile.status == VolunteerStatus.APPLICATION_RECEIVED))
    organiser = one(sa.select(User).where(User.role == Role.ORGANISER, User.organisation_id == organisation))
    other_organiser = one(sa.select(User).where(User.role == Role.ORGANISER, User.organisation_id != organisation))
    admin = one(sa.select(User).where(User.role == Role.ADMIN))
    people = {"parent": session.get(User, request.parent_id), "other_parent": other_parent,
              "advocate": advocate.user, "other_advocate": other_advocate, "applicant": applicant,
              "organiser": organiser, "other_organiser": other_organiser, "admin": admin}
    return Cast(
        emails={name: user.email for name, user in people.items()},
        ids={"request_id": str(request.id), "offer_id": str(offer.id), "match_id": str(match.id),
             "volunteer_id": str(advocate.id), "user_id": str(organiser.id), "version": "default-1",
             "decision": "approve", "slug": "meeting", "topic": "experience", "token": "not-a-real-token",
             "table": "coverage-by-area",
             "pause_id": "00000000-0000-4000-8000-000000000001", "organisation_id": str(organisation),
             "area_id": str(session.scalar(sa.select(Area.id).where(Area.organisation_id == organisation)
                                           .order_by(Area.name).limit(1))),
             "issue_type_id": str(request.main_issue_id or request.issue_types[0].id)},
    )


def visitor(app: Flask, session: Any, cast: Cast, persona: str) -> FormClient:
    client: FormClient = app.test_client()  # type: ignore[assignment]
    if persona != "anonymous":
        session.execute(sa.update(User).where(User.email == cast.emails[persona]).values(totp_last_step=None))
        response = sign_in_through_the_pages(client, session, cast.emails[persona], DEMO_PASSWORD)
        assert response.status_code == 302, persona
    return client
