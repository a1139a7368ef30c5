"""Fixtures for the organiser's pages: an organisation covering Cumbria, its organiser and advocates."""

from __future__ import annotations

from typing import Any

import pytest

from peermatch.models import Role
from peermatch.reference import ALL_SLOTS_MASK
from volunteers.conftest import Volunteering


@pytest.fixture()
def furness(people: Any) -> Any:
    """An organisation covering Cumbria, where LA14 (Barrow) is."""
    return people.organisation("Furness Parents Together", county="Cumbria")


@pytest.fixture()
def organiser(sign_in_as: Any, people: Any, furness: Any) -> tuple[Any, Any]:
    """A signed-in organiser of Furness Parents Together."""
    return sign_in_as(Role.ORGANISER, people.user(Role.ORGANISER, furness, name="Olu"))


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Volunteering:
    return Volunteering(session, people)


def fitting_advocate(volunteering: Volunteering, organisation: Any, name: str = "Robin", capacity: int = 2) -> Any:
    """An approved advocate near Barrow who fits the parents' journey's request: a woman, free all week."""
    user, profile = volunteering.advocate(organisation=organisation, name=name, capacity=capacity)
    profile.gender, profile.availability_mask, profile.offers_phone = "woman", ALL_SLOTS_MASK, True
    volunteering.session.flush()
    return user, profile
