"""The question pages read as a new parent on a phone would meet them: a count that stays put, contact
questions that appear only when they matter, check answers grouped as asked, question 1 in short groups."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from journey import answer_everything, answers
from support import error_messages
from peermatch import clock
from peermatch.services import drafts


def question_caption(html: str) -> tuple[int, int]:
    found = re.search(r"Question (\d+) of (\d+)", html)
    assert found, html[:2000]
    return int(found.group(1)), int(found.group(2))


def test_the_question_count_never_grows_as_the_parent_answers(parent: Any) -> None:
    browser, _ = parent
    seen = []
    for slug, data in answers():
        seen.append((slug, *question_caption(browser.get(f"/ask/{slug}").get_data(as_text=True))))
        browser.submit(f"/ask/{slug}", data)
    totals = {total for _, _, total in seen}
    assert len(totals) == 1, seen  # today: "1 of 9", "2 of 10", "4 of 11", "6 of 12"
    numbers = [number for _, number, _ in seen]
    assert numbers == sorted(numbers) and numbers[0] == 1 and numbers[-1] == totals.pop(), seen
    # A follow-up page carries the number of the question it follows.
    by_slug = {slug: number for slug, number, _ in seen}
    assert by_slug["meeting-date"] == by_slug["meeting"]
    assert by_slug["what-matters-most"] == by_slug["what-is-happening"]
    assert by_slug["message-times"] == by_slug["contact"]
    # Going back to the council area instead of the postcode does not move the count either.
    assert question_caption(browser.get("/ask/council-area").get_data(as_text=True))[0] == by_slug["where"]


def conditional_of(html: str, value: str) -> str:
    """The HTML revealed under one checkbox of the contact question (GOV.UK's conditional reveal)."""
    checkbox = re.search(rf'<input[^>]*name="channels"[^>]*value="{value}"[^>]*data-aria-controls="([^"]+)"', html)
    assert checkbox, f"the {value} checkbox reveals nothing"
    found = re.search(rf'<div class="govuk-checkboxes__conditional[^"]*" id="{checkbox.group(1)}">(.*?)</div>\s*'
                      r'(?:<div class="govuk-checkboxes__item|</div>\s*</fieldset>)', html, re.S)
    assert found, checkbox.group(1)
    return found.group(1)


def test_phone_and_email_boxes_sit_under_their_way_and_voicemail_is_asked_only_for_calls(parent: Any,
                                                                                        session: Any) -> None:
    browser, user = parent
    answer_everything(browser, skip=("contact", "message-times", "consent"))
    html = browser.get("/ask/contact").get_data(as_text=True)
    calls, texts, email = (conditional_of(html, value) for value in ("phone", "text", "email"))
    assert 'name="phone"' in calls and 'name="voicemail_ok"' in calls
    assert 'name="text_phone"' in texts and 'name="voicemail_ok"' not in texts
    assert 'name="email"' in email and 'name="phone"' not in email
    # Outside the reveals, only the name and the safe times are asked.
    assert html.count('name="voicemail_ok"') == 2 and html.count('name="email"') == 1

    # Email only: no voicemail question to answer.
    only_email = browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["email"],
                                                 "email": "jo@example.org", "safe_times": "Mornings"})
    assert only_email.status_code == 302, error_messages(only_email)
    # Calls: every missing answer at once, each by its box.
    calls_missing = browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["phone", "email"],
                                                    "safe_times": "Mornings"})
    assert error_messages(calls_missing) == ["Enter the phone number it is safe to use",
                                             "Select if it is OK to leave a voicemail",
                                             "Enter the email address it is safe to use"]
    # Texts: the number typed under texts is kept; two different numbers for calls and texts are refused.
    texts_only = browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["text"],
                                                 "text_phone": "07700 900111", "safe_times": "Mornings"})
    assert texts_only.status_code == 302
    session.expire_all()
    contact = drafts.existing_draft(session, user).safe_contact
    assert contact.phone == "07700 900111" and contact.text_ok and not contact.phone_ok and not contact.voicemail_ok
    clash = browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["phone", "text"],
                                            "phone": "07700 900111", "voicemail_ok": "no",
                                            "text_phone": "07700 900222", "safe_times": "Mornings"})
    assert error_messages(clash) == ["Enter the same number for calls and texts. We can only keep one number"]


def summary_sections(html: str) -> dict[str, list[tuple[str, bool]]]:
    """Each heading of a page of summary lists, with its rows' keys and whether each has a Change link."""
    sections: dict[str, list[tuple[str, bool]]] = {}
    for heading, body in re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>\s*(<dl.*?</dl>)', html, re.S):
        rows = re.findall(r'<div class="govuk-summary-list__row[^"]*">(.*?)</div>\s*(?=<div class="govuk-summary-list__row|$)',
                          body + "\n", re.S)
        sections[heading.strip()] = [
            (re.search(r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>', row, re.S).group(1),
             ">Change<" in row or "Change<span" in row) for row in rows]
    return sections


def test_check_answers_groups_each_answer_under_what_it_is_about_and_every_row_can_be_changed(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser)
    answered_calls = browser.submit("/ask/contact", {
        "name_to_ask_for": "Jolene", "channels": ["phone", "text", "email"], "phone": "07700 900982",
        "voicemail_ok": "no", "email": "safe.jolene@example.org", "safe_times": "Weekdays after 6pm"})
    assert answered_calls.status_code == 302
    html = browser.get("/ask/check-answers").get_data(as_text=True)
    sections = summary_sections(html)
    keys = {heading: [key for key, _ in rows] for heading, rows in sections.items()}
    # Where, how and languages are about the support the parent wants, not "Your advocate".
    advocate_heading = [h for h, rows in keys.items() if "Where you live" in rows]
    assert advocate_heading and advocate_heading[0] != "Your advocate"
    assert {"How support could happen", "Languages you speak"} <= set(keys[advocate_heading[0]])
    # "What is happening" is a row, not also its section's heading.
    assert "What is happening" not in keys and any("What is happening" in rows for rows in keys.values())
    # Phone, email, voicemail and safe times each have a Change link, as does every other row.
    contact = dict(sections["Contacting you safely"])
    for key in ("Phone number", "Email address", "Voicemail", "When it is safe to contact you"):
        assert contact.get(key) is True, (key, contact)
    assert all(has_link for rows in sections.values() for _, has_link in rows), sections
    meeting = clock.today() + timedelta(days=6)  # as journey.answers() gives it
    assert f"{meeting:%A} {meeting.day} {meeting:%B %Y}, in the afternoon" in html  # its day and part of day


def test_question_one_is_in_short_groups_under_one_question(parent: Any) -> None:
    browser, _ = parent
    html = browser.get("/ask/what-is-happening").get_data(as_text=True)
    assert html.count("<h1") == 1 and "What is happening?" in html
    groups = re.findall(r'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">\s*(.*?)\s*</legend>'
                        r'(.*?)</fieldset>', html, re.S)
    assert [heading for heading, _ in groups] == [
        "Meetings and children&#39;s services", "A child in care or living away from you",
        "Other things affecting your family"]
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # each label names its own box
    sizes = [body.count('name="issue_types"') for _, body in groups]
    assert sum(sizes) == 20 and max(sizes) <= 8, sizes
    hints = re.findall(r'class="govuk-hint govuk-checkboxes__hint">\s*(.*?)\s*</div>', html, re.S)
    assert hints and max(len(hint.split()) for hint in hints) <= 10, hints  # hints kept short
    # The error links to the first box, and an answer given before stays ticked.
    error = browser.submit("/ask/what-is-happening", {})
    assert 'href="#issue_types"' in error.get_data(as_text=True) and 'id="issue_types"' in error.get_data(as_text=True)
    browser.submit("/ask/what-is-happening", {"issue_types": ["housing"]})
    assert re.search(r'value="housing"\s+checked', browser.get("/ask/what-is-happening").get_data(as_text=True))
