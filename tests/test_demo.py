"""The demo network: believable, in every status, loaded once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from support import sign_in_through_the_pages
from peermatch.models import (
    REQUEST_FINISHED, ContactLogEntry, DeclineReason, Feedback, FeedbackAuthor, Match, Offer, OfferStatus,
    Organisation, RequestStatus, Role, SupportRequest, User, Vetting, VolunteerProfile, VolunteerStatus,
)
from peermatch import clock
from peermatch.services.demo import DEMO_PASSWORD, load_demo_data


def count(session: Any, model: Any, *where: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_network_is_believable_and_loads_only_once(session: Any, app: Any) -> None:
    first = load_demo_data(session, clock.now())
    assert first.created
    assert count(session, Organisation) == 5
    assert 280 <= count(session, VolunteerProfile) <= 320
    # 150 live requests and a year of finished history before them (services/demo.py: HISTORY_REQUESTS)
    assert 260 <= count(session, SupportRequest) <= 280
    statuses = set(session.scalars(sa.select(SupportRequest.status).distinct()))
    assert statuses == set(RequestStatus)
    volunteer_statuses = set(session.scalars(sa.select(VolunteerProfile.status).distinct()))
    assert {VolunteerStatus.APPROVED, VolunteerStatus.APPLICATION_RECEIVED} <= volunteer_statuses
    assert count(session, Vetting, Vetting.dbs_expires_on < clock.today()) > 0  # some DBS checks have run out
    assert count(session, User, User.role == Role.ORGANISER) >= 5
    assert count(session, Match) > 0 and count(session, Offer) > count(session, Match)
    # every volunteer's active matches are within capacity (the database would refuse otherwise)
    assert count(session, VolunteerProfile, VolunteerProfile.active_match_count > VolunteerProfile.capacity) == 0
    # every organisation covers real areas with real outward codes
    for organisation in session.scalars(sa.select(Organisation)):
        assert organisation.areas and all(area.outcodes for area in organisation.areas)
    # the name each parent asked us to use is a person's name (a column's name once showed on screens)
    from peermatch.models import SafeContact

    names = set(session.scalars(sa.select(SafeContact.name_to_ask_for)))
    assert len(names) > 20 and not names & {c.name for c in SupportRequest.__table__.columns}

    before = first.counts
    second = load_demo_data(session, clock.now())
    assert not second.created and second.counts == before
    roles = {sign_in.role for sign_in in second.sign_ins}
    assert roles == {"admin", "organiser", "parent", "volunteer"}


def test_each_demo_sign_in_lands_on_its_home_page(session: Any, app: Any) -> None:
    result = load_demo_data(session, clock.now())
    homes = {"admin": "/admin/", "organiser": "/organiser/", "parent": "/your-requests/", "volunteer": "/volunteer/"}
    for sign_in in result.sign_ins:
        browser = app.test_client()
        response = sign_in_through_the_pages(browser, session, sign_in.email, DEMO_PASSWORD)
        assert response.headers["Location"] == homes[sign_in.role], sign_in.email
        assert browser.get(homes[sign_in.role]).status_code == 200


def test_demo_offers_and_matches_only_pair_people_the_rules_allow(session: Any) -> None:
    from dataclasses import replace

    from peermatch.matching import check_rules
    from peermatch.services.matching import request_profile, volunteer_profiles

    load_demo_data(session, clock.now())
    profiles = {p.id: p for p in volunteer_profiles(session, approved_only=False)}
    for offer in session.scalars(sa.select(Offer)):
        # Load as it is today is not the question (the offer itself holds a place while it waits).
        volunteer = replace(profiles[str(offer.volunteer_id)], active_matches=0, offers_waiting=0, pauses=())
        failures = check_rules(request_profile(session, offer.request), volunteer, offer.request.opened_dt.date())
        # "declined" is the offer itself, once declined
        assert [f.rule for f in failures if f.rule != "declined"] == [], offer.id
    matched = session.scalars(sa.select(SupportRequest).where(
        SupportRequest.status.in_([RequestStatus.MATCHED, RequestStatus.CLOSED]))).all()
    assert all(session.scalar(sa.select(Match).where(Match.request_id == r.id)) for r in matched)


def test_every_outward_code_of_a_covered_area_resolves_to_its_organisation(session: Any, app: Any) -> None:
    """On the demo network, every outward code the shipped table files under a covered council area reaches the
    organisation covering it: central London (SW1A, W1, WC2, the City) included."""
    from peermatch.geo import outcode_table
    from peermatch.models import Area
    from peermatch.services.reference_data import area_for_outcode

    load_demo_data(session, clock.now())
    covered = {area.name: area.organisation_id for area in session.scalars(
        sa.select(Area).where(Area.organisation_id.is_not(None)))}
    checked = 0
    for outcode in outcode_table().values():
        if outcode.county in covered:
            area = area_for_outcode(session, outcode.outcode)
            assert area is not None and area.organisation_id == covered[outcode.county], outcode
            checked += 1
    assert checked > 500
    london = session.scalar(sa.select(Organisation).where(Organisation.name == "London Parents' Network"))
    for outcode in ("SW1A", "W1", "WC2", "EC2M", "EC4"):
        assert area_for_outcode(session, outcode).organisation_id == london.id, outcode


def test_the_demo_holds_a_year_of_finished_requests_for_the_reports(session: Any) -> None:
    """Every report has something to show: requests sent and finished in each of the last 12 months, offers
    declined for every reason and lapsed, contacts logged, feedback from both sides; and nothing the nightly
    purge (365 days by default) would erase."""
    from datetime import timedelta

    from peermatch.services.retention import purge

    now = clock.now()
    load_demo_data(session, now)
    finished = session.execute(sa.select(
        SupportRequest.submitted_dt, sa.func.coalesce(SupportRequest.closed_dt, SupportRequest.withdrawn_dt))
        .where(SupportRequest.status.in_(REQUEST_FINISHED))).all()
    months = [(now - timedelta(days=30 * (n + 1)), now - timedelta(days=30 * n)) for n in range(12)]
    # Sent in each month but the last (whose requests are still being dealt with), finished in each but the first.
    for start, end in months[1:]:
        assert any(start <= sent < end for sent, _ in finished), f"none sent {(now - end).days}+ days ago finished"
    for start, end in months[:-1]:
        assert any(start <= ended < end for _, ended in finished), f"none finished {(now - end).days}+ days ago"
    assert all(ended < now for _, ended in finished)
    assert count(session, SupportRequest, SupportRequest.submitted_dt < now - timedelta(days=355)) == 0
    assert purge(session, now, 365, dry_run=True).requests == 0
    assert count(session, SupportRequest, SupportRequest.status == RequestStatus.CLOSED) >= 90
    assert count(session, Offer, Offer.status == OfferStatus.LAPSED) >= 5
    reasons = set(session.scalars(sa.select(Offer.decline_reason).where(Offer.status == OfferStatus.DECLINED)))
    assert reasons == set(DeclineReason)
    assert count(session, ContactLogEntry) >= 200
    for author in FeedbackAuthor:
        assert count(session, Feedback, Feedback.author == author) >= 50, author
