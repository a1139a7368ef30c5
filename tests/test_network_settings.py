"""The network admin's settings: organisations and what they cover, organisers, and the issue-type list."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from support import error_messages
from peermatch import clock
from peermatch.errors import DomainError
from peermatch.models import Area, AuditAction, AuditEvent, Organisation, Role
from peermatch.services.reference_data import area_for_outcode, ensure_area, outcode_coverage


def events(session: Any, action: AuditAction, subject_id: Any) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.subject_id == str(subject_id))))


def organisation_named(session: Any, name: str) -> Organisation:
    return session.scalar(sa.select(Organisation).where(Organisation.name == name))


# -- organisations and the areas they cover -------------------------------------------------------------

def test_no_area_is_covered_by_two_organisations(sign_in_as: Any, people: Any, session: Any) -> None:
    cumbria = people.organisation("Cumbria Parents Together", county="Cumbria")
    other = people.organisation("Lancashire Parents Together", county="Lancashire")
    admin, _ = sign_in_as(Role.ADMIN)
    form = admin.get(f"/admin/organisations/{other.id}/areas/new").get_data(as_text=True)
    assert "Cumbria (covered by Cumbria Parents Together)" in form
    response = admin.submit(f"/admin/organisations/{other.id}/areas/new", {"area": "Cumbria"})
    assert error_messages(response) == ["Cumbria is already covered by Cumbria Parents Together. "
                                        "Remove it there first"]
    session.expire_all()
    assert area_for_outcode(session, "LA14").organisation_id == cumbria.id


def test_removing_an_area_asks_first_and_then_its_parents_reach_nobody(sign_in_as: Any, people: Any,
                                                                       session: Any) -> None:
    organisation = people.organisation("Cumbria Parents Together", county="Cumbria")
    area = ensure_area(session, "Cumbria")
    admin, _ = sign_in_as(Role.ADMIN)
    address = f"/admin/organisations/{organisation.id}/areas/{area.id}/remove"
    page = admin.get(address).get_data(as_text=True)
    assert "Remove this council area?" in page and "govuk-button--warning" in page
    assert admin.submit(address).headers["Location"] == f"/admin/organisations/{organisation.id}"
    session.expire_all()
    assert area_for_outcode(session, "LA14").organisation_id is None
    assert admin.get(address).status_code == 404  # no longer theirs to remove
    # Then another organisation can take it.
    other = people.organisation("Another Group", county="")
    assert admin.submit(f"/admin/organisations/{other.id}/areas/new", {"area": "Cumbria"}).status_code == 302
    session.expire_all()
    assert area_for_outcode(session, "LA14").organisation_id == other.id


def test_an_outward_code_is_given_on_its_own_never_twice(sign_in_as: Any, people: Any, session: Any) -> None:
    devon = people.organisation("Devon Group", county="Devon")
    cornwall = people.organisation("Cornwall Group", county="Cornwall")
    admin, _ = sign_in_as(Role.ADMIN)
    address = f"/admin/organisations/{devon.id}/outcodes"
    # TA1 is Somerset's, which nobody covers; EX2 is Devon's own; TR1 is Cornwall's.
    refused = admin.submit(address, {"outcodes": "ta1, EX2 TR1 ZZ9"})
    assert error_messages(refused) == ["We do not recognise ZZ9. Enter outward codes like EX1 or LA14"]
    refused = admin.submit(address, {"outcodes": "ta1 EX2 TR1"})
    assert error_messages(refused) == [
        "EX2 is already covered through Devon. TR1 is already covered by Cornwall Group"]
    assert admin.submit(address, {"outcodes": "ta1"}).status_code == 302
    session.expire_all()
    assert area_for_outcode(session, "TA1").organisation_id == devon.id
    assert "TA1" in admin.get(address).get_data(as_text=True)
    row = next(r for r in _coverage(session) if r.organisation.id == devon.id)
    assert row.given == ["TA1"] and row.outcodes == len(ensure_area(session, "Devon").outcodes)
    # Somerset covered later by another group: TA1 stays Devon's, covered once.
    somerset = people.organisation("Somerset Group", county="Somerset")
    session.expire_all()
    assert area_for_outcode(session, "TA1").organisation_id == devon.id
    assert outcode_coverage(session)["TA1"] == devon.id and outcode_coverage(session)["TA2"] == somerset.id
    # Taken out again, it goes back to Somerset's area.
    assert admin.submit(address, {"outcodes": ""}).status_code == 302
    session.expire_all()
    assert area_for_outcode(session, "TA1").organisation_id == somerset.id
    [changed, _] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.OUTCODES_CHANGED,
                                                               AuditEvent.organisation_id == devon.id)
                                   .order_by(AuditEvent.occurred_dt)).all()
    assert changed.details == {"added": ["TA1"], "removed": []}
    assert cornwall.id != devon.id


def _coverage(session: Any) -> Any:
    from peermatch.reads.admin import coverage

    return coverage(session)


def test_the_coverage_table_agrees_with_where_a_postcode_goes(people: Any, session: Any) -> None:
    people.organisation("Devon Group", county="Devon")
    people.organisation("London Group", county="Greater London")
    covered = outcode_coverage(session)
    from peermatch.geo import outcode_table

    for code in random.Random(14).sample(sorted(outcode_table()), 150) + ["EX1", "SW1A", "EC2M", "LA14"]:
        area = area_for_outcode(session, code)
        assert covered.get(code) == (area.organisation_id if area is not None else None), code


def test_editing_an_organisation_keeps_names_unique_and_is_audited(sign_in_as: Any, people: Any,
                                                                   session: Any) -> None:
    first = people.organisation("First Group", county="")
    people.organisation("Second Group", county="")
    admin, _ = sign_in_as(Role.ADMIN)
    address = f"/admin/organisations/{first.id}"
    assert 'value="First Group"' in admin.get(address).get_data(as_text=True)
    clash = admin.submit(address, {"name": "second group", "contact_email": ""})
    assert error_messages(clash) == ["There is already a member organisation called Second Group"]
    assert admin.submit(address, {"name": "First Parents Group", "contact_email": "a@example.org"}).status_code == 302
    session.expire_all()
    assert (first.name, first.contact_email) == ("First Parents Group", "a@example.org")
    [changed] = events(session, AuditAction.ORGANISATION_CHANGED, first.id)
    assert changed.details == {"changed": ["name", "contact_email"]}


def test_settings_need_a_recent_sign_in(sign_in_as: Any, people: Any, session: Any) -> None:
    organisation = people.organisation("First Group", county="")
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        admin, _ = sign_in_as(Role.ADMIN)
        token = admin.csrf_token("/admin/organisations/new")
        traveller.move_to(start + timedelta(minutes=16))
        response = admin.post(f"/admin/organisations/{organisation.id}/areas/new",
                              data={"csrf_token": token, "area": "Devon"})
        assert response.headers["Location"] == (
            f"/confirm-it-is-you?next=/admin/organisations/{organisation.id}/areas/new")
    session.expire_all()
    assert session.scalar(sa.select(Area).where(Area.organisation_id == organisation.id)) is None


# -- organisers ------------------------------------------------------------------------------------

def test_a_deactivated_organiser_is_signed_out_at_once_and_cannot_sign_in(sign_in_as: Any, people: Any,
                                                                            session: Any, client: Any) -> None:
    from support import TEST_PASSWORD

    organiser_browser, organiser = sign_in_as(Role.ORGANISER)
    admin, admin_user = sign_in_as(Role.ADMIN)
    assert "Organiser account" in admin.get(f"/admin/organisers/{organiser.id}").get_data(as_text=True)
    address = f"/admin/organisers/{organiser.id}/deactivate"
    page = admin.get(address).get_data(as_text=True)
    assert "Deactivate this account?" in page and "govuk-button--warning" in page
    assert admin.submit(address).headers["Location"] == "/admin/organisers"
    assert organiser_browser.get("/organiser/").status_code == 302  # signed out everywhere
    refused = client.submit("/sign-in", {"email": organiser.email, "password": TEST_PASSWORD})
    assert "This account has been closed" in refused.get_data(as_text=True)
    assert "Deactivated" in admin.get("/admin/organisers").get_data(as_text=True)
    [event] = events(session, AuditAction.ORGANISER_DEACTIVATED, organiser.id)
    assert event.actor_id == admin_user.id and event.organisation_id == organiser.organisation_id
    assert "This account is already deactivated" in admin.get(address).get_data(as_text=True)
    again = admin.post(address, data={"csrf_token": admin.csrf_token("/admin/organisers")})
    assert again.headers["Location"] == f"/admin/organisers/{organiser.id}"
    assert len(events(session, AuditAction.ORGANISER_DEACTIVATED, organiser.id)) == 1


def test_a_reinvited_organiser_gets_a_new_link_that_brings_them_back(sign_in_as: Any, people: Any, session: Any,
                                                                     inbox: Any, client: Any) -> None:
    organiser_browser, organiser = sign_in_as(Role.ORGANISER)
    organiser.active = False
    session.flush()
    admin, _ = sign_in_as(Role.ADMIN)
    address = f"/admin/organisers/{organiser.id}/reinvite"
    assert "Their account becomes active again" in admin.get(address).get_data(as_text=True)
    assert admin.submit(address).headers["Location"] == "/admin/organisers"
    [message] = inbox.messages
    assert message["To"] == organiser.email
    link = re.search(r"http://localhost(/set-password/\S+)", message.get_content()).group(1)
    session.expire_all()
    assert organiser.active
    assert organiser_browser.get("/organiser/").status_code == 302
    done = client.submit(link, {"password": "a brand new password", "confirm_password": "a brand new password"})
    assert done.headers["Location"] == "/sign-in"
    assert len(events(session, AuditAction.ORGANISER_REINVITED, organiser.id)) == 1


def test_a_moved_organiser_is_signed_out_and_then_sees_the_new_organisation(sign_in_as: Any, people: Any,
                                                                            session: Any) -> None:
    first = people.organisation("First Group", county="")
    second = people.organisation("Second Group", county="")
    organiser = people.user(Role.ORGANISER, organisation=first)
    organiser_browser, _ = sign_in_as(Role.ORGANISER, organiser)
    admin, _ = sign_in_as(Role.ADMIN)
    address = f"/admin/organisers/{organiser.id}"
    assert error_messages(admin.submit(address, {"organisation": ""})) == [
        "Choose the organisation they now work for"]
    assert admin.submit(address, {"organisation": str(second.id)}).headers["Location"] == "/admin/organisers"
    session.expire_all()
    assert organiser.organisation_id == second.id
    assert organiser_browser.get("/organiser/").status_code == 302
    browser, _ = sign_in_as(Role.ORGANISER, organiser)
    assert "Second Group" in browser.get("/organiser/").get_data(as_text=True)
    [event] = events(session, AuditAction.ORGANISER_MOVED, organiser.id)
    assert event.details == {"moved_from": str(first.id), "moved_to": str(second.id)}


def test_only_organisers_are_managed_here(sign_in_as: Any, people: Any) -> None:
    admin, admin_user = sign_in_as(Role.ADMIN)
    parent = people.user(Role.PARENT)
    for user in (admin_user, parent):
        assert admin.get(f"/admin/organisers/{user.id}/deactivate").status_code == 404
        assert admin.get(f"/admin/organisers/{user.id}").status_code == 404


# -- the issue-type list ----------------------------------------------------------------------------

def test_an_issue_type_is_added_renamed_and_retired_but_stays_on_old_requests(
        sign_in_as: Any, people: Any, session: Any) -> None:
    from peermatch.models import IssueType
    from peermatch.reads.volunteers import issue_types_to_choose
    from peermatch.services import drafts

    admin, admin_user = sign_in_as(Role.ADMIN)
    assert error_messages(admin.submit("/admin/issue-types", {"name": " ", "description": ""})) == [
        "Enter the issue type's name"]
    seeded = session.scalars(sa.select(IssueType).where(IssueType.active).order_by(IssueType.position)).first()
    clash = admin.submit("/admin/issue-types", {"name": seeded.name.upper(), "description": ""})
    assert error_messages(clash) == [f"There is already an issue type called {seeded.name}"]
    added = admin.submit("/admin/issue-types", {"name": "Immigration status", "description": "Visas and asylum"})
    assert added.headers["Location"] == "/admin/issue-types"
    new = session.scalar(sa.select(IssueType).where(IssueType.name == "Immigration status"))
    assert new.code == "immigration_status" and new.active
    assert new in drafts.active_issue_types(session) and drafts.active_issue_types(session)[-1] == new
    assert new in issue_types_to_choose(session)

    # A parent's request names it; then it is renamed and retired.
    parent = people.user(Role.PARENT)
    from peermatch.models import SupportRequest

    request = SupportRequest(parent_id=parent.id, status="open", issue_types=[new], main_issue_id=new.id)
    session.add(request)
    session.flush()
    page = admin.get("/admin/issue-types").get_data(as_text=True)
    assert "Immigration status" in page
    renamed = admin.submit(f"/admin/issue-types/{new.id}", {"name": "Immigration and asylum", "description": ""})
    assert renamed.headers["Location"] == "/admin/issue-types"
    retire = f"/admin/issue-types/{new.id}/retire"
    page = admin.get(retire).get_data(as_text=True)
    assert "Retire this issue type?" in page and "govuk-button--warning" in page
    assert admin.submit(retire).headers["Location"] == "/admin/issue-types"
    session.expire_all()
    assert not new.active and new.name == "Immigration and asylum"
    assert new not in drafts.active_issue_types(session) and new not in issue_types_to_choose(session)
    assert session.get(SupportRequest, request.id).issue_types == [new]  # still on the old request
    assert "Retired" in admin.get("/admin/issue-types").get_data(as_text=True)
    with pytest.raises(DomainError, match="Select what is happening"):
        drafts.save_issue_types(session, request, [new.code])
    for action, details in ((AuditAction.ISSUE_TYPE_ADDED, {"code": "immigration_status"}),
                            (AuditAction.ISSUE_TYPE_RENAMED, {"code": "immigration_status",
                                                              "changed": ["name", "description"]}),
                            (AuditAction.ISSUE_TYPE_RETIRED, {"code": "immigration_status"})):
        [event] = events(session, action, new.id)
        assert event.actor_id == admin_user.id and event.details == details


def test_the_last_issue_type_offered_cannot_be_retired(sign_in_as: Any, session: Any) -> None:
    from peermatch.models import IssueType

    admin, _ = sign_in_as(Role.ADMIN)
    *others, last = session.scalars(sa.select(IssueType).where(IssueType.active)).all()
    for issue_type in others:
        issue_type.active = False
    session.flush()
    response = admin.submit(f"/admin/issue-types/{last.id}/retire", follow_redirects=True)
    assert "This is the only issue type offered to parents" in response.get_data(as_text=True)
    session.expire_all()
    assert last.active

