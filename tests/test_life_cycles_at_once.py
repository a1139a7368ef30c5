"""The same state machine, with people acting on one request *at the same moment*.

Each step is a real transaction of its own, committed. The step that matters here takes
two things people do to the same request (the parent cancels or erases their account,
the advocate accepts, declines or ends the support, the organiser sends another offer,
offers lapse) and, on PostgreSQL, runs them in two connections at once, each holding its
locks a moment before committing. Whatever the pair and whatever the order the database
lets them through in, each is either done or refused with a message (never a deadlock or
a broken constraint), and afterwards every advocate's places taken equal their open
matches. SQLite lets one writer in at a time, so there the pair runs one after the other.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy.orm import Session

from peermatch.errors import DomainError, NotFound
from peermatch.geo import lookup_postcode
from peermatch.models import (
    MATCH_OPEN,
    Area,
    IssueType,
    Match,
    MatchOutcome,
    Offer,
    OfferStatus,
    Role,
    SafeContact,
    SupportRequest,
    User,
    VolunteerProfile,
)
from peermatch.services import matches, offers, personal_data, requests
from volunteers.committed import Committed

HOLD_LOCKS_SECONDS = 0.05
START = datetime.now(timezone.utc) - timedelta(days=30)


def latest_offer(session: Session, request_id: uuid.UUID, status: str | None = None) -> Offer | None:
    query = sa.select(Offer).where(Offer.request_id == request_id)
    if status is not None:
        query = query.where(Offer.status == status)
    return session.scalars(query.order_by(Offer.proposed_dt.desc(), Offer.id)).first()


def open_match(session: Session, request_id: uuid.UUID) -> Match | None:
    return session.scalars(sa.select(Match).where(Match.request_id == request_id, Match.status.in_(MATCH_OPEN))).first()


# Things people do to one request. Each finds what it acts on afresh, in its own transaction.
def cancel(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    request = session.get(SupportRequest, request_id)
    if request is not None:
        requests.withdraw(session, request, request.parent, now)


def erase(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    request = session.get(SupportRequest, request_id)
    if request is not None:
        personal_data.erase_parent(session, request.parent, now)


def accept(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    offer = latest_offer(session, request_id, OfferStatus.OFFERED)
    if offer is not None:
        offers.accept(session, offer, offer.volunteer.user, now)


def decline(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    offer = latest_offer(session, request_id, OfferStatus.OFFERED)
    if offer is not None:
        offers.decline(session, offer, offer.volunteer.user, "personal", "", now)


def end(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    match = open_match(session, request_id)
    if match is not None:
        matches.end_support(session, match, match.volunteer.user, now, outcome=MatchOutcome.SUPPORTED_THROUGH_MEETING,
                            outcome_note="", rating=5, comments="")


def send_to(which: int) -> Callable[..., None]:
    def send(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
        request = session.get(SupportRequest, request_id)
        volunteer = session.get(VolunteerProfile, network.advocates[which])
        organiser = session.get(User, network.organiser)
        if request is not None:
            offer = offers.propose(session, request, volunteer, organiser, now)
            offers.approve(session, offer, organiser, now)
            offers.send(session, offer, organiser, now)

    send.__name__ = f"send_to_{which}"
    return send


def lapse(session: Session, request_id: uuid.UUID, now: datetime, network: Any) -> None:
    offers.lapse_due(session, now + timedelta(hours=49))


ACTIONS = {action.__name__: action for action in (cancel, erase, accept, decline, end, send_to(0), send_to(1), lapse)}


class AtOnce(RuleBasedStateMachine):
    app: Flask
    engine: sa.Engine

    asked = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.made = Committed(self.engine, self.app)
        self.now = START
        self.failures: list[str] = []
        with self.app.app_context(), Session(self.engine) as session:
            organisation = self.made.organisation(session, county="Rutland")
            self.organisation = organisation.id
            self.organiser = self.made.user(session, Role.ORGANISER, organisation).id
            self.advocates = [self.made.advocate(session, organisation, capacity)[1].id for capacity in (2, 1)]
            self.issue = session.scalars(sa.select(IssueType.id).order_by(IssueType.position)).first()
            self.area = session.scalar(sa.select(Area.id).where(Area.organisation_id == organisation.id))
            session.commit()

    def teardown(self) -> None:
        self.made.remove()

    def later(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now

    def run(self, action: Callable[..., None], request_id: uuid.UUID, now: datetime,
            barrier: threading.Barrier | None = None) -> None:
        """One person's action in a transaction of its own: done or refused with a message, nothing else."""
        try:
            with self.app.app_context(), Session(self.engine) as session:
                session.connection()
                if barrier is not None:
                    barrier.wait(timeout=10)
                try:
                    action(session, request_id, now, self)
                    session.flush()
                    if barrier is not None:
                        time.sleep(HOLD_LOCKS_SECONDS)
                    session.commit()
                except (DomainError, NotFound):  # refused with a message, or the parent has gone (404)
                    session.rollback()
        except Exception as error:  # noqa: BLE001  (reported by the invariant, with the action that failed)
            self.failures.append(f"{action.__name__}: {type(error).__name__}: {error}")

    @rule(target=asked)
    def a_parent_asks_for_support(self) -> uuid.UUID:
        with self.app.app_context(), Session(self.engine) as session:
            parent = self.made.user(session, Role.PARENT)
            place = lookup_postcode("LE15")
            draft = requests.start_draft(session, parent)
            draft.organisation_id, draft.area_id = self.organisation, self.area
            draft.outcode, draft.latitude, draft.longitude = place.outcode, place.latitude, place.longitude
            draft.issue_types = [session.get(IssueType, self.issue)]
            draft.main_issue_id, draft.availability_mask, draft.accepts_phone = self.issue, 0b111, True
            draft.safe_contact = SafeContact(name_to_ask_for="Ash", phone_ok=True, phone="07700 900123")
            draft.draft_answers = {"meeting_answered": True, "languages_answered": True, "gender_answered": True,
                                   "consent_version": "test"}
            requests.submit(session, draft, parent, self.later())
            session.commit()
            return draft.id

    @rule(request=asked, action=st.sampled_from(sorted(ACTIONS)))
    def someone_acts(self, request: uuid.UUID, action: str) -> None:
        self.run(ACTIONS[action], request, self.later())

    @rule(request=asked, other=asked, same=st.booleans(), first=st.sampled_from(sorted(ACTIONS)),
          second=st.sampled_from(sorted(ACTIONS)))
    def two_people_act_at_once(self, request: uuid.UUID, other: uuid.UUID, same: bool, first: str,
                               second: str) -> None:
        """Mostly on one request; sometimes on two (two parents erasing, one advocate accepting twice)."""
        now = self.later()
        pairs = [(ACTIONS[first], request), (ACTIONS[second], request if same else other)]
        if self.engine.dialect.name != "postgresql":
            for action, target in pairs:
                self.run(action, target, now)
            return
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=self.run, args=(action, target, now, barrier)) for action, target in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads), f"{first} and {second} never finished"


    @invariant()
    def everyone_was_done_or_told_why_not(self) -> None:
        assert self.failures == []

    @invariant()
    def places_taken_equal_matches_not_ended(self) -> None:
        with Session(self.engine) as session:
            for advocate in self.advocates:
                profile = session.get(VolunteerProfile, advocate)
                open_matches = session.scalar(sa.select(sa.func.count()).select_from(Match).where(
                    Match.volunteer_id == advocate, Match.status.in_(MATCH_OPEN)))
                assert profile.active_match_count == open_matches <= profile.capacity


def test_people_acting_on_one_request_at_the_same_moment_never_break_it(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=5)
    AtOnce.app, AtOnce.engine = app, engine
    try:
        run_state_machine_as_test(AtOnce, settings=settings(
            max_examples=int(os.environ.get("PEERMATCH_AT_ONCE_EXAMPLES", "40")), stateful_step_count=20,
            deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)))
    finally:
        engine.dispose()
