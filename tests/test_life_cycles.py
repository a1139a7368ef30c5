"""Every life cycle has one owner, and the capacity invariant holds under any order of events.

A hypothesis state machine plays organisers, advocates and parents against one small
network in any order: offers sent and re-sent, accepted, declined and lapsed, support
ended by the advocate, requests cancelled by the parent, parents erasing their account,
advocates changing how many parents they can take. After every step, for every advocate,
the places taken (``active_match_count``) equal their matches that have not ended and
never exceed their capacity; and each request's status agrees with its offers and match.

Two people acting on the same match at the same moment is proved on PostgreSQL in
``test_life_cycle_races.py``.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule, run_state_machine_as_test

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.extensions import db
from peermatch.geo import lookup_postcode
from peermatch.models import (
    MATCH_INTRODUCED,
    MATCH_OPEN,
    AuditEvent,
    DeclineReason,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    Offer,
    OfferStatus,
    OfferStatusChange,
    Organisation,
    RequestStatus,
    RequestStatusChange,
    Role,
    SafeContact,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import advocates, matches, offers, personal_data, requests
from peermatch.services.reference_data import ensure_area
from support import _TEST_PASSWORD_HASH

START = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


class Network:
    """A tiny network inside one rolled-back transaction: two advocates, parents asking for support."""

    def __init__(self, app: Flask) -> None:
        self.context = app.app_context()
        self.context.push()
        self.connection = db.engine.connect()
        self.transaction = self.connection.begin()
        self.original = db.session
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=self.connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id)
        self.session = db.session
        self.now = START
        tag = uuid.uuid4().hex[:8]
        self.organisation = Organisation(name=f"Life cycle parents {tag}", slug=f"life-cycle-{tag}")
        self.session.add(self.organisation)
        self.session.flush()
        self.area = ensure_area(self.session, "Rutland", self.organisation)
        self.organiser = self.user(Role.ORGANISER, "Organiser")

    def close(self) -> None:
        db.session.remove()
        db.session = self.original
        self.transaction.rollback()
        self.connection.close()
        self.context.pop()

    def user(self, role: Role, name: str) -> User:
        user = User(email=f"{role}-{uuid.uuid4().hex[:12]}@example.org",
                    password_hash=_TEST_PASSWORD_HASH, role=role, display_name=name,
                    organisation_id=self.organisation.id if role != Role.PARENT else None)
        self.session.add(user)
        self.session.flush()
        return user

    def advocate(self, name: str, capacity: int) -> VolunteerProfile:
        user = self.user(Role.VOLUNTEER, name)
        place = lookup_postcode("LE15")
        profile = VolunteerProfile(user_id=user.id, organisation_id=self.organisation.id,
                                   status=VolunteerStatus.APPROVED, home_outcode=place.outcode,
                                   latitude=place.latitude, longitude=place.longitude, capacity=capacity,
                                   availability_mask=0b111)
        self.session.add(profile)
        self.session.flush()
        return profile

    def request(self, name: str) -> SupportRequest:
        """A parent's request with every question answered, sent the way the parent sends it."""
        parent = self.user(Role.PARENT, name)
        place = lookup_postcode("LE15")
        issue = self.session.scalars(sa.select(IssueType).order_by(IssueType.position)).first()
        draft = requests.start_draft(self.session, parent)
        draft.organisation_id, draft.area_id = self.organisation.id, self.area.id
        draft.outcode, draft.latitude, draft.longitude = place.outcode, place.latitude, place.longitude
        draft.issue_types, draft.main_issue_id = [issue], issue.id
        draft.availability_mask, draft.accepts_phone = 0b111, True
        draft.safe_contact = SafeContact(name_to_ask_for=name, phone_ok=True, phone="07700 900123")
        draft.draft_answers = {"meeting_answered": True, "languages_answered": True, "gender_answered": True,
                               "consent_version": "test"}
        return requests.submit(self.session, draft, parent, self.now)

    def later(self, hours: float) -> datetime:
        self.now += timedelta(hours=hours)
        return self.now


def attempt(change: Any, *args: Any, **kwargs: Any) -> Any:
    """Do one thing a person might try; a refusal with a message is a fine outcome, anything else is not."""
    try:
        result = change(*args, **kwargs)
    except DomainError:
        event(f"{change.__module__.rsplit('.', 1)[-1]}.{change.__name__} refused")
        return None
    event(f"{change.__module__.rsplit('.', 1)[-1]}.{change.__name__} done")
    return result


class LifeCycles(RuleBasedStateMachine):
    app: Flask

    requests_ = Bundle("requests")
    sent = Bundle("offers")
    begun = Bundle("matches")

    def __init__(self) -> None:
        super().__init__()
        self.network = Network(self.app)
        self.advocates = [self.network.advocate("Robin", 2), self.network.advocate("Sasha", 1)]

    def teardown(self) -> None:
        self.network.close()

    @property
    def session(self) -> Any:
        return self.network.session

    # -- parents ---------------------------------------------------------------------------------
    @rule(target=requests_, name=st.sampled_from(["Ash", "Bea", "Cal", "Dee"]))
    def a_parent_asks_for_support(self, name: str) -> SupportRequest:
        return self.network.request(name)

    # Cancelling and erasing end a request's story, so they are tried a quarter as often as the rest.
    @rule(request=requests_, now=st.integers(0, 3))
    def the_parent_cancels(self, request: SupportRequest, now: int) -> None:
        if now == 0 and self.exists(request):
            attempt(requests.withdraw, self.session, request, request.parent, self.network.later(1))

    @rule(request=consumes(requests_), now=st.integers(0, 3))
    def the_parent_erases_their_account(self, request: SupportRequest, now: int) -> None:
        if now == 0 and self.exists(request):
            attempt(personal_data.erase_parent, self.session, request.parent, self.network.later(1))

    # -- organisers and advocates --------------------------------------------------------------------
    @rule(target=sent, request=requests_, who=st.integers(0, 1))
    def an_organiser_sends_an_offer(self, request: SupportRequest, who: int) -> Offer | None:
        if not self.exists(request):
            return None
        organiser, now = self.network.organiser, self.network.later(0.5)
        offer = attempt(offers.propose, self.session, request, self.advocates[who], organiser, now)
        if offer is not None:
            offers.approve(self.session, offer, organiser, now)
            attempt(offers.send, self.session, offer, organiser, now)
        return offer

    @rule(target=begun, offer=sent)
    def the_advocate_accepts(self, offer: Offer | None) -> Match | None:
        if offer is None or not self.exists(offer):
            return None
        return attempt(offers.accept, self.session, offer, offer.volunteer.user, self.network.later(1))

    @rule(offer=sent, reason=st.sampled_from(list(DeclineReason)))
    def the_advocate_declines(self, offer: Offer | None, reason: str) -> None:
        if offer is not None and self.exists(offer):
            attempt(offers.decline, self.session, offer, offer.volunteer.user, reason, "", self.network.later(1))

    @rule(hours=st.sampled_from([1, 1, 24, 49]))
    def time_passes_and_offers_lapse(self, hours: int) -> None:
        offers.lapse_due(self.session, self.network.later(hours))

    @rule(match=begun)
    def an_organiser_introduces_them(self, match: Match | None) -> None:
        if match is not None and self.exists(match):
            attempt(matches.introduce, self.session, match, self.network.organiser, self.network.later(1))

    @rule(match=begun, outcome=st.sampled_from(list(MatchOutcome)))
    def an_organiser_ends_the_match(self, match: Match | None, outcome: str) -> None:
        if match is not None and self.exists(match):
            attempt(matches.end_by_organiser, self.session, match, self.network.organiser, self.network.later(1),
                    outcome=outcome, note="")

    @rule(match=begun, outcome=st.sampled_from(list(MatchOutcome)))
    def the_advocate_ends_the_support(self, match: Match | None, outcome: str) -> None:
        if match is not None and self.exists(match):
            attempt(matches.end_support, self.session, match, match.volunteer.user, self.network.later(2),
                    outcome=outcome, outcome_note="", rating=4, comments="")

    @rule(match=begun)
    def the_advocate_logs_a_contact(self, match: Match | None) -> None:
        if match is not None and self.exists(match):
            now = self.network.later(3)
            attempt(matches.log_contact, self.session, match, match.volunteer.user, clock.today(now), "phone", 30,
                    "", now)

    @rule(who=st.integers(0, 1), capacity=st.integers(1, 4))
    def an_advocate_changes_how_many_parents_at_once(self, who: int, capacity: int) -> None:
        profile = self.advocates[who]
        attempt(advocates.set_capacity, self.session, profile, capacity, profile.user, self.network.later(0.1))

    # -- what must always be true ------------------------------------------------------------------
    def exists(self, row: Any) -> bool:
        """Still there (an erased parent's requests, offers and matches are gone), and read afresh."""
        model = type(row)
        if self.session.scalar(sa.select(model.id).where(model.id == row.id)) is None:
            return False
        self.session.refresh(row)
        return True

    @invariant()
    def places_taken_equal_matches_not_ended(self) -> None:
        self.session.flush()
        for profile in self.advocates:
            self.session.refresh(profile)
            open_matches = self.session.scalar(sa.select(sa.func.count()).select_from(Match).where(
                Match.volunteer_id == profile.id, Match.status.in_(MATCH_OPEN)))
            assert profile.active_match_count == open_matches, profile.user.display_name
            assert 0 <= profile.active_match_count <= profile.capacity

    @invariant()
    def every_change_of_a_request_offer_or_match_is_audited(self) -> None:
        def audited(prefix: str, subject_ids: list[str]) -> list[tuple[str, str]]:
            return sorted((subject, action) for subject, action in self.session.execute(
                sa.select(AuditEvent.subject_id, AuditEvent.action).where(
                    AuditEvent.action.like(f"{prefix}.%"), AuditEvent.subject_id.in_(subject_ids))))

        org = self.network.organisation.id
        request_changes = sorted((str(request_id), f"request.{status}") for request_id, status in self.session.execute(
            sa.select(RequestStatusChange.request_id, RequestStatusChange.to_status).join(SupportRequest)
            .where(SupportRequest.organisation_id == org)).all())
        assert audited("request", sorted({rid for rid, _ in request_changes})) == request_changes
        offer_changes = sorted((str(offer_id), f"offer.{status}") for offer_id, status in self.session.execute(
            sa.select(OfferStatusChange.offer_id, OfferStatusChange.to_status).join(Offer).join(SupportRequest)
            .where(SupportRequest.organisation_id == org)).all())
        assert audited("offer", sorted({oid for oid, _ in offer_changes})) == offer_changes
        for match in self.session.scalars(sa.select(Match).join(SupportRequest).where(
                SupportRequest.organisation_id == org)):
            actions = {action for _, action in audited("match", [str(match.id)])}
            assert "match.awaiting_introduction" in actions
            assert (match.introduced_dt is None) != ("match.introduced" in actions)
            assert (match.status == MatchStatus.ENDED) == ("match.ended" in actions)

    @invariant()
    def each_request_agrees_with_its_offers_and_match(self) -> None:
        rows = self.session.scalars(sa.select(SupportRequest).where(
            SupportRequest.organisation_id == self.network.organisation.id)).all()
        for request in rows:
            statuses = set(self.session.scalars(sa.select(Offer.status).where(Offer.request_id == request.id)))
            open_match = self.session.scalar(sa.select(sa.func.count()).select_from(Match).where(
                Match.request_id == request.id, Match.status.in_(MATCH_OPEN)))
            introduced = self.session.scalar(sa.select(sa.func.count()).select_from(Match).where(
                Match.request_id == request.id, Match.status.in_(MATCH_INTRODUCED)))
            assert open_match <= 1
            if request.status == RequestStatus.MATCHED:
                assert introduced == 1
            elif request.status == RequestStatus.OFFERED:  # an offer out, or accepted and waiting to be introduced
                assert (OfferStatus.OFFERED in statuses) != (open_match == 1) and introduced == 0
            elif request.status in (RequestStatus.SUBMITTED, RequestStatus.OPEN):
                assert OfferStatus.OFFERED not in statuses and open_match == 0
            else:  # finished: nothing is left waiting for an answer, nobody is still supporting
                assert open_match == 0 and not statuses & {OfferStatus.PROPOSED, OfferStatus.APPROVED,
                                                           OfferStatus.OFFERED}


def test_places_and_statuses_stay_true_under_any_order_of_events(app: Flask) -> None:
    LifeCycles.app = app
    run_state_machine_as_test(LifeCycles, settings=settings(
        max_examples=int(os.environ.get("PEERMATCH_STATEFUL_EXAMPLES", "80")), stateful_step_count=40,
        deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_the_interesting_states_are_reachable(app: Flask) -> None:
    """Guard against a machine that only ever refuses: one scripted run reaches every status."""
    network = Network(app)
    try:
        session, organiser = network.session, network.organiser
        robin = network.advocate("Robin", 1)
        first, second = network.request("Ash"), network.request("Bea")
        offer = offers.propose(session, first, robin, organiser, network.later(1))
        offers.approve(session, offer, organiser, network.now)
        offers.send(session, offer, organiser, network.now)
        match = offers.accept(session, offer, robin.user, network.later(1))
        other = offers.propose(session, second, robin, organiser, network.later(1))
        offers.approve(session, other, organiser, network.now)
        offers.send(session, other, organiser, network.now)
        with pytest.raises(DomainError, match="You are already supporting as many parents"):
            offers.accept(session, other, robin.user, network.later(1))
        requests.withdraw(session, first, first.parent, network.later(1))
        session.refresh(robin)
        session.refresh(match)
        assert (match.status, robin.active_match_count) == (MatchStatus.ENDED, 0)
        with pytest.raises(DomainError, match="This support has already ended"):
            matches.end_support(session, match, robin.user, network.later(1), outcome="other", outcome_note="",
                                rating=3, comments="")
        session.refresh(robin)
        assert robin.active_match_count == 0
        offers.accept(session, other, robin.user, network.later(1))
        session.refresh(robin)
        assert robin.active_match_count == 1
    finally:
        network.close()
