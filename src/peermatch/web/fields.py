"""Form fields that behave the way GOV.UK patterns need."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput
from wtforms import DateField, SelectMultipleField
from wtforms.validators import ValidationError

from peermatch.reference import DAYS, PARTS_OF_DAY


class _DateInput(GovDateInput):
    """The day box carries the field's id, so the error summary's link lands on it."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params["items"][0]["id"] = field.id
        params["id"] = f"{field.id}-group"  # ids must stay unique on the page
        return params


class GovDateField(DateField):
    """Day, month and year boxes with the GOV.UK error messages.

    A crafted POST without the three boxes would crash the widget; missing parts are
    treated as empty so the person sees a normal error instead.
    """

    widget = _DateInput()

    def __init__(self, label: str | None = None, validators: Any = None, *, what: str = "the date", **kwargs: Any):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [v.strip() for v in (valuelist or [])][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        day, month, year = parts
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise ValueError(f"{self.what.capitalize()} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValueError(f"{self.what.capitalize()} must be a real date, like 27 3 2027")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{self.what.capitalize()} must be a real date, like 27 3 2027") from error


def required_date(message: str) -> Any:
    def check(form: Any, field: GovDateField) -> None:
        if field.data is None and not field.errors and not any(field.raw_data or []):
            raise ValidationError(message)

    return check


class WeeklySlotsField(SelectMultipleField):
    """The 21 weekly slots (7 days × morning/afternoon/evening) as checkbox values ``day-part``."""

    widget = GovCheckboxesInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        choices = {f"{d}-{p}": f"{DAYS[d]} {PARTS_OF_DAY[p]}" for d in range(7) for p in range(3)}
        super().__init__(label, validators, choices=choices, **kwargs)

    @property
    def mask(self) -> int:
        mask = 0
        for value in self.data or []:
            day, part = (int(x) for x in value.split("-"))
            mask |= 1 << (day * 3 + part)
        return mask

    def set_mask(self, mask: int) -> None:
        self.data = [f"{bit // 3}-{bit % 3}" for bit in range(21) if mask & (1 << bit)]

    def day_values(self, day: int) -> list[str]:
        return [f"{day}-{p}" for p in range(3)]
