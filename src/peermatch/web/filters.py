"""Template filters for dates and times in the way UK public services write them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup

from peermatch import clock
from peermatch.reference import DAYS


def long_date(value: date | datetime | None) -> str:
    """``3 May 2026`` (GOV.UK style: no leading zero, month in full)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value).date()
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    """``3 May 2026 at 2:05pm`` in UK time."""
    if value is None:
        return ""
    local = clock.local(value)
    hour = local.hour % 12 or 12
    return f"{long_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def language_name(code: str) -> str:
    """``pl`` → ``Polish``."""
    from peermatch.reference import LANGUAGES

    return LANGUAGES.get(code, code)


def bullet_list(items: list[str]) -> Markup:
    """Items as a GOV.UK bulleted list, each escaped: for the ``html`` of a summary list's value."""
    return Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(
        Markup("").join(Markup("<li>{}</li>").format(item) for item in items))


def dict_without(values: dict[str, object], *keys: str) -> dict[str, object]:
    """A copy of ``values`` without ``keys`` (to carry filters into pagination links)."""
    return {k: v for k, v in values.items() if k not in keys}


def register(app: Flask) -> None:
    app.add_template_filter(bullet_list)
    app.add_template_filter(dict_without)
    app.add_template_filter(language_name)
    app.add_template_filter(long_date)
    app.add_template_filter(date_time)
    app.jinja_env.globals["week_days"] = DAYS
