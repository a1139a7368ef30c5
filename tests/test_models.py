"""Rules the database holds itself, whatever the code above it does."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from peermatch.models import Offer, Role, SupportRequest, User, VolunteerProfile


def violated(session: Any, constraint: str) -> None:
    """The flush is refused by exactly ``constraint`` (named by the convention in ``models.base``).

    PostgreSQL names every constraint it enforces. SQLite names CHECK constraints, reports a
    unique one by its columns and a foreign key without any name, so those are matched on
    what it does say.
    """
    with pytest.raises(IntegrityError) as refused:
        with session.begin_nested():
            session.flush()
    message = str(refused.value.orig)
    if session.bind.dialect.name == "postgresql":
        assert f'constraint "{constraint}"' in message, message
    elif constraint.startswith("ck_"):
        assert message == f"CHECK constraint failed: {constraint}", message
    elif constraint.startswith("uq_"):
        table, column = UNIQUE_COLUMNS[constraint]
        assert f"UNIQUE constraint failed: {table}.{column}" in message, message
    else:
        assert constraint.startswith("fk_") and "FOREIGN KEY constraint failed" in message, message


UNIQUE_COLUMNS = {"uq_users_email": ("users", "email")}


def volunteer(people: Any, **fields: Any) -> VolunteerProfile:
    user = people.user(Role.VOLUNTEER)
    profile = VolunteerProfile(user_id=user.id, organisation_id=user.organisation_id, home_outcode="LA14", **fields)
    people.session.add(profile)
    return profile


def test_emails_are_unique(people: Any, session: Any) -> None:
    people.user(Role.PARENT, email="same@example.org")
    session.add(User(email="same@example.org", password_hash="x", role=Role.PARENT, display_name="B"))
    violated(session, "uq_users_email")


def test_role_must_be_one_of_the_four(session: Any) -> None:
    session.add(User(email="odd@example.org", password_hash="x", role="superuser", display_name="B"))
    violated(session, "ck_users_role_allowed")


def test_organisers_belong_to_an_organisation(session: Any) -> None:
    session.add(User(email="org@example.org", password_hash="x", role=Role.ORGANISER, display_name="B"))
    violated(session, "ck_users_organiser_has_organisation")


def test_capacity_is_at_least_one(people: Any, session: Any) -> None:
    volunteer(people, capacity=0)
    violated(session, "ck_volunteer_profiles_capacity_range")


def test_active_matches_never_exceed_capacity(people: Any, session: Any) -> None:
    profile = volunteer(people, capacity=2)
    session.flush()
    profile.active_match_count = 3
    violated(session, "ck_volunteer_profiles_active_matches_within_capacity")


def test_places_taken_never_go_below_zero(people: Any, session: Any) -> None:
    profile = volunteer(people, capacity=2)
    session.flush()
    profile.active_match_count = -1
    violated(session, "ck_volunteer_profiles_active_matches_within_capacity")


def test_request_status_must_be_allowed(session: Any) -> None:
    session.add(SupportRequest(status="lost"))
    violated(session, "ck_support_requests_status_allowed")


def test_foreign_keys_are_enforced(session: Any) -> None:
    import uuid

    session.add(Offer(request_id=uuid.uuid4(), volunteer_id=uuid.uuid4()))
    violated(session, "fk_offers_request_id_support_requests")


def test_ids_in_urls_are_random_uuids_not_sequences(people: Any) -> None:
    first, second = people.user(Role.PARENT), people.user(Role.PARENT)
    assert first.id.version == 4 and second.id.version == 4
    assert abs(first.id.int - second.id.int) > 1


def test_timestamps_come_back_timezone_aware(people: Any, session: Any) -> None:
    user = people.user(Role.PARENT)
    session.expire_all()
    loaded = session.scalar(sa.select(User).where(User.id == user.id))
    assert loaded.created_dt.tzinfo is not None and loaded.created_dt.utcoffset().total_seconds() == 0


def test_request_references_are_short_and_unambiguous(session: Any) -> None:
    request = SupportRequest()
    session.add(request)
    session.flush()
    assert request.reference.startswith("PM-") and len(request.reference) == 12
    assert not set(request.reference[3:].replace("-", "")) & set("01IO")
