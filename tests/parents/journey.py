"""The answers a parent gives in the happy path, and a helper to give them all."""

from __future__ import annotations

from typing import Any

ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("what-is-happening", {"issue_types": ["child_protection_conference", "domestic_abuse"]}),
    ("what-matters-most", {"main_issue": "domestic_abuse"}),
    ("meeting", {"meeting_type": "child_protection_conference"}),
    ("meeting-date", {"meeting_date": None, "meeting_part": "1"}),  # date filled in by `answers()`
    ("where", {"postcode": "la14 2ab"}),
    ("how", {"support_modes": ["phone", "in_person"]}),
    ("language", {"languages": ["en", "pl"], "interpreter_ok": "yes"}),
    ("advocate", {"advocate_gender": "woman"}),
    ("when-free", {"availability": ["0-0", "3-2"]}),
    ("contact", {"name_to_ask_for": "Jolene", "channels": ["text", "email"], "phone": "07700 900982",
                 "email": "safe.jolene@example.org", "voicemail_ok": "no", "safe_times": "Weekdays after 6pm"}),
    ("message-times", {"message_times": ["0-2", "1-2", "2-2", "3-2", "4-2"]}),  # weekday evenings
    ("consent", {"consent": "y"}),
]


def answers(meeting_in_days: int = 6) -> list[tuple[str, dict[str, Any]]]:
    from datetime import timedelta

    from peermatch import clock

    meeting = clock.today() + timedelta(days=meeting_in_days)
    filled = []
    for slug, data in ANSWERS:
        if slug == "meeting-date":
            data = {**data, "meeting_date": [str(meeting.day), str(meeting.month), str(meeting.year)]}
        filled.append((slug, data))
    return filled


def answer_everything(browser: Any, skip: tuple[str, ...] = ()) -> None:
    for slug, data in answers():
        if slug in skip or (slug == "message-times" and "contact" in skip):  # it follows from the contact answers
            continue
        response = browser.submit(f"/ask/{slug}", data)
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:3000])


def introduce_advocate(session: Any, request: Any, people: Any, name: str = "Morgan") -> Any:
    """An advocate accepted this request and was introduced, through the life-cycle functions organisers and
    advocates use (their own pages are tested elsewhere)."""
    from peermatch import clock
    from peermatch.models import Role, VolunteerProfile
    from peermatch.services import matches, offers

    organisation = request.organisation
    user = people.user(Role.VOLUNTEER, organisation=organisation, name=name)
    volunteer = VolunteerProfile(user_id=user.id, organisation_id=organisation.id, status="approved",
                                 home_outcode="LA14", capacity=2)
    session.add(volunteer)
    session.flush()
    organiser = people.user(Role.ORGANISER, organisation=organisation)
    now = clock.now()
    offer = offers.propose(session, request, volunteer, organiser, now, score=0.8)
    offers.approve(session, offer, organiser, now)
    offers.send(session, offer, organiser, now)
    match = offers.accept(session, offer, user, now)
    return matches.introduce(session, match, organiser, now)
