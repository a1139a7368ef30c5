"""The network admin's settings: member organisations and what they cover, organiser accounts, issue types.

This module is the only writer of organisations, of which organisation covers an area or an
outward code, of organisers' accounts after they are invited, and of the issue-type list. Each
change is one function that records its audit event (names of organisations, areas and issue
types are the network's own words, never personal values) and flushes; the request commits.

Coverage follows ``services/reference_data.py``: an organisation covers council areas (the
counties of the shipped outcode table), and so every outward code filed under them; an outward
code can also be given to an organisation on its own (it then belongs to that organisation's
nearest area). No area and no outward code is ever covered by two organisations: adding one that
another organisation covers is refused, saying who covers it.

Organisers deactivated or moved are signed out everywhere at once. A retired issue type is never
deleted: it stays on the requests and the volunteers that have it, and is no longer offered.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import sessions
from peermatch.errors import DomainError
from peermatch.geo import distance_km, outcode_table
from peermatch.models import Area, AreaOutcode, AuditAction, IssueType, Organisation, Role, User
from peermatch.passwords import hash_password
from peermatch.services import audit, matching_data
from peermatch.services.reference_data import area_for_outcode, counties, ensure_area, slugify

# -- member organisations ------------------------------------------------------------------------------


def _check_name(session: Session, name: str, organisation: Organisation | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the organisation's name", "name")
    same = session.scalar(sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.lower()))
    if same is not None and same is not organisation:
        raise DomainError(f"There is already a member organisation called {same.name}", "name")
    return name


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    taken = set(session.scalars(sa.select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_organisation(session: Session, name: str, contact_email: str | None, by: User, now: datetime) -> Organisation:
    """A new member organisation, covering nothing yet (its areas are added next)."""
    name = _check_name(session, name)
    organisation = Organisation(name=name, slug=_free_slug(session, name),
                                contact_email=(contact_email or "").strip().lower() or None)
    session.add(organisation)
    session.flush()
    audit.record(session, by, AuditAction.ORGANISATION_ADDED, "organisation", organisation.id, organisation.id,
                 at=now, name=name)
    return organisation


def edit_organisation(session: Session, organisation: Organisation, name: str, contact_email: str | None,
                      by: User, now: datetime) -> list[str]:
    """Change an organisation's name or contact email; returns what changed (nothing is recorded if nothing did)."""
    name = _check_name(session, name, organisation)
    contact_email = (contact_email or "").strip().lower() or None
    changed = [field for field, old, new in (("name", organisation.name, name),
                                             ("contact_email", organisation.contact_email, contact_email))
               if old != new]
    if changed:
        organisation.name, organisation.contact_email = name, contact_email
        session.flush()
        audit.record(session, by, AuditAction.ORGANISATION_CHANGED, "organisation", organisation.id,
                     organisation.id, at=now, changed=changed)
    return changed


def add_area(session: Session, organisation: Organisation, county: str, by: User, now: datetime) -> Area:
    """The organisation now covers this council area (a county of the outcode table) and its outward codes.

    Refused if another organisation covers it. Outward codes of the county already given to
    another organisation on their own stay theirs.
    """
    if county not in counties():
        raise DomainError("Choose a council area from the list", "area")
    area = ensure_area(session, county)
    if area.organisation_id == organisation.id:
        raise DomainError(f"{organisation.name} already covers {area.name}", "area")
    if area.organisation_id is not None:
        other = session.get(Organisation, area.organisation_id)
        raise DomainError(f"{area.name} is already covered by {other.name if other else 'another organisation'}. "
                          "Remove it there first", "area")
    area.organisation_id = organisation.id
    session.flush()
    matching_data.changed(session)
    audit.record(session, by, AuditAction.AREA_ADDED, "area", area.id, organisation.id, at=now, area=area.name)
    return area


def remove_area(session: Session, organisation: Organisation, area: Area, by: User, now: datetime) -> None:
    """The organisation no longer covers this area. Requests already sent to it stay with it.

    Outward codes given to the organisation on their own that were kept in this area move to
    another of its areas, or go back to their own county's area if it has none left.
    """
    if area.organisation_id != organisation.id:
        raise DomainError(f"{organisation.name} does not cover {area.name}")
    area.organisation_id = None
    session.flush()
    left = [a for a in organisation_areas(session, organisation) if a.id != area.id]
    for given in _given_outcodes(session, organisation, [area]):
        _place_outcode(session, given, left)
    session.flush()
    matching_data.changed(session)
    audit.record(session, by, AuditAction.AREA_REMOVED, "area", area.id, organisation.id, at=now, area=area.name)


def organisation_areas(session: Session, organisation: Organisation) -> list[Area]:
    return list(session.scalars(sa.select(Area).where(Area.organisation_id == organisation.id).order_by(Area.name)))


def _county_of(outcode: str) -> str:
    found = outcode_table().get(outcode)
    return found.county if found else ""


def _given_outcodes(session: Session, organisation: Organisation, areas: list[Area] | None = None) -> list[AreaOutcode]:
    """Outward codes kept in the organisation's areas that are not of those areas' own county: given on their own."""
    areas = organisation_areas(session, organisation) if areas is None else areas
    rows = session.scalars(sa.select(AreaOutcode).where(AreaOutcode.area_id.in_([a.id for a in areas]))).all()
    codes = {a.id: a.code for a in areas}
    return [row for row in rows if slugify(_county_of(row.outcode)) != codes[row.area_id]]


def given_outcodes(session: Session, organisation: Organisation) -> list[str]:
    """The outward codes an organisation covers on their own (not through one of its council areas), sorted."""
    return sorted(row.outcode for row in _given_outcodes(session, organisation))


def _place_outcode(session: Session, row: AreaOutcode, areas: list[Area]) -> None:
    """Keep an outward code in the nearest of ``areas``; with none, give it back to its own county's area."""
    found = outcode_table()[row.outcode]
    placed = [a for a in areas if a.latitude is not None and a.longitude is not None]
    if placed:
        row.area_id = min(placed, key=lambda a: (distance_km(found.latitude, found.longitude, a.latitude,
                                                             a.longitude), a.name)).id
    else:
        row.area_id = ensure_area(session, found.county).id


_OUTCODE_SPLIT = re.compile(r"[\s,;]+")


def set_outcodes(session: Session, organisation: Organisation, text: str, by: User, now: datetime) -> tuple[
        list[str], list[str]]:
    """Make the outward codes covered on their own exactly those in ``text``; returns (added, removed).

    A code must be in the outcode table, and nobody else may cover it; one already covered by one
    of the organisation's areas needs no adding. Codes are kept in the organisation's nearest area,
    so it must cover a council area first.
    """
    wanted: list[str] = []
    for code in _OUTCODE_SPLIT.split((text or "").upper()):
        if code and code not in wanted:
            wanted.append(code)
    unknown = [code for code in wanted if code not in outcode_table()]
    if unknown:
        raise DomainError(f"We do not recognise {', '.join(unknown)}. Enter outward codes like EX1 or LA14",
                          "outcodes")
    current = {row.outcode: row for row in _given_outcodes(session, organisation)}
    added = [code for code in wanted if code not in current]
    removed = sorted(code for code in current if code not in wanted)
    areas = organisation_areas(session, organisation)
    if added and not areas:
        raise DomainError("Add a council area first: outward codes on their own belong to the nearest one",
                          "outcodes")
    problems = []
    for code in added:
        covering = area_for_outcode(session, code)
        if covering is not None and covering.organisation_id == organisation.id:
            problems.append(f"{code} is already covered through {covering.name}")
        elif covering is not None and covering.organisation_id is not None:
            other = session.get(Organisation, covering.organisation_id)
            problems.append(f"{code} is already covered by {other.name if other else 'another organisation'}")
    if problems:
        raise DomainError(". ".join(problems), "outcodes")
    for code in removed:
        _place_outcode(session, current[code], [])
    for code in added:
        row = session.get(AreaOutcode, code)
        if row is None:  # its county's area is made with its codes (this one among them)
            ensure_area(session, _county_of(code))
            row = session.get(AreaOutcode, code)
        _place_outcode(session, row, areas)
    session.flush()
    if added or removed:
        matching_data.changed(session)
        audit.record(session, by, AuditAction.OUTCODES_CHANGED, "organisation", organisation.id, organisation.id,
                     at=now, added=added, removed=removed)
    return added, removed


# -- organisers --------------------------------------------------------------------------------------


def _organiser(user: User) -> None:
    if user.role != Role.ORGANISER:
        raise DomainError("Only organisers' accounts are changed here")


def _sign_out_everywhere(session: Session, user: User) -> None:
    """End every session, and every set-password link already sent (both carry the old token)."""
    user.session_token = uuid.uuid4().hex
    sessions.end_every_session(session, user.id)


def deactivate_organiser(session: Session, user: User, by: User, now: datetime) -> None:
    """The organiser can no longer sign in, and is signed out everywhere. A new invitation brings them back."""
    _organiser(user)
    if not user.active:
        raise DomainError("This account is already deactivated")
    user.active = False
    _sign_out_everywhere(session, user)
    session.flush()
    audit.record(session, by, AuditAction.ORGANISER_DEACTIVATED, "user", user.id, user.organisation_id, at=now)


def reinvite_organiser(session: Session, user: User, by: User, now: datetime) -> User:
    """Start the organiser's account again: a new set-password link is to be sent (by the caller, once committed).

    Their old password, old links and every session stop working; a deactivated account is active again.
    """
    _organiser(user)
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.active = True
    _sign_out_everywhere(session, user)
    session.flush()
    audit.record(session, by, AuditAction.ORGANISER_REINVITED, "user", user.id, user.organisation_id, at=now)
    return user


def move_organiser(session: Session, user: User, organisation: Organisation, by: User, now: datetime) -> None:
    """The organiser now works for another member organisation; they sign in again to see its people."""
    _organiser(user)
    if user.organisation_id == organisation.id:
        raise DomainError(f"They already work for {organisation.name}", "organisation")
    before = user.organisation_id
    user.organisation_id = organisation.id
    _sign_out_everywhere(session, user)
    session.flush()
    audit.record(session, by, AuditAction.ORGANISER_MOVED, "user", user.id, organisation.id, at=now,
                 moved_from=str(before) if before else None, moved_to=str(organisation.id))


# -- the issue-type list ----------------------------------------------------------------------------


def _check_issue_name(session: Session, name: str, issue_type: IssueType | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the issue type's name", "name")
    if len(name) > 120:
        raise DomainError("The name must be 120 characters or fewer", "name")
    same = session.scalar(sa.select(IssueType).where(sa.func.lower(IssueType.name) == name.lower()))
    if same is not None and same is not issue_type:
        raise DomainError(f"There is already an issue type called {same.name}", "name")
    return name


def add_issue_type(session: Session, name: str, description: str, by: User, now: datetime) -> IssueType:
    """A new issue type, offered to parents and volunteers from now on, last in the list."""
    name = _check_issue_name(session, name)
    base = slugify(name).replace("-", "_")[:56] or "issue"
    taken = set(session.scalars(sa.select(IssueType.code).where(IssueType.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    position = (session.scalar(sa.select(sa.func.max(IssueType.position))) or 0) + 1
    issue_type = IssueType(code=code, name=name, description=(description or "").strip(), position=position,
                           active=True)
    session.add(issue_type)
    session.flush()
    matching_data.changed(session)
    audit.record(session, by, AuditAction.ISSUE_TYPE_ADDED, "issue_type", issue_type.id, at=now, code=code)
    return issue_type


def rename_issue_type(session: Session, issue_type: IssueType, name: str, description: str, by: User,
                      now: datetime) -> list[str]:
    """A new name or explanation; every request and volunteer that has it shows the new words. Returns what changed."""
    name = _check_issue_name(session, name, issue_type)
    description = (description or "").strip()
    changed = [field for field, old, new in (("name", issue_type.name, name),
                                             ("description", issue_type.description, description)) if old != new]
    if changed:
        issue_type.name, issue_type.description = name, description
        session.flush()
        matching_data.changed(session)
        audit.record(session, by, AuditAction.ISSUE_TYPE_RENAMED, "issue_type", issue_type.id, at=now,
                     code=issue_type.code, changed=changed)
    return changed


def retire_issue_type(session: Session, issue_type: IssueType, by: User, now: datetime) -> None:
    """No longer offered to new parents or volunteers; it stays on the requests and volunteers that have it.

    Issue types are never deleted, so no request loses what the parent said. The last one in use
    cannot be retired: parents must have something to choose.
    """
    if not issue_type.active:
        raise DomainError(f"{issue_type.name} is already retired")
    others = session.scalar(sa.select(sa.func.count()).select_from(IssueType).where(IssueType.active,
                                                                                     IssueType.id != issue_type.id))
    if not others:
        raise DomainError("This is the only issue type offered to parents. Add another before retiring it")
    issue_type.active = False
    session.flush()
    matching_data.changed(session)
    audit.record(session, by, AuditAction.ISSUE_TYPE_RETIRED, "issue_type", issue_type.id, at=now,
                 code=issue_type.code)

