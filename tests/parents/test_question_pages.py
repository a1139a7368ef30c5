"""The question pages read as a new parent on a phone would meet them: a count that stays put, contact
questions that appear only when they matter, check answers grouped as asked, question 1 in short groups."""

from __future__ import annotations

import re
from typing import Any

from journey import answer_everything, answers
from support import error_messages


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
