"""Form fields that behave the way GOV.UK patterns need: one date field, one weekly grid."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import DateField, SelectMultipleField
from wtforms.validators import ValidationError

from peermatch.web.widgets import Checkboxes, DateInput
from peermatch.reference import DAYS, PARTS_OF_DAY, mask_from_values, slot_value, values_from_mask


class _DateInput(DateInput):
    """The day box carries the field's id, so the error summary's link lands on it."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params["items"][0]["id"] = field.id
        params["id"] = f"{field.id}-group"  # ids must stay unique on the page
        return params


class GovDateField(DateField):
    """Day, month and year boxes with the GOV.UK error messages.

    ``what`` names the date in messages ("the first day you are away"). ``required`` is the
    message for a date left empty (None: the date is optional). A crafted POST without the
    three boxes would crash the widget; missing parts are treated as empty instead.
    """

    widget = _DateInput()

    def __init__(self, label: str | None = None, validators: Any = None, *, what: str = "the date",
                 required: str | None = None, **kwargs: Any):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.what = what
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(v).strip() for v in (valuelist or [])][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        what = self.what[0].upper() + self.what[1:]
        missing = [name for name, value in (("day", parts[0]), ("month", parts[1]), ("year", parts[2])) if not value]
        if missing:
            raise ValueError(f"{what} must include a {' and '.join(missing)}")
        if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"{what} must be a real date")
        day, month, year = (int(p) for p in parts)
        try:
            self.data = date(year, month, day)
        except ValueError as error:
            raise ValueError(f"{what} must be a real date") from error

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.errors and not any(self.raw_data or []):
            raise ValidationError(self.required)


class WeeklySlotsField(SelectMultipleField):
    """The weekly grid: one checkbox per slot (7 days × morning, afternoon, evening), values ``"day-part"``.

    Rendered as one fieldset per day by ``_week.html``; the encoding is ``reference``'s.
    """

    widget = Checkboxes()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        choices = {slot_value(d, p): f"{DAYS[d]} {PARTS_OF_DAY[p]}" for d in range(len(DAYS))
                   for p in range(len(PARTS_OF_DAY))}
        kwargs.setdefault("invalid_choice_message", "Select times from the week shown")
        super().__init__(label, validators, choices=choices, **kwargs)

    @property
    def mask(self) -> int:
        return mask_from_values(self.data or [])

    def set_mask(self, mask: int) -> None:
        self.data = values_from_mask(mask)

    def day_items(self, day: int) -> list[dict[str, Any]]:
        """The three checkboxes of one day, for ``govukCheckboxes``."""
        chosen = set(self.data or [])
        return [{"value": slot_value(day, part), "text": PARTS_OF_DAY[part].capitalize(),
                 "checked": slot_value(day, part) in chosen, "id": f"{self.id}-{slot_value(day, part)}"}
                for part in range(len(PARTS_OF_DAY))]
