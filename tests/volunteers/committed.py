"""Rows committed for real (for a second connection or a live server), and removed again afterwards.

The ordinary ``session`` fixture rolls everything back, which is what most tests want; a
race between two connections or a browser talking to a live server needs committed rows.
:class:`Committed` remembers what it made and deletes exactly that, never other people's rows.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from peermatch.geo import lookup_postcode
from peermatch.models import (
    Area,
    Notification,
    Organisation,
    RequestStatus,
    Role,
    SafeContact,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import offers
from peermatch.services.reference_data import ensure_area
from support import _TEST_PASSWORD_HASH


class Committed:
    """Makes and remembers committed rows; :meth:`remove` deletes only those."""

    def __init__(self, engine: sa.Engine, app: Flask | None = None) -> None:
        self.engine = engine
        self.app = app
        self.users: list[uuid.UUID] = []
        self.requests: list[uuid.UUID] = []
        self.organisations: list[uuid.UUID] = []
        self.areas: list[uuid.UUID] = []

    def organisation(self, session: Session, county: str | None = None) -> Organisation:
        tag = uuid.uuid4().hex[:8]
        organisation = Organisation(name=f"Committed parents {tag}", slug=f"committed-{tag}")
        session.add(organisation)
        session.flush()
        self.organisations.append(organisation.id)
        if county:
            existed = session.scalar(sa.select(Area.id).where(Area.name == county))
            area = ensure_area(session, county, organisation)
            if existed is None:
                self.areas.append(area.id)
        return organisation

    def user(self, session: Session, role: Role, organisation: Organisation | None = None,
             email: str | None = None, name: str = "Robin") -> User:
        user = User(email=email or f"committed-{role}-{uuid.uuid4().hex[:8]}@example.org",
                    password_hash=_TEST_PASSWORD_HASH, role=role, display_name=name,
                    organisation_id=organisation.id if organisation else None)
        session.add(user)
        session.flush()
        self.users.append(user.id)
        return user

    def advocate(self, session: Session, organisation: Organisation, capacity: int) -> tuple[User, VolunteerProfile]:
        user = self.user(session, Role.VOLUNTEER, organisation)
        outcode = lookup_postcode("LE15")
        profile = VolunteerProfile(user_id=user.id, organisation_id=organisation.id, status=VolunteerStatus.APPROVED,
                                   home_outcode=outcode.outcode, latitude=outcode.latitude,
                                   longitude=outcode.longitude, capacity=capacity, availability_mask=0b111)
        session.add(profile)
        session.flush()
        return user, profile

    def offer(self, session: Session, profile: VolunteerProfile, organisation: Organisation, now: datetime,
              **contact: Any) -> Any:
        """A parent's open request, offered to ``profile`` through the domain functions."""
        parent = self.user(session, Role.PARENT)
        outcode = lookup_postcode("LE15")
        request = SupportRequest(parent_id=parent.id, organisation_id=organisation.id, status=RequestStatus.OPEN,
                                 outcode=outcode.outcode, latitude=outcode.latitude, longitude=outcode.longitude,
                                 availability_mask=0b111, submitted_dt=now, opened_dt=now)
        request.safe_contact = SafeContact(**contact)
        session.add(request)
        session.flush()
        self.requests.append(request.id)
        organiser = self.user(session, Role.ORGANISER, organisation)
        with self.app.app_context() if self.app is not None else nullcontext():  # sending reads the lapse time
            offer = offers.propose(session, request, profile, organiser, now)
            offers.approve(session, offer, organiser, now)
            offers.send(session, offer, organiser, now)
        return offer

    def remove(self) -> None:
        """Delete what this object made (requests cascade to offers, matches and logs; users to profiles).

        Its audit events stay: the log is append-only (the actors become unknown, as after an erasure).
        """
        with self.engine.begin() as connection:
            # What they were told goes with them (it would outlive them with no one to send it to).
            connection.execute(sa.delete(Notification).where(sa.or_(Notification.recipient_id.in_(self.users),
                                                                    Notification.request_id.in_(self.requests))))
            connection.execute(sa.delete(SupportRequest).where(SupportRequest.id.in_(self.requests)))
            connection.execute(sa.delete(SupportRequest).where(SupportRequest.parent_id.in_(self.users)))
            connection.execute(sa.delete(VolunteerProfile).where(VolunteerProfile.user_id.in_(self.users)))
            connection.execute(sa.delete(User).where(User.id.in_(self.users)))
            connection.execute(sa.delete(Area).where(Area.id.in_(self.areas)))
            connection.execute(sa.update(Area).where(Area.organisation_id.in_(self.organisations))
                               .values(organisation_id=None))
            connection.execute(sa.delete(Organisation).where(Organisation.id.in_(self.organisations)))
