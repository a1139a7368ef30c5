"""GOV.UK widgets that always name their question.

govuk-frontend-wtf gives a fieldset its legend only when a template passes no fieldset at
all, so a template that sets just the legend's style (``{'legend': {'classes': …}}``)
silently drops the question text: sighted users see a row of radios under the wrong
heading and screen readers announce nothing. These widgets fill in the field's label as
the legend whenever a template leaves the text out, so every group of radios, checkboxes
and date boxes carries its question.
"""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput


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
