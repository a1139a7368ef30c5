"""GOV.UK widgets that always name their question, and filter widgets that render once.

govuk-frontend-wtf gives a fieldset its legend only when a template passes no fieldset at
all, so a template that sets just the legend's style (``{'legend': {'classes': …}}``)
silently drops the question text: sighted users see a row of radios under the wrong
heading and screen readers announce nothing. These widgets fill in the field's label as
the legend whenever a template leaves the text out, so every group of radios, checkboxes
and date boxes carries its question.
"""

from __future__ import annotations

import json
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from markupsafe import Markup


class NamedFieldset:
    """Fills in the field's label as the legend when a template gives a fieldset without one."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        fieldset = params.get("fieldset")
        if isinstance(fieldset, dict):
            legend = fieldset.setdefault("legend", {})
            if not legend.get("text") and not legend.get("html"):
                legend["text"] = field.label.text
        return params


class Checkboxes(NamedFieldset, GovCheckboxesInput):
    """Checkboxes for a SelectMultipleField, in a fieldset whose legend is the question."""


class Radios(NamedFieldset, GovRadioInput):
    """Radios for a RadioField, in a fieldset whose legend is the question."""


class DateInput(NamedFieldset, GovDateInput):
    """Day, month and year boxes in a fieldset whose legend is the question."""


class _RenderedOnce:
    """A GOV.UK widget that renders each distinct set of parameters once per process.

    govuk-frontend-wtf renders every field through Flask's ``render_template`` and the
    general-purpose GOV.UK macro: the four selects of the triage list's filters took a
    quarter of the page's time, on every view, to write the same markup again. The markup
    depends on nothing but the parameters (label, choices, which is selected), so it is
    kept, keyed by all of them. Only for filters sent with GET, whose choices are the
    service's own lists and whose values are codes: never for a field a person types into,
    so nothing anyone wrote is held in memory.
    """

    _kept: dict[tuple[str, str], Markup] = {}
    KEEP = 512  # distinct filter fields per process; past that the memory starts again

    def render(self, params: dict[str, Any]) -> Markup:
        key = (self.template, json.dumps(params, sort_keys=True, default=str))  # type: ignore[attr-defined]
        found = self._kept.get(key)
        if found is None:
            found = super().render(params)  # type: ignore[misc]
            if len(self._kept) >= self.KEEP:
                self._kept.clear()
            self._kept[key] = found
        return found


class FilterSelect(_RenderedOnce, GovSelect):
    """A GOV.UK select for a list's filters (GET), its markup kept once rendered."""


class FilterCheckbox(_RenderedOnce, GovCheckboxInput):
    """A single GOV.UK checkbox for a list's filters (GET), its markup kept once rendered."""


class FilterButton(_RenderedOnce, GovSubmitInput):
    """A list's "Filter" button, its markup kept once rendered."""
