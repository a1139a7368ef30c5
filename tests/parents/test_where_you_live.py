"""Where the parent lives: every code of a covered area reaches its group, and an uncovered postcode is never a
dead end."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from journey import answers
from support import error_messages
from peermatch.errors import DomainError
from peermatch.models import AuditAction, AuditEvent, Organisation, Role, SupportRequest, VolunteerProfile
from peermatch.services import drafts


def answer_until_where(browser: Any) -> None:
    for slug, data in answers():
        if slug == "where":
            return
        assert browser.submit(f"/ask/{slug}", data).status_code == 302, slug


def network_wide_advocate(session: Any, people: Any, organisation: Any, **details: Any) -> VolunteerProfile:
    user = people.user(Role.VOLUNTEER, organisation=organisation, name="Remy")
    volunteer = VolunteerProfile(user_id=user.id, organisation_id=organisation.id, status="approved",
                                 home_outcode="LA14", network_wide=True, offers_phone=True, **details)
    session.add(volunteer)
    session.flush()
    return volunteer


def test_central_london_reaches_the_group_covering_greater_london(sign_in_as: Any, people: Any,
                                                                  session: Any) -> None:
    london = people.organisation("London Parents Together", county="Greater London")
    browser, user = sign_in_as(Role.PARENT)
    answer_until_where(browser)
    response = browser.submit("/ask/where", {"postcode": "SW1A 1AA"})
    assert response.headers["Location"] == "/ask/how", error_messages(response)
    session.expire_all()
    assert drafts.existing_draft(session, user).organisation_id == london.id


def test_an_uncovered_postcode_with_no_remote_advocates_says_plainly_what_else_to_do(parent: Any,
                                                                                   session: Any) -> None:
    browser, user = parent
    answer_until_where(browser)
    response = browser.submit("/ask/where", {"postcode": "LS1 4DY"})
    assert response.headers["Location"] == "/ask/no-group-nearby"  # not a red error
    page = browser.get("/ask/no-group-nearby")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "govuk-error" not in html
    assert "There is no parent group near you yet" in html and "LS1" in html
    assert "Family Rights Group" in html and "0808 801 0366" in html
    assert "Ask for support by phone or video call" not in html  # nobody to offer
    assert 'href="/ask/where"' in html  # and the postcode can be changed
    session_draft = drafts.existing_draft(session, user)
    with pytest.raises(DomainError, match="There is nobody who can support you by phone or video call"):
        drafts.choose_network_wide_support(session, session_draft)


def test_an_uncovered_parent_can_ask_for_phone_or_video_support_from_the_nearest_group_with_remote_advocates(
        parent: Any, people: Any, session: Any, cumbria: Any) -> None:
    browser, user = parent
    kent = people.organisation("Kent Parents", county="Kent")
    network_wide_advocate(session, people, cumbria)
    network_wide_advocate(session, people, kent, offers_video=True)
    people.organisation("Leeds Parents, nobody remote", county="")  # no area, no advocates: never chosen
    answer_until_where(browser)
    browser.submit("/ask/where", {"postcode": "LS1 4DY"})  # Leeds: Cumbria is nearer than Kent
    html = browser.get("/ask/no-group-nearby").get_data(as_text=True)
    assert "Support by phone or video call" in html and "Furness Parents Together will look for an advocate" in html
    chosen = browser.submit("/ask/no-group-nearby", {})
    assert chosen.headers["Location"] == "/ask/how"
    how = browser.get("/ask/how").get_data(as_text=True)
    assert "By phone" in how and 'value="in_person"' not in how
    assert browser.submit("/ask/how", {"support_modes": ["in_person"]}).status_code == 200  # refused
    for slug, data in answers():
        if slug in ("what-is-happening", "what-matters-most", "meeting", "meeting-date", "where"):
            continue
        if slug == "how":
            data = {"support_modes": ["phone"]}
        assert browser.submit(f"/ask/{slug}", data).status_code == 302, slug
    assert browser.submit("/ask/check-answers", {}).headers["Location"] == "/ask/sent"
    session.expire_all()
    request = session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()
    assert request.organisation_id == cumbria.id and request.outcode == "LS1"
    assert not request.accepts_in_person and request.accepts_phone


def test_an_organisation_added_for_devon_through_the_admin_pages_is_reached_by_a_parent_in_ex1(
        sign_in_as: Any, session: Any) -> None:
    admin, admin_user = sign_in_as(Role.ADMIN)
    added = admin.submit("/admin/organisations/new", {"name": "Devon Parents Together",
                                                      "contact_email": "Hello@DevonParents.example.org"})
    devon = session.scalar(sa.select(Organisation).where(Organisation.name == "Devon Parents Together"))
    assert added.headers["Location"] == f"/admin/organisations/{devon.id}/areas/new"
    assert devon.contact_email == "hello@devonparents.example.org"
    area = admin.submit(f"/admin/organisations/{devon.id}/areas/new", {"area": "Devon"})
    assert area.headers["Location"] == f"/admin/organisations/{devon.id}", error_messages(area)
    page = admin.get("/admin/organisations").get_data(as_text=True)
    assert re.search(r"Devon Parents Together</a>\s*</td>\s*<td[^>]*>\s*Devon\s*</td>", page), page

    parent, user = sign_in_as(Role.PARENT)
    answer_until_where(parent)
    response = parent.submit("/ask/where", {"postcode": "EX1 1AA"})
    assert response.headers["Location"] == "/ask/how", error_messages(response)
    session.expire_all()
    assert drafts.existing_draft(session, user).organisation_id == devon.id

    assert session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.ORGANISATION_ADDED, AuditEvent.subject_id == str(devon.id))).actor_id == admin_user.id
    [added_area] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.AREA_ADDED,
                                                               AuditEvent.organisation_id == devon.id)).all()
    assert added_area.details == {"area": "Devon"}
