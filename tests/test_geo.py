"""Turning what a person types into an outward postcode and where it is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peermatch.geo import PostcodeError, distance_km, lookup_postcode, outcode_table


@pytest.mark.parametrize(
    "typed, outcode",
    [("la14 2ab", "LA14"), ("LA14", "LA14"), ("  la14  ", "LA14"), ("LA142AB", "LA14"),
     ("sw1a 1aa", "SW1A"), ("M1 1AE", "M1"), ("m1", "M1"), ("LS1 4DY", "LS1")],
)
def test_full_or_partial_postcodes_give_the_outward_code_and_its_centre(typed: str, outcode: str) -> None:
    found = lookup_postcode(typed)
    assert found.outcode == outcode
    assert 49 < found.latitude < 61 and -9 < found.longitude < 2.5


def test_barrow_is_in_cumbria() -> None:
    found = lookup_postcode("LA14 1AA")
    assert found.county == "Cumbria" and found.country == "England"


@pytest.mark.parametrize(
    "typed, message",
    [("", "Enter a postcode"), ("   ", "Enter a postcode"), ("hello", "Enter a real postcode"),
     ("12345", "Enter a real postcode"), ("LA14 2A", "Enter a real postcode"),
     ("<script>", "Enter a real postcode"), ("ZZ9 9ZZ", "We do not recognise the postcode area ZZ9")],
)
def test_anything_else_gets_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(PostcodeError, match=message):
        lookup_postcode(typed)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_any_text_either_finds_a_known_outcode_or_explains(text: str) -> None:
    try:
        found = lookup_postcode(text)
    except PostcodeError as error:
        assert str(error)
    else:
        assert found.outcode in outcode_table()


def test_the_packaged_table_has_every_outcode_of_the_source() -> None:
    assert len(outcode_table()) == 2848


def test_distance_between_barrow_and_kendal_is_about_35_km() -> None:
    barrow, kendal = lookup_postcode("LA14"), lookup_postcode("LA9")
    assert 25 < distance_km(barrow.latitude, barrow.longitude, kendal.latitude, kendal.longitude) < 45


LONDON_POSTCODE_AREAS = ("E", "EC", "N", "NW", "SE", "SW", "W", "WC")


def test_every_london_outward_code_is_filed_under_greater_london() -> None:
    """Central London (Westminster's SW1A, W1, WC2 and the City's EC2 to EC4) was filed as "London" and "City of
    London", so a group covering Greater London refused it."""
    import re

    elsewhere = {o.outcode: o.county for o in outcode_table().values()
                 if re.match(r"[A-Z]+", o.outcode).group() in LONDON_POSTCODE_AREAS and o.county != "Greater London"}
    assert elsewhere == {}


def test_an_area_made_before_the_table_was_corrected_still_covers_every_code_of_its_county(session) -> None:  # type: ignore[no-untyped-def]
    """A database whose Greater London area was made from the old table: the codes once filed under "London" are
    covered without a migration, and seeding the area again gives it the missing rows."""
    import sqlalchemy as sa

    from peermatch.models import Area, AreaOutcode, Organisation
    from peermatch.services.reference_data import area_for_outcode, ensure_area

    organisation = Organisation(name="Old London Group", slug="old-london-group")
    session.add(organisation)
    session.flush()
    london = ensure_area(session, "Greater London", organisation)
    stale = Area(code="london", name="London")
    session.add(stale)
    session.flush()
    session.execute(sa.update(AreaOutcode).where(AreaOutcode.outcode.in_(["W1", "SW1A"]))
                    .values(area_id=stale.id))
    session.execute(sa.delete(AreaOutcode).where(AreaOutcode.outcode == "WC2"))
    session.expire_all()
    for outcode in ("W1", "SW1A", "WC2", "EC2M", "N1"):
        area = area_for_outcode(session, outcode)
        assert area is not None and area.organisation_id == organisation.id, outcode
    ensure_area(session, "Greater London", organisation)
    assert session.scalar(sa.select(AreaOutcode.area_id).where(AreaOutcode.outcode == "WC2")) == london.id
