"""A parent, an organiser and an advocate take one request to an introduced match and its end, through the pages.

Nothing here calls the services: every step is what a person does in their browser
(the people and the organisation exist beforehand, as the admin and vetting would leave them).
"""

from __future__ import annotations

import re
from typing import Any

from parents.journey import answer_everything
from organisers.conftest import fitting_advocate
from peermatch.models import Role
from support import error_messages


def links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def test_a_request_goes_from_the_parent_to_an_introduced_match_and_its_outcome_through_the_pages(
        sign_in_as: Any, people: Any, organiser: Any, furness: Any, volunteering: Any) -> None:
    staff, _ = organiser
    advocate_user, profile = fitting_advocate(volunteering, furness, name="Robin")
    advocate, _ = sign_in_as(Role.VOLUNTEER, advocate_user)
    parent, _ = sign_in_as(Role.PARENT)

    # The parent asks for support.
    answer_everything(parent)
    assert parent.submit("/ask/check-answers", {}).headers["Location"] == "/ask/sent"
    sent = parent.get("/ask/sent").get_data(as_text=True)
    reference = re.search(r"PM-[A-Z0-9]{4}-[A-Z0-9]{4}", sent).group(0)

    # The organiser sees it at the top of the triage list and opens it: it is open now.
    home = staff.get("/organiser/").get_data(as_text=True)
    assert "1</span> request needs an advocate" in home
    triage = staff.get("/organiser/requests").get_data(as_text=True)
    assert triage.index(f"Request {reference}") < triage.index("Now")
    [request_page] = links(triage, r"/organiser/requests/[0-9a-f-]{36}")[:1]
    page = staff.get(request_page).get_data(as_text=True)
    assert "Jolene" in page and "Do not leave a voicemail" in page and "Weekdays after 6pm" in page
    assert "Open" in page and "Find an advocate" in page

    # Ranked advocates with the reasons; the organiser sends the offer to the best one.
    candidates_url = request_page + "/candidates"
    candidates = staff.get(candidates_url).get_data(as_text=True)
    assert "1. Robin" in candidates and "Why Robin scores" in candidates and "Lived experience" in candidates
    sending = staff.submit(request_page + "/offers", {"volunteer_id": str(profile.id)}, form_url=candidates_url)
    assert sending.headers["Location"] == request_page, sending.get_data(as_text=True)[:2000]
    assert "Offer sent to Robin" in staff.get(request_page).get_data(as_text=True)

    # The advocate sees an anonymised offer and accepts; the parent is not named yet.
    offers = advocate.get("/volunteer/offers").get_data(as_text=True)
    [offer_url] = links(offers, r"/volunteer/offers/[0-9a-f-]{36}")[:1]
    assert "Jolene" not in advocate.get(offer_url).get_data(as_text=True)
    accepted = advocate.submit(offer_url + "/accept", {}, form_url=offer_url)
    match_url = accepted.headers["Location"]
    assert "An organiser will introduce you" in advocate.get(match_url).get_data(as_text=True)
    assert "Robin" not in parent.get("/your-requests/").get_data(as_text=True)

    # The organiser introduces them, after seeing what each side will see.
    waiting = staff.get("/organiser/offers").get_data(as_text=True)
    [introduce_url] = links(waiting, r"/organiser/matches/[0-9a-f-]{36}/introduce")
    preview = staff.get(introduce_url).get_data(as_text=True)
    assert "The parent will see" in preview and "Jolene" in preview
    assert staff.submit(introduce_url, {}).status_code == 302

    # The parent sees the advocate's first name; the advocate sees how to get in touch.
    requests_home = parent.get("/your-requests/").get_data(as_text=True)
    [parent_request] = links(requests_home, r"/your-requests/[0-9a-f-]{36}")[:1]
    assert "Your advocate is <strong>Robin</strong>" in parent.get(parent_request).get_data(as_text=True)
    match_page = advocate.get(match_url).get_data(as_text=True)
    assert "Jolene" in match_page and "safe.jolene@example.org" in match_page

    # The advocate logs a contact and ends the support; the parent leaves feedback.
    from peermatch import clock

    today = clock.today()
    logged = advocate.submit(match_url + "/contacts/new", {
        "occurred_on": [str(today.day), str(today.month), str(today.year)], "mode": "phone", "minutes": "45",
        "note": "Prepared for the conference"})
    assert logged.headers["Location"] == match_url, error_messages(logged)
    ended = advocate.submit(match_url + "/end", {"outcome": "supported_through_meeting", "rating": "5",
                                                  "comments": "Good support"})
    assert ended.status_code == 302, error_messages(ended)
    feedback = parent.submit(parent_request + "/feedback", {"rating": "5", "comments": "She listened"})
    assert feedback.status_code == 302, error_messages(feedback)

    # The organiser sees the outcome and both sides' feedback.
    matches = staff.get("/organiser/requests/" + request_page.rsplit("/", 1)[1]).get_data(as_text=True)
    [organiser_match] = links(matches, r"/organiser/matches/[0-9a-f-]{36}")
    record = staff.get(organiser_match).get_data(as_text=True)
    assert "The parent was supported through the meeting or process" in record
    assert "5 out of 5: “Good support”" in record and "5 out of 5: “She listened”" in record
    assert "45 minutes" in record
