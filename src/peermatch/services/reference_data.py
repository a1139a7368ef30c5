"""Reference data every installation needs: the seeded issue types, and areas from the outcode table.

Coverage. A member organisation covers council areas (``Area.organisation_id``) and, through
them, outward codes (``AreaOutcode``): an area's outward codes are the ones the shipped table
(``data/uk_outcodes.csv``) files under its county, and an outward code can also be given to an
area on its own (a row of ``area_outcodes``). Every outward code of a covered council area is
covered: :func:`area_for_outcode` answers from the area the code was given to when that area is
covered, and otherwise from the area its county names in the shipped table, so a table that
was corrected after an area was first created (central London, once filed as "London" and
"City of London" rather than "Greater London") is honoured without a migration.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.geo import outcode_table
from peermatch.models import Area, AreaOutcode, IssueType, Organisation
from peermatch.reference import ISSUE_TYPES


def seed_issue_types(session: Session) -> int:
    """Add any seeded issue type that is missing; never overwrite an admin's edits. Returns how many were added."""
    existing = set(session.scalars(sa.select(IssueType.code)))
    added = 0
    for position, (code, name, description) in enumerate(ISSUE_TYPES):
        if code not in existing:
            session.add(IssueType(code=code, name=name, description=description, position=position))
            added += 1
    session.flush()
    return added


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ensure_area(session: Session, county: str, organisation: Organisation | None = None) -> Area:
    """The council area named ``county`` in the outcode table, with all its outward codes.

    Creating it twice returns the same area, so seeding is safe to repeat.
    """
    code = slugify(county)
    area = session.scalar(sa.select(Area).where(Area.code == code))
    outcodes = [o for o in outcode_table().values() if o.county == county]
    if area is None:
        if not outcodes:
            raise ValueError(f"No outward codes are listed for {county!r}")
        area = Area(
            code=code,
            name=county,
            latitude=sum(o.latitude for o in outcodes) / len(outcodes),
            longitude=sum(o.longitude for o in outcodes) / len(outcodes),
        )
        session.add(area)
        session.flush()
    # An area made before the table listed more codes under its county gains them (never one given elsewhere).
    claimed = set(session.scalars(sa.select(AreaOutcode.outcode).where(
        AreaOutcode.outcode.in_([o.outcode for o in outcodes]))))
    session.add_all(AreaOutcode(outcode=o.outcode, area_id=area.id) for o in outcodes if o.outcode not in claimed)
    if organisation is not None and area.organisation_id is None:
        area.organisation_id = organisation.id
    session.flush()
    return area


def counties() -> dict[str, list[str]]:
    """Every county or council area in the outcode table, with its outward codes."""
    table: dict[str, list[str]] = defaultdict(list)
    for outcode in outcode_table().values():
        if outcode.county:
            table[outcode.county].append(outcode.outcode)
    return dict(table)


def area_for_outcode(session: Session, outcode: str) -> Area | None:
    """The council area an outward code belongs to: a covered one wherever there is one (see the module's
    docstring), else the area it was given to or its county's, if that area exists; None if neither does."""
    given = session.scalar(
        sa.select(Area).join(AreaOutcode, AreaOutcode.area_id == Area.id).where(AreaOutcode.outcode == outcode)
    )
    if given is not None and given.organisation_id is not None:
        return given
    found = outcode_table().get(outcode)
    county = session.scalar(sa.select(Area).where(Area.code == slugify(found.county))) if found and found.county \
        else None
    if county is not None and (county.organisation_id is not None or given is None):
        return county
    return given


def outcode_coverage(session: Session) -> dict[str, uuid.UUID]:
    """Every covered outward code of the table, with the organisation covering it: :func:`area_for_outcode`'s
    answer for all of them at once (three queries), for the admin's coverage table."""
    areas = {a.id: a for a in session.scalars(sa.select(Area))}
    by_code = {a.code: a for a in areas.values()}
    given = {code: areas[area_id] for code, area_id in session.execute(sa.select(AreaOutcode.outcode,
                                                                                  AreaOutcode.area_id))}
    covered: dict[str, uuid.UUID] = {}
    for code, found in outcode_table().items():
        area = given.get(code)
        if area is None or area.organisation_id is None:
            county = by_code.get(slugify(found.county)) if found.county else None
            if county is not None and (county.organisation_id is not None or area is None):
                area = county
        if area is not None and area.organisation_id is not None:
            covered[code] = area.organisation_id
    return covered


def areas_named(session: Session, names: Iterable[str]) -> list[Area]:
    return list(session.scalars(sa.select(Area).where(Area.name.in_(list(names)))))
