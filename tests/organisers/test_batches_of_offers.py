"""A batch: every open request proposed at once, the chosen ones sent in one go, nothing beyond capacity."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from peermatch import clock
from peermatch.models import MATCH_OPEN, Match, Offer, OfferStatus, Organisation, User, VolunteerProfile
from peermatch.services.demo import DEMO_PASSWORD, load_demo_data
from support import FormClient, sign_in_through_the_pages


@pytest.fixture(scope="session")
def app(demo_app: Flask) -> Flask:
    """Every test here works on the demo network, built once for the run (``conftest.demo_app``)."""
    return demo_app


def signed_in(app: Any, email: str) -> FormClient:
    from peermatch.extensions import db

    browser: FormClient = app.test_client()  # type: ignore[assignment]
    assert sign_in_through_the_pages(browser, db.session, email, DEMO_PASSWORD).status_code == 302
    return browser


def test_the_demo_network_batch_is_proposed_sent_and_seen_by_the_advocates(app: Any, session: Any) -> None:
    load_demo_data(session, clock.now())
    browser = signed_in(app, "organiser1@example.org")
    organiser = session.scalar(sa.select(User).where(User.email == "organiser1@example.org"))
    page = browser.get("/organiser/batch").get_data(as_text=True)
    assert "Nothing is sent until you choose" in page
    proposed = browser.submit("/organiser/batch", {"most_matches": "y"})
    html = proposed.get_data(as_text=True)
    pairs = re.findall(r'name="pairs" type="checkbox" value="([0-9a-f-]{36}:[0-9a-f-]{36})"', html)
    assert pairs, html[:3000]
    assert "Left without an advocate" in html or len(pairs) >= 1

    # Untick one; send the rest in one go.
    chosen, left_out = pairs[1:] or pairs, pairs[:1] if len(pairs) > 1 else []
    before = set(session.scalars(sa.select(Offer.id)))
    sent = browser.submit("/organiser/batch/send", {"pairs": chosen}, form_url="/organiser/batch")
    result = sent.get_data(as_text=True)
    assert f"Offers sent: {len(chosen)}" in result, result[:3000]
    offers = session.scalars(sa.select(Offer).where(Offer.proposed_by_id == organiser.id, Offer.id.not_in(before),
                                                    Offer.status == OfferStatus.OFFERED)).all()
    assert {f"{o.request_id}:{o.volunteer_id}" for o in offers} == set(chosen)
    assert all(o.request.organisation_id == organiser.organisation_id for o in offers)
    assert not {f"{o.request_id}:{o.volunteer_id}" for o in offers} & set(left_out)

    # Nobody holds more places (parents and offers waiting) than they said they can take.
    waiting = Counter(v for v, in session.execute(sa.select(Offer.volunteer_id).where(Offer.status == OfferStatus.OFFERED)))
    taken = Counter(v for v, in session.execute(sa.select(Match.volunteer_id).where(Match.status.in_(MATCH_OPEN))))
    for profile in session.scalars(sa.select(VolunteerProfile).where(VolunteerProfile.id.in_(waiting))):
        assert taken[profile.id] + waiting[profile.id] <= profile.capacity, profile.id
        assert profile.active_match_count == taken[profile.id]

    # Each advocate sees their offer.
    first = offers[0]
    advocate = app.test_client()
    advocate_user = first.volunteer.user
    advocate_user.password_hash = organiser.password_hash  # the demo password
    session.flush()
    assert advocate.submit("/sign-in", {"email": advocate_user.email, "password": DEMO_PASSWORD}).status_code == 302
    assert f"/volunteer/offers/{first.id}" in advocate.get("/volunteer/offers").get_data(as_text=True)

    # Sending the same proposals again: each is refused with why, and nothing more is sent.
    again = browser.submit("/organiser/batch/send", {"pairs": chosen}, form_url="/organiser/batch")
    assert "Offers sent: 0" in again.get_data(as_text=True)
    assert f"Not sent: {len(chosen)}" in again.get_data(as_text=True)


def test_the_network_admin_proposes_for_the_whole_network(app: Any, session: Any) -> None:
    load_demo_data(session, clock.now())
    admin = signed_in(app, "admin@example.org")
    proposed = admin.submit("/admin/batch", {}).get_data(as_text=True)
    references = set(re.findall(r"PM-[A-Z0-9]{4}-[A-Z0-9]{4}", proposed))
    organisations = {o for o, in session.execute(
        sa.select(Organisation.name).join(Organisation.areas).distinct())}
    assert len(references) > 10 and len(organisations) == 5
    pairs = re.findall(r'value="([0-9a-f-]{36}:[0-9a-f-]{36})"', proposed)
    assert pairs
    done = admin.submit("/admin/batch/send", {"pairs": pairs[:3]}, form_url="/admin/batch").get_data(as_text=True)
    assert "Offers sent: 3" in done


def test_an_organiser_cannot_send_another_organisations_request_in_a_batch(app: Any, session: Any) -> None:
    load_demo_data(session, clock.now())
    browser = signed_in(app, "organiser1@example.org")
    admin = signed_in(app, "admin@example.org")
    everyone = re.findall(r'value="([0-9a-f-]{36}:[0-9a-f-]{36})"', admin.submit("/admin/batch", {}).get_data(as_text=True))
    organiser = session.scalar(sa.select(User).where(User.email == "organiser1@example.org"))
    from peermatch.models import SupportRequest

    theirs = [p for p in everyone
              if session.get(SupportRequest, uuid.UUID(p.split(":")[0])).organisation_id != organiser.organisation_id]
    result = browser.submit("/organiser/batch/send", {"pairs": theirs[:2]}, form_url="/organiser/batch")
    assert "Offers sent: 0" in result.get_data(as_text=True)
    assert "This request or advocate is not one you can offer" in result.get_data(as_text=True)
