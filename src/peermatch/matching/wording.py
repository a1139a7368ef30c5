"""Plain-English pieces shared by rule messages and score explanations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from .profiles import SUPPORT_MODE_WORDS

Labels = Mapping[str, str]


def format_date(day: date) -> str:
    """A date as organisers write it: "3 May 2026"."""
    return f"{day.day} {day:%B %Y}"


def format_date_range(first: date, last: date) -> str:
    """An inclusive range, shortened where month or year repeat: "1–14 August 2026"."""
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{format_date(first)} – {format_date(last)}"


def name_of(code: str, labels: Labels | None) -> str:
    """The label to show for an issue-type or language code, or the code made readable."""
    if labels and code in labels:
        return labels[code]
    return code.replace("_", " ")


def join_words(words: Iterable[str], last: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(words)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def names_of(codes: Iterable[str], labels: Labels | None, last: str = "and") -> str:
    """Several codes as a readable list, in a stable order."""
    return join_words(sorted(name_of(code, labels) for code in codes), last)


def modes_in_words(modes: Iterable[str], last: str = "or") -> str:
    """Support modes as words: "phone or video"."""
    order = list(SUPPORT_MODE_WORDS)
    return join_words([SUPPORT_MODE_WORDS[m] for m in sorted(modes, key=order.index)], last)


def gender_in_words(gender: str) -> str:
    """A gender code as the end of "an advocate who is …": "a woman", "non-binary"."""
    return {"woman": "a woman", "man": "a man"}.get(gender, gender.replace("_", "-"))
