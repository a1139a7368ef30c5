"""Every group of choices and every date in every form carries its question as a visible legend.

govuk-frontend-wtf's own widgets give a fieldset its legend only when a template passes no
fieldset at all; a template that sets only the legend's style silently drops the question
(issue 13 found about fifteen). ``peermatch.web.widgets`` fills the question in, so every
radio group, checkbox group and date in a form must use one of those widgets (a single
checkbox, which has no fieldset, may use ``GovCheckboxInput``). The rendered pages are
checked as well, by ``page_checks``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, DateField, RadioField, SelectMultipleField, SubmitField

import peermatch.web  # noqa: F401  (the forms are imported with their blueprints)
from peermatch.web import widgets


def every_form() -> list[type[FlaskForm]]:
    found, todo = [], [FlaskForm]
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        found.append(form)
    return found


def unbound_fields(form: type[FlaskForm]) -> list[tuple[str, Any]]:
    return [(name, getattr(form, name)) for name in dir(form)
            if not name.startswith("_") and hasattr(getattr(form, name), "field_class")]


def test_every_group_of_choices_and_every_date_names_its_question(app: Flask) -> None:
    wrong = []
    for form in every_form():
        for name, unbound in unbound_fields(form):
            kind = unbound.field_class
            if issubclass(kind, SubmitField) or not issubclass(
                    kind, (RadioField, SelectMultipleField, DateField, BooleanField)):
                continue
            widget = unbound.kwargs.get("widget") or getattr(kind, "widget", None)
            if issubclass(kind, BooleanField):
                fine = isinstance(widget, GovCheckboxInput)
            else:
                fine = isinstance(widget, widgets.NamedFieldset)
            if not fine:
                wrong.append(f"{form.__module__}.{form.__name__}.{name} ({type(widget).__name__})")
    assert not wrong, "fields whose question may be lost: " + ", ".join(sorted(wrong))


def test_a_template_that_styles_only_the_legend_still_shows_the_question(app: Flask) -> None:
    from peermatch.web.volunteers.forms import CapacityForm, PauseForm

    with app.test_request_context("/"):
        form = CapacityForm(meta={"csrf": False})
        html = form.capacity(params={"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}})
        assert "How many parents could you support at the same time?" in html.split("</legend>")[0]
        pause = PauseForm(meta={"csrf": False})
        html = pause.ends_on(params={"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}})
        assert "Last day you are away" in html.split("</legend>")[0]
