"""The one domain error, and "not found".

A domain function that refuses to do something raises :class:`DomainError` with a
message fit to show the person and, where it belongs to one, the form field. Views turn
it into an error next to that field (``peermatch.web.forms.show_error``). Looking up
something a person may not see (another parent's request, another organisation's
advocate) raises :class:`NotFound`, which views answer with 404 either way, so nobody
can tell "not yours" from "does not exist".
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(ValueError):
    """Something the person can put right, or a change that cannot happen now; ``field`` is its form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotEligible(DomainError):
    """An advocate breaks a hard matching rule for a request; ``reasons`` say which, in plain words."""

    def __init__(self, reasons: Sequence[str], field: str | None = None) -> None:
        super().__init__("; ".join(reasons), field)
        self.reasons = list(reasons)


class NotFound(LookupError):
    """No such record *for this person* (answered with 404 either way)."""
