"""No form ever answers 500: arbitrary text, numbers, Unicode digits, huge values and missing fields, posted by
every role to every form it may use, on the demo network; and a post refused with a message saves nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import FormClient, sign_in_through_the_pages
from peermatch import clock
from peermatch.models import MATCH_OPEN, Base, Match, Offer, Role, SupportRequest, User, VolunteerProfile
from peermatch.services.demo import DEMO_PASSWORD, load_demo_data
from peermatch.web.access import ACCESS_ATTRIBUTE
from peermatch.web.parents.steps import STEPS


@pytest.fixture(scope="session")
def app(demo_app: Flask) -> Flask:
    """Every test here works on the demo network, built once for the run (``conftest.demo_app``)."""
    return demo_app

# Rows that a refused post may still add: what happened is recorded, the visitor's session kept.
MAY_CHANGE = {"audit_events", "sign_in_sessions", "matching_state"}
AWKWARD = ["", " ", "0", "-1", "00", "²", "٣٠", "١٢", "1e9", "NaN", "inf", "9" * 40, "x" * 5000, "\x00", "\u202e",
           "<script>alert(1)</script>", "2026-13-40", "yes", "no", "on", "true", "phone", "approve",
           "00000000-0000-0000-0000-000000000000", "../../etc/passwd", "🙂", "Ω" * 300]


def _field_names() -> list[str]:
    """Every field name of every form the service has (posts may carry any of them, or none)."""
    names: set[str] = set()
    forms = [FlaskForm]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        names.update(name for name in dir(form) if not name.startswith("_") and hasattr(getattr(form, name),
                                                                                     "field_class"))
    names.discard("csrf_token")
    return sorted(names) + [f"{n}-{part}" for n in sorted(names) for part in ("day", "month", "year")][:60]


FIELDS = _field_names()
# Characters str.isdigit() calls digits and int() refuses (², ①), or takes (٣٠ is 30).
UNICODE_DIGITS = ["²", "³", "¹", "①", "٣٠", "١٢", "߀", "۷", "𝟗", "Ⅻ"]
VALUES = st.one_of(st.sampled_from(AWKWARD), st.sampled_from(UNICODE_DIGITS), st.text(max_size=80), st.integers(-10**12, 10**12).map(str),
                   st.lists(st.sampled_from(AWKWARD + ["1", "2", "3", "mon-0", "6-2"]), max_size=4))


@dataclass
class World:
    """The demo network, and for each role a person and ids of things that person may touch."""

    emails: dict[str | None, str]
    ids: dict[str | None, dict[str, str]]


@pytest.fixture()
def world(session: Any) -> World:
    load_demo_data(session, clock.now())
    session.flush()

    def email(local: str) -> str:
        return f"{local}@example.org"

    def user(local: str) -> User:
        return session.scalar(sa.select(User).where(User.email == email(local)))

    organiser, parent, admin = user("organiser1"), user("parent"), user("admin")
    # An advocate supporting a parent now, so that the contact log and ending support are tried too.
    profile = session.scalar(sa.select(VolunteerProfile).join(Match, Match.volunteer_id == VolunteerProfile.id)
                             .where(Match.status.in_(MATCH_OPEN)).order_by(VolunteerProfile.id).limit(1))
    volunteer = session.get(User, profile.user_id)

    def first(query: Any) -> str:
        found = session.scalar(query.limit(1))
        return str(found) if found is not None else str(uuid.uuid4())

    own_requests = sa.select(SupportRequest.id).where(SupportRequest.organisation_id == organiser.organisation_id)
    org_offers = sa.select(Offer.id).join(SupportRequest).where(
        SupportRequest.organisation_id == organiser.organisation_id)
    org_matches = sa.select(Match.id).join(SupportRequest).where(
        SupportRequest.organisation_id == organiser.organisation_id)
    return World(
        emails={Role.PARENT: parent.email, Role.VOLUNTEER: volunteer.email, Role.ORGANISER: organiser.email,
                Role.ADMIN: admin.email},
        ids={
            Role.PARENT: {"request_id": first(sa.select(SupportRequest.id).where(
                SupportRequest.parent_id == parent.id))},
            Role.VOLUNTEER: {"offer_id": first(sa.select(Offer.id).where(Offer.volunteer_id == profile.id)),
                             "match_id": first(sa.select(Match.id).where(Match.volunteer_id == profile.id))},
            Role.ORGANISER: {"request_id": first(own_requests), "offer_id": first(org_offers),
                             "match_id": first(org_matches),
                             "volunteer_id": first(sa.select(VolunteerProfile.id).where(
                                 VolunteerProfile.organisation_id == organiser.organisation_id))},
            Role.ADMIN: {"user_id": str(organiser.id)},
            None: {},
        },
    )


def routes_for(app: Flask, role: Role | None) -> list[Any]:
    found = []
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, ())
        if "POST" in (rule.methods or ()) and (("public" in access) if role is None else (str(role) in access)):
            found.append(rule)
    return sorted(found, key=lambda r: r.rule)


def row_counts(session: Any) -> dict[str, int]:
    """Rows in every table (but MAY_CHANGE), in one statement."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in MAY_CHANGE]
    counts = session.execute(sa.select(*(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
                                         for t in tables))).one()
    return dict(zip([t.name for t in tables], counts, strict=True))


def client_for(app: Flask, session: Any, world: World, role: Role | None) -> FormClient:
    from peermatch.extensions import limiter

    client: FormClient = app.test_client()  # type: ignore[assignment]
    limiter.storage.reset()  # wrong passwords posted to "confirm it is you" count against the account
    if role is not None:
        # Each example signs in afresh; a staff code may be used once only, so forget the last one used.
        session.execute(sa.update(User).where(User.email == world.emails[role]).values(totp_last_step=None))
        response = sign_in_through_the_pages(client, session, world.emails[role], DEMO_PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.mark.parametrize("role", [None, Role.PARENT, Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN],
                         ids=["anonymous", "parent", "volunteer", "organiser", "admin"])
@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_form_ever_answers_500_and_a_refused_post_saves_nothing(
        app: Flask, session: Any, world: World, role: Role | None, data: Any) -> None:
    """Each example posts something to every form this role may use."""
    client = client_for(app, session, world, role)
    for rule in routes_for(app, role):
        if rule.endpoint in ENDS_THE_SESSION:
            continue  # tried last, below: they would sign this client out
        post_something(client, session, world, role, rule, data)
    for rule in routes_for(app, role):
        if rule.endpoint in ENDS_THE_SESSION:
            post_something(client_for(app, session, world, role), session, world, role, rule, data)


ENDS_THE_SESSION = {"public.exit", "auth.sign_out", "auth.change_password", "parents.delete_account"}


def post_something(client: FormClient, session: Any, world: World, role: Role | None, rule: Any, data: Any) -> None:
    values = {**world.ids[role]}
    for name in rule.arguments:
        if name not in values:
            values[name] = data.draw(st.sampled_from({
                "slug": [s.slug for s in STEPS] + ["nonsense"], "decision": ["approve", "reject", "suspend",
                                                                             "reinstate", "nonsense"],
                "version": ["default-1", "nonsense"], "token": ["nonsense", "a.b.c"],
            }.get(name, [str(uuid.uuid4())])), label=name)
    url = rule.build(values, append_unknown=False)[1]
    own: list[str] = []
    if "GET" in (rule.methods or ()):  # mostly the fields of the form on this page, now and then any other
        page = client.get(url)
        own = sorted(set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True))) - {"csrf_token"})
    # Draws must not depend on what the page shows (it changes as examples post): pick by number.
    picks = data.draw(st.lists(st.integers(0, 99), max_size=10), label=f"{url} fields")
    names = [own[i % len(own)] for i in picks] if own else []
    names += data.draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True), label="others")
    form = {name: data.draw(VALUES, label=name) for name in dict.fromkeys(names)}
    form["csrf_token"] = client.csrf_token("/sign-out" if role is not None else "/sign-in")  # else always 400
    before = row_counts(session)
    response = client.post(url, data=form)
    assert response.status_code < 500, (url, form)
    if response.status_code == 200 and "govuk-error-summary" in response.get_data(as_text=True):
        assert row_counts(session) == before, (url, form)
