"""Fixtures for the parents' journey: a covered area and a parent part-way through asking."""

from __future__ import annotations

from typing import Any

import pytest

from peermatch.models import Role

@pytest.fixture()
def cumbria(people: Any) -> Any:
    """An organisation covering Cumbria, where LA14 (Barrow) is."""
    return people.organisation("Furness Parents Together", county="Cumbria")


@pytest.fixture()
def parent(sign_in_as: Any, cumbria: Any) -> tuple[Any, Any]:
    return sign_in_as(Role.PARENT)
