"""Nothing is kept longer than the retention period: finished requests, unsent drafts, volunteers who left and
unused accounts are erased, nothing younger is touched, nothing personal survives, and past months' counts stay."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from peermatch.models import (
    AuditAction,
    AuditEvent,
    MatchOutcome,
    RequestStatus,
    Role,
    SupportRequest,
    UnmatchedReason,
    User,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
)
from peermatch.reads import reports
from peermatch.services import matches, messages, offers, requests, retention
from support import personal_values_left

LONG_AGO = datetime(2025, 1, 13, 10, 0, tzinfo=timezone.utc)   # a Monday, over a year before NOW
RECENT = datetime(2026, 2, 2, 10, 0, tzinfo=timezone.utc)     # about five weeks before NOW
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Any:
    from volunteers.conftest import Volunteering

    return Volunteering(session, people)


def finished_with_a_match(volunteering: Any, people: Any, session: Any, when: datetime, name: str) -> SupportRequest:
    """A request supported to the end at ``when``: offer, introduction, a message each way, ended by the advocate."""
    user, profile = volunteering.advocate(name=f"Advocate{name}", email=f"advocate.{name.lower()}@example.org")
    request = volunteering.request(organisation=profile.organisation, name=f"Parent{name}",
                                   email=f"parent.{name.lower()}@example.net", phone="07700 900555")
    parent = session.get(User, request.parent_id)
    parent.created_dt = when
    with time_machine.travel(when, tick=False):
        match = volunteering.introduced(user, profile, request, now=when)
        from peermatch.models import MessageSender

        messages.send(session, match, parent, MessageSender.PARENT, f"Thank you {name}, my secret words", False, when)
        messages.send(session, match, user, MessageSender.ADVOCATE, "See you at the meeting", False, when)
        matches.end_support(session, match, user, when, outcome=MatchOutcome.SUPPORTED_THROUGH_MEETING,
                            outcome_note=f"Went well for Parent{name}", rating=5, comments="Lovely")
    session.flush()
    return request


def closed_unmatched(volunteering: Any, people: Any, when: datetime, name: str) -> SupportRequest:
    request = volunteering.request(name=f"Unmatched{name}", email=f"unmatched.{name.lower()}@example.net")
    organiser = people.user(Role.ORGANISER, request.organisation)
    volunteering.session.get(User, request.parent_id).created_dt = when
    with time_machine.travel(when, tick=False):
        requests.close_unmatched(volunteering.session, request, organiser, when, UnmatchedReason.NO_ADVOCATE_AVAILABLE)
    return request


def left(volunteering: Any, session: Any, when: datetime, name: str) -> VolunteerProfile:
    user, profile = volunteering.advocate(name=f"Leaver{name}", email=f"leaver.{name.lower()}@example.org")
    session.execute(sa.update(VolunteerProfile).where(VolunteerProfile.id == profile.id)
                    .values(status=VolunteerStatus.WITHDRAWN, updated_dt=when))
    session.add(VolunteerStatusChange(volunteer_id=profile.id, from_status=VolunteerStatus.APPROVED,
                                      to_status=VolunteerStatus.WITHDRAWN, changed_dt=when, changed_by_id=user.id))
    session.flush()
    return profile


def test_the_purge_erases_what_is_older_than_the_period_and_nothing_younger(
        app: Any, session: Any, people: Any, volunteering: Any) -> None:
    old_supported = finished_with_a_match(volunteering, people, session, LONG_AGO, "Oldham")
    old_unmatched = closed_unmatched(volunteering, people, LONG_AGO, "Olivia")
    young_supported = finished_with_a_match(volunteering, people, session, RECENT, "Youngs")
    still_open = volunteering.request(name="Openshaw", email="openshaw@example.net")
    old_leaver = left(volunteering, session, LONG_AGO, "Leighton")
    young_leaver = left(volunteering, session, RECENT, "Lyndon")
    idle_parent = people.user(Role.PARENT, name="Idlewild", email="idlewild@example.net")
    idle_parent.created_dt = LONG_AGO
    never_applied = people.user(Role.VOLUNTEER, people.organisation(), name="Neverapplied",
                                email="never.applied@example.org")
    never_applied.created_dt = LONG_AGO
    session.flush()
    every_month = reports.Scope(None, date(2024, 1, 1), date(2027, 12, 31))
    before = reports.monthly_counts(session, every_month)
    assert sum(before.values()) == 4  # two old requests, one young, one open
    table_before = reports.report(session, every_month, NOW, 365).table("requests-by-month").rows
    old_ids = {old_supported.id, old_unmatched.id}
    young_ids = {young_supported.id, still_open.id}
    old_leaver_id, young_leaver_id = old_leaver.id, young_leaver.id

    dry = retention.purge(session, NOW, 365, dry_run=True)
    assert (dry.requests, dry.drafts, dry.volunteers, dry.accounts) == (2, 0, 1, 4)  # two old parents, Idlewild
    # and a volunteer who registered and never applied
    assert session.get(SupportRequest, old_supported.id) is not None  # a dry run changes nothing
    old_supported_id = old_supported.id

    done = retention.purge(session, NOW, 365)
    assert done == dry
    kept = set(session.scalars(sa.select(SupportRequest.id)))
    assert old_ids & kept == set() and old_supported_id in old_ids
    assert young_ids <= kept
    assert session.get(VolunteerProfile, old_leaver_id) is None
    assert session.get(VolunteerProfile, young_leaver_id) is not None
    assert session.scalar(sa.select(User).where(User.email == "idlewild@example.net")) is None

    # Nothing personal of what went survives in any column of any table...
    gone = ["ParentOldham", "parent.oldham@example.net", "Thank you Oldham, my secret words", "Went well for ParentOldham",
            "UnmatchedOlivia", "unmatched.olivia@example.net", "LeaverLeighton", "leaver.leighton@example.org",
            "Idlewild", "idlewild@example.net", "Neverapplied", "never.applied@example.org"]
    assert personal_values_left(session, gone) == []
    # ...what is younger is all there...
    assert personal_values_left(session, ["ParentYoungs", "Thank you Youngs", "LeaverLyndon", "Openshaw"]) != []
    # ...and the counts of past months are the same as before.
    assert reports.monthly_counts(session, every_month) == before
    assert reports.report(session, every_month, NOW, 365).table("requests-by-month").rows == table_before

    # Recorded: when and how many, never who.
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.RETENTION_PURGE))
    assert event.details == {"retention_days": 365, "requests": 2, "drafts": 0, "volunteers": 1, "accounts": 4}
    assert retention.purge(session, NOW, 365) == retention.Purge(NOW - timedelta(days=365), 0, 0, 0, 0)  # once


def test_a_volunteer_who_left_stays_while_a_request_still_kept_holds_their_offer(
        session: Any, people: Any, volunteering: Any) -> None:
    user, profile = volunteering.advocate(name="Declan", email="declan@example.org")
    request = volunteering.request(organisation=profile.organisation)
    with time_machine.travel(LONG_AGO, tick=False):
        offer = volunteering.offer(profile, request, now=LONG_AGO)
        offers.decline(session, offer, user, "too_far", "", LONG_AGO)
    session.execute(sa.update(VolunteerProfile).where(VolunteerProfile.id == profile.id)
                    .values(status=VolunteerStatus.WITHDRAWN, updated_dt=LONG_AGO))
    session.flush()
    assert retention.purge(session, NOW, 365).volunteers == 0  # the open request still shows it was declined
    assert session.get(VolunteerProfile, profile.id) is not None


def test_unsent_drafts_untouched_for_the_period_are_erased(session: Any, people: Any) -> None:
    parent = people.user(Role.PARENT, name="Drafty")
    parent.last_sign_in_dt = RECENT
    draft = SupportRequest(parent_id=parent.id, status=RequestStatus.DRAFT, description="half told",
                           updated_dt=LONG_AGO, created_dt=LONG_AGO)
    session.add(draft)
    session.flush()
    draft_id = draft.id
    done = retention.purge(session, NOW, 365)
    assert (done.drafts, done.accounts) == (1, 0)  # the parent signed in recently: their account stays
    assert session.get(SupportRequest, draft_id) is None


def test_the_admin_sets_the_period_and_sees_the_last_purges(app: Any, session: Any, sign_in_as: Any) -> None:
    admin, admin_user = sign_in_as(Role.ADMIN)
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert 'value="365"' in page and "No purge has run yet" in page
    refused = admin.submit("/admin/retention", {"days": "7"})
    assert "The retention period must be between 30 and 3650 days" in refused.get_data(as_text=True)
    saved = admin.submit("/admin/retention", {"days": "730"})
    assert saved.status_code == 302
    assert retention.retention_days(session, app.config) == 730
    with time_machine.travel(NOW, tick=False):
        retention.purge_now(session, app.config, NOW)
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert 'value="730"' in page and "No purge has run yet" not in page
    assert "730" in page and "Last purges" in page


def test_peermatch_purge_dry_run_says_what_would_go_and_changes_nothing(app: Any, session: Any, people: Any,
                                                                        volunteering: Any) -> None:
    closed_unmatched(volunteering, people, LONG_AGO, "Dryden")
    runner = app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        said = runner.invoke(args=["purge", "--dry-run"])
    assert said.exit_code == 0, said.output
    assert "Would erase, finished before 10 March 2025: 1 requests" in said.output
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.RETENTION_PURGE)) == 0
