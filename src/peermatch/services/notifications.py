"""Telling people, safely: the outbox of notifications, and the only writer of their statuses.

**Written with the change.** A change someone should hear about (an offer sent, a request
received, a message) writes its notifications here, in the transaction of the change, through
:func:`tell_parent`, :func:`tell_user` or :func:`tell_organisers`. Nothing is sent then: a rolled
back change leaves no notification, and a committed one always has its rows. A worker
(``peermatch worker``, ``peermatch.jobs``) delivers them.

**Safe for parents, always.** A parent is told only by a channel their request's safe-contact
answers allow (email, text; never a call, so never a voicemail), only inside the weekly
times they ticked (:data:`PART_OF_DAY_HOURS`, Europe/London; otherwise it waits for the next
such time), addressed by the name they chose, and the words say only that there is news and
where to sign in: every parent notification reads the same, whatever happened. A parent who
allowed neither channel is told nothing outside the service. Everything is checked again at
the moment of sending against the answers as they are then, so a phone that stopped being
safe is never used by a notification queued before.

**Sent once.** Each row has an idempotency key (event, subject, person, channel) unique in
the table, so a scheduled job run by two workers writes it once. Delivery claims a row with
a conditional UPDATE, and marks it *handed over* in its own commit just before the message
leaves for good (before the SMTP DATA's final dot, before the text provider's call). A
worker that dies before that point leaves a claim that :func:`recover_stale` hands back for
another try; one that dies after it leaves a row that ends *unconfirmed* and is never sent
again: a missing "there is news" is seen on the next visit, a second one in a shared inbox
may not be harmless.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.matching.week import DAYS, PARTS_OF_DAY, slot_bit
from peermatch.models import (
    NOTIFICATION_DUE,
    REQUEST_FINISHED,
    Notification,
    NotificationChannel,
    NotificationEvent,
    NotificationStatus,
    Offer,
    Role,
    SafeContact,
    SupportRequest,
    User,
    Vetting,
    VolunteerProfile,
)

#: The hours of each part of the day in the weekly grid, for messages (Europe/London).
#: Nothing is ever sent at night, whatever a parent ticked.
PART_OF_DAY_HOURS: dict[int, tuple[int, int]] = {0: (8, 12), 1: (12, 17), 2: (17, 21)}

#: Waits between tries after a failure; after the last, the notification has failed.
RETRY_AFTER: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                                      timedelta(hours=2), timedelta(hours=6))

#: Words no notification ever carries, to anyone: someone else may read a phone or an inbox.
NEVER_SAID: tuple[str, ...] = ("social care", "social worker", "children's services", "childrens services", "court",
                               "abuse", "child protection", "care proceedings", "safeguarding", "section 47",
                               "section 17", "family group conference", "child in need")
_NEVER_SAID = re.compile("|".join(rf"\b{re.escape(term)}\b" for term in NEVER_SAID), re.IGNORECASE)

#: The words of a parent's every notification: there is news, and where to sign in.
PARENT_WORDS = "There is news on PeerMatch. Please sign in to see it."


# -- when it is safe ---------------------------------------------------------------------------------------

def _window(day: date, part: int) -> tuple[datetime, datetime]:
    start, end = PART_OF_DAY_HOURS[part]
    return clock.local_time(day, time(start)), clock.local_time(day, time(end))


def is_safe_time(mask: int, at: datetime) -> bool:
    """Whether ``at`` falls inside one of the weekly slots of ``mask`` (a parent's message times)."""
    local = clock.local(at)
    for part in range(len(PARTS_OF_DAY)):
        start, end = _window(local.date(), part)
        if mask >> slot_bit(local.weekday(), part) & 1 and start <= at < end:
            return True
    return False


def next_safe_time(mask: int, after: datetime) -> datetime | None:
    """The first moment at or after ``after`` inside one of ``mask``'s weekly slots; None if it has none."""
    first_day = clock.local(after).date()
    for offset in range(8):
        day = first_day + timedelta(days=offset)
        for part in range(len(PARTS_OF_DAY)):
            if not mask >> slot_bit(day.weekday(), part) & 1:
                continue
            start, end = _window(day, part)
            if end > after:
                return max(start, after)
    return None


def describe_message_times(mask: int) -> str:
    """A parent's message times in words, e.g. "Monday morning, Friday evening"."""
    return ", ".join(f"{DAYS[d]} {PARTS_OF_DAY[p]}" for d in range(len(DAYS)) for p in range(len(PARTS_OF_DAY))
                     if mask >> slot_bit(d, p) & 1) or "Never"


# -- who may be told how -----------------------------------------------------------------------------------

def parent_channels(contact: SafeContact | None) -> list[NotificationChannel]:
    """The channels a parent allowed, with the address to use for each (none: told only in the service)."""
    if contact is None:
        return []
    channels = []
    if contact.email_ok and contact.email:
        channels.append(NotificationChannel.EMAIL)
    if contact.text_ok and contact.phone:
        channels.append(NotificationChannel.TEXT)
    return channels


def user_channels(user: User) -> list[NotificationChannel]:
    """How a volunteer or a member of staff chose to be told (their notification settings)."""
    channels = []
    if user.notify_by_email:
        channels.append(NotificationChannel.EMAIL)
    if user.notify_by_text and user.phone:
        channels.append(NotificationChannel.TEXT)
    return channels


# -- writing notifications, in the transaction of the change ------------------------------------------------

@contextmanager
def quiet(session: Session) -> Iterator[None]:
    """Changes made inside tell nobody (the demo builds months of history through the life cycles)."""
    session.info[_QUIET] = True
    try:
        yield
    finally:
        session.info.pop(_QUIET, None)


_QUIET = "peermatch.notifications_quiet"


def _is_quiet(session: Session) -> bool:
    """Inside :func:`quiet`: each change's telling stops at once (the demo's history would otherwise read,
    for every step, who to tell and whether news already waits, only to write nothing)."""
    return bool(session.info.get(_QUIET))


def _insert(session: Session, values: dict[str, Any]) -> bool:
    """Insert one notification unless its idempotency key is already there; True if it was written."""
    if _is_quiet(session):
        return False
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Notification).values(id=uuid.uuid4(), **values).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(Notification.id)
    written = session.execute(statement).first() is not None  # (rowcount is not kept by the ORM's insert)
    if written:
        session.info["peermatch.notifications_written"] = True
    return written


def _key(event: NotificationEvent, subject: object, recipient: User, channel: str) -> str:
    return f"{event}:{subject}:{recipient.id}:{channel}"


def tell_parent(session: Session, request: SupportRequest, event: NotificationEvent, subject: object,
                now: datetime) -> int:
    """Tell the parent of ``request`` there is news, by each channel they allowed, at their next safe time.

    ``subject`` names the change (an offer's or a match's id) so the same news is told once;
    and news while another is still waiting for the parent's safe time adds nothing (it would
    be a second "there is news" at the same moment). Returns how many notifications were written.
    """
    parent = session.get(User, request.parent_id) if request.parent_id else None
    if parent is None:
        return 0
    contact = request.safe_contact
    written = 0
    for channel in parent_channels(contact):
        assert contact is not None
        when = next_safe_time(contact.message_times_mask, now)
        if when is None or _news_already_waiting(session, request, parent, channel):
            continue
        written += _insert(session, dict(
            idempotency_key=_key(event, subject, parent, channel), event=event, channel=channel,
            recipient_id=parent.id, request_id=request.id, organisation_id=request.organisation_id, to_parent=True,
            status=NotificationStatus.WAITING, created_dt=now, not_before_dt=when, attempts=0, problem=""))
    return written


def _news_already_waiting(session: Session, request: SupportRequest, parent: User, channel: str) -> bool:
    """A parent's notifications all say the same words, so one still waiting says it for the next news too."""
    return session.scalar(sa.select(sa.exists().where(
        Notification.recipient_id == parent.id, Notification.request_id == request.id, Notification.to_parent,
        Notification.channel == channel, Notification.status == NotificationStatus.WAITING))) or False


def tell_user(session: Session, user: User | None, event: NotificationEvent, subject: object, now: datetime, *,
              request_id: uuid.UUID | None = None, volunteer_id: uuid.UUID | None = None,
              organisation_id: uuid.UUID | None = None) -> int:
    """Tell a volunteer or an organiser, by the channels they chose, now or in their daily digest."""
    if user is None or not user.active:
        return 0
    held = user.daily_digest and event not in (NotificationEvent.DAILY_DIGEST, NotificationEvent.STALLED_WORK)
    written = 0
    for channel in user_channels(user):
        written += _insert(session, dict(
            idempotency_key=_key(event, subject, user, channel), event=event, channel=channel,
            recipient_id=user.id, request_id=request_id, volunteer_id=volunteer_id,
            organisation_id=organisation_id or user.organisation_id, to_parent=False,
            status=NotificationStatus.HELD_FOR_DIGEST if held else NotificationStatus.WAITING,
            created_dt=now, not_before_dt=now, attempts=0, problem=""))
    return written


def organisers_of(session: Session, organisation_id: uuid.UUID | None) -> list[User]:
    """The active organisers of an organisation, who hear about its requests and advocates."""
    if organisation_id is None:
        return []
    return list(session.scalars(sa.select(User).where(User.organisation_id == organisation_id,
                                                      User.role == Role.ORGANISER, User.active)
                                .order_by(User.id)))


def tell_organisers(session: Session, organisation_id: uuid.UUID | None, event: NotificationEvent, subject: object,
                    now: datetime, *, request_id: uuid.UUID | None = None,
                    volunteer_id: uuid.UUID | None = None) -> int:
    """Tell every active organiser of the organisation."""
    return sum(tell_user(session, organiser, event, subject, now, request_id=request_id, volunteer_id=volunteer_id,
                         organisation_id=organisation_id)
               for organiser in organisers_of(session, organisation_id))


def tell_advocate(session: Session, volunteer: VolunteerProfile, event: NotificationEvent, subject: object,
                  now: datetime, *, request_id: uuid.UUID | None = None) -> int:
    """Tell a volunteer (applicant or advocate) through their account's settings."""
    return tell_user(session, session.get(User, volunteer.user_id), event, subject, now, request_id=request_id,
                     volunteer_id=volunteer.id, organisation_id=volunteer.organisation_id)


# -- the words ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Words:
    """What one notification says: a neutral subject for email, a body, and the address to use."""

    address: str
    subject: str
    body: str
    name: str = ""  # the name it greets, which is the person's own and not checked for the words never said


_SUBJECT = "A message from PeerMatch"

_STAFF_LINES: dict[str, str] = {
    NotificationEvent.REQUEST_RECEIVED: "A new request for support has arrived for your organisation.",
    NotificationEvent.REQUEST_CLOSED: "A request has been closed.",
    NotificationEvent.OFFER_SENT: "You have a new offer to look at. Please answer it by {deadline}.",
    NotificationEvent.OFFER_REMINDER: "An offer is waiting for your answer. It will go back to the organisers at "
                                      "{deadline}.",
    NotificationEvent.OFFER_DECLINED: "An offer was declined. The request needs someone new.",
    NotificationEvent.OFFER_LAPSED: "An offer was not answered in time. The request needs someone new.",
    NotificationEvent.OFFER_ACCEPTED: "An offer was accepted and is waiting for your introduction.",
    NotificationEvent.INTRODUCED: "You have been introduced to the parent you will support. Their contact details "
                                  "are in PeerMatch.",
    NotificationEvent.VETTING_DECISION: "There is news about your volunteering.",
    NotificationEvent.CHECKS_EXPIRING: "A check on {whose} runs out on {expires}. Please arrange a new one.",
    NotificationEvent.NEW_MESSAGE: "You have a new message in PeerMatch.",
    NotificationEvent.HELP_ASKED: "Someone has asked your organisation for help from a conversation in PeerMatch.",
}

_DIGEST_NAMES: dict[str, str] = {
    NotificationEvent.REQUEST_RECEIVED: "new requests",
    NotificationEvent.REQUEST_CLOSED: "requests closed",
    NotificationEvent.OFFER_SENT: "new offers",
    NotificationEvent.OFFER_REMINDER: "offers waiting for your answer",
    NotificationEvent.OFFER_DECLINED: "offers declined",
    NotificationEvent.OFFER_LAPSED: "offers not answered in time",
    NotificationEvent.OFFER_ACCEPTED: "offers accepted",
    NotificationEvent.INTRODUCED: "introductions",
    NotificationEvent.VETTING_DECISION: "news about your volunteering",
    NotificationEvent.CHECKS_EXPIRING: "checks running out",
    NotificationEvent.NEW_MESSAGE: "new messages",
    NotificationEvent.HELP_ASKED: "requests for help",
}


def _moment(value: datetime | None) -> str:
    if value is None:
        return "the time shown in PeerMatch"
    local = clock.local(value)
    return local.strftime("%-I:%M%p on %A %-d %B").replace("AM", "am").replace("PM", "pm")


def _staff_body(session: Session, row: Notification, user: User, base_url: str) -> str:
    if row.event == NotificationEvent.DAILY_DIGEST:
        counts = Counter(session.scalars(sa.select(Notification.event).where(Notification.digest_id == row.id)))
        lines = [f"- {count} {_DIGEST_NAMES.get(event, 'updates')}" for event, count in sorted(counts.items())]
        text = "Here is what happened in PeerMatch since yesterday:\n\n" + "\n".join(lines)
    elif row.event == NotificationEvent.STALLED_WORK:
        text = "Here is the work waiting for your organisation today:\n\n" + "\n".join(
            f"- {line}" for line in stalled_lines(session, user, row.created_dt))
    else:
        deadline = session.scalar(sa.select(Offer.expires_dt).where(
            Offer.request_id == row.request_id, Offer.volunteer_id == row.volunteer_id)
            .order_by(Offer.proposed_dt.desc()).limit(1)) if row.request_id and row.volunteer_id else None
        whose = "your volunteering" if user.role == Role.VOLUNTEER else "one of your advocates"
        expires = session.scalar(sa.select(Vetting.dbs_expires_on).where(Vetting.volunteer_id == row.volunteer_id)
                                 ) if row.volunteer_id else None
        text = _STAFF_LINES[row.event].format(deadline=_moment(deadline), whose=whose,
                                             expires=expires.strftime("%-d %B %Y") if isinstance(expires, date)
                                             else "soon")
    return f"Hello {user.display_name},\n\n{text}\n\nSign in to see it: {base_url}/sign-in\n"


def stalled_lines(session: Session, organiser: User, now: datetime) -> list[str]:
    """The organiser's home-page counts in words, for the daily digest of stalled work (non-zero only)."""
    from peermatch.reads import organisers

    work = organisers.todays_work(session, organiser, now)
    named = [(work.needing_an_advocate, "requests need an advocate"),
             (work.urgent, "of them have a meeting within 7 days"),
             (work.came_back, "requests came back after an offer was declined or not answered"),
             (work.waiting_for_introduction, "accepted offers are waiting for an introduction"),
             (work.applications, "applications are waiting for vetting"),
             (work.checks_expiring, "advocates' checks run out within 30 days"),
             (work.stalled_matches, "matches have had no contact for 14 days"),
             (work.meetings_soon_nobody_accepted, "meetings within 72 hours have nobody yet")]
    return [f"{count} {words}" for count, words in named if count]


def compose(session: Session, row: Notification, base_url: str) -> Words | str:
    """The words and address of ``row`` as its person's answers are now, or why it must not be sent.

    A parent's words never change with the event: they say only that there is news.
    """
    user = session.get(User, row.recipient_id) if row.recipient_id else None
    if user is None or not user.active:
        return "The person's account has gone"
    if row.to_parent:
        request = session.get(SupportRequest, row.request_id) if row.request_id else None
        contact = request.safe_contact if request else None
        if row.channel not in parent_channels(contact):
            return "The parent no longer allows this way of contacting them"
        assert contact is not None
        name = contact.name_to_ask_for or "there"
        address = contact.email if row.channel == NotificationChannel.EMAIL else contact.phone
        body = f"Hello {name},\n\n{PARENT_WORDS}\n\n{base_url}/sign-in\n"
        return Words(address=address or "", subject=_SUBJECT, body=body, name=name)
    if row.channel not in user_channels(user):
        return "The person no longer chooses this way of being told"
    address = user.email if row.channel == NotificationChannel.EMAIL else (user.phone or "")
    return Words(address=address, subject=_SUBJECT, body=_staff_body(session, row, user, base_url),
                 name=user.display_name)


def never_says_what_it_is_about(words: Words) -> bool:
    """True when neither subject nor body carries a word someone else must not read."""
    text = f"{words.subject}\n{words.body}"
    if words.name:
        text = text.replace(words.name, "")
    return _NEVER_SAID.search(text) is None


# -- delivering ---------------------------------------------------------------------------------------------

def due(session: Session, now: datetime, limit: int = 200) -> list[uuid.UUID]:
    """Ids of notifications whose time has come, oldest first."""
    return list(session.scalars(sa.select(Notification.id)
                                .where(Notification.status.in_(NOTIFICATION_DUE), Notification.not_before_dt <= now)
                                .order_by(Notification.not_before_dt, Notification.id).limit(limit)))


def _move(session: Session, notification_id: uuid.UUID, old: Iterable[str], **values: Any) -> bool:
    result = session.execute(sa.update(Notification)
                             .where(Notification.id == notification_id, Notification.status.in_(list(old)))
                             .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def claim(session: Session, notification_id: uuid.UUID, now: datetime) -> bool:
    """Take a due notification for this worker; False if another worker has it or it is not due."""
    return _move(session, notification_id, NOTIFICATION_DUE, status=NotificationStatus.SENDING, claimed_dt=now,
                 attempts=Notification.attempts + 1)


def prepare(session: Session, notification_id: uuid.UUID, now: datetime, base_url: str) -> Words | None:
    """For a claimed notification: the words to send now, or None when it must wait or must not go.

    A parent's notification outside their safe times goes back to wait for the next one; one
    whose channel is no longer allowed, or whose person has gone, is cancelled with the reason.
    """
    row = session.get(Notification, notification_id, populate_existing=True)
    assert row is not None and row.status == NotificationStatus.SENDING
    words = compose(session, row, base_url)
    if isinstance(words, str):
        _move(session, row.id, [NotificationStatus.SENDING], status=NotificationStatus.CANCELLED, problem=words)
        return None
    if row.to_parent:
        request = session.get(SupportRequest, row.request_id)
        mask = request.safe_contact.message_times_mask  # type: ignore[union-attr]
        if not is_safe_time(mask, now):
            later = next_safe_time(mask, now)
            if later is None:
                _move(session, row.id, [NotificationStatus.SENDING], status=NotificationStatus.CANCELLED,
                      problem="The parent gave no time when a message is safe")
            else:
                _move(session, row.id, [NotificationStatus.SENDING], status=NotificationStatus.WAITING,
                      not_before_dt=later, attempts=Notification.attempts - 1)
            return None
    if not never_says_what_it_is_about(words):  # a programming error: refuse rather than send
        _move(session, row.id, [NotificationStatus.SENDING], status=NotificationStatus.FAILED,
              problem="Its words named something they must never name")
        return None
    return words


def handed_over(session: Session, notification_id: uuid.UUID) -> None:
    """Just before the message leaves for good: from here on it is never sent again."""
    _move(session, notification_id, [NotificationStatus.SENDING], status=NotificationStatus.HANDED_OVER)


def delivered(session: Session, notification_id: uuid.UUID, now: datetime, reference: str | None = None) -> None:
    _move(session, notification_id, [NotificationStatus.SENDING, NotificationStatus.HANDED_OVER],
          status=NotificationStatus.DELIVERED, sent_dt=now, provider_reference=reference, problem="")


def not_delivered(session: Session, notification_id: uuid.UUID, now: datetime, problem: str, *,
                  retry: bool) -> None:
    """It did not go: try again later with a growing wait, or give up after the last try (or at once)."""
    attempts = session.scalar(sa.select(Notification.attempts).where(Notification.id == notification_id)) or 0
    old = [NotificationStatus.SENDING, NotificationStatus.HANDED_OVER]
    if retry and attempts <= len(RETRY_AFTER):
        _move(session, notification_id, old, status=NotificationStatus.RETRYING, problem=problem[:300],
              not_before_dt=now + RETRY_AFTER[attempts - 1])
    else:
        _move(session, notification_id, old, status=NotificationStatus.FAILED, problem=problem[:300])


def unconfirmed(session: Session, notification_id: uuid.UUID, problem: str) -> None:
    """It may have gone: never try again."""
    _move(session, notification_id, [NotificationStatus.HANDED_OVER], status=NotificationStatus.UNCONFIRMED,
          problem=problem[:300])


def recover_stale(session: Session, now: datetime, after: timedelta) -> tuple[int, int]:
    """Claims left by a worker that stopped: tried again if nothing left us, else unconfirmed.

    Returns (tried again, unconfirmed).
    """
    older = now - after
    again = session.execute(sa.update(Notification).where(
        Notification.status == NotificationStatus.SENDING, Notification.claimed_dt < older)
        .values(status=NotificationStatus.RETRYING, not_before_dt=now, problem="The worker stopped before sending")
        .execution_options(synchronize_session=False)).rowcount
    lost = session.execute(sa.update(Notification).where(
        Notification.status == NotificationStatus.HANDED_OVER, Notification.claimed_dt < older)
        .values(status=NotificationStatus.UNCONFIRMED,
                problem="The worker stopped while sending; it is not sent again")
        .execution_options(synchronize_session=False)).rowcount
    return again, lost


# -- daily digests and scheduled reminders ------------------------------------------------------------------

DIGEST_HOUR = 8  # local time: a volunteer's or an organiser's day starts with their digest


def gather_digests(session: Session, now: datetime) -> int:
    """From 8am (London), fold each person's held notifications into one digest per channel for the day."""
    local = clock.local(now)
    if local.hour < DIGEST_HOUR:
        return 0
    written = 0
    held = session.execute(sa.select(Notification.recipient_id, Notification.channel).where(
        Notification.status == NotificationStatus.HELD_FOR_DIGEST).distinct()).all()
    for recipient_id, channel in held:
        user = session.get(User, recipient_id)
        if user is None:
            continue
        key = f"{NotificationEvent.DAILY_DIGEST}:{local.date()}:{user.id}:{channel}"
        if _insert(session, dict(idempotency_key=key, event=NotificationEvent.DAILY_DIGEST, channel=channel,
                                 recipient_id=user.id, organisation_id=user.organisation_id, to_parent=False,
                                 status=NotificationStatus.WAITING, created_dt=now, not_before_dt=now, attempts=0,
                                 problem="")):
            written += 1
        # Locked, so a worker cannot claim it between this look and the rows joining it.
        digest_id, status = session.execute(sa.select(Notification.id, Notification.status)
                                            .where(Notification.idempotency_key == key).with_for_update()).one()
        if status != NotificationStatus.WAITING:
            continue  # today's digest has gone: what came since waits for tomorrow's
        session.execute(sa.update(Notification).where(
            Notification.recipient_id == user.id, Notification.channel == channel,
            Notification.status == NotificationStatus.HELD_FOR_DIGEST)
            .values(status=NotificationStatus.IN_DIGEST, digest_id=digest_id)
            .execution_options(synchronize_session=False))
    return written


def tell_stalled_work(session: Session, now: datetime) -> int:
    """From 8am (London), once a day, each organiser with work waiting gets the day's list."""
    local = clock.local(now)
    if local.hour < DIGEST_HOUR:
        return 0
    written = 0
    for organiser in session.scalars(sa.select(User).where(User.role == Role.ORGANISER, User.active)):
        if stalled_lines(session, organiser, now):
            written += tell_user(session, organiser, NotificationEvent.STALLED_WORK, local.date(), now)
    return written


REMINDER_BEFORE = timedelta(hours=12)


def tell_offer_reminders(session: Session, now: datetime) -> int:
    """Offers whose answer is due within 12 hours: one reminder to the advocate, once."""
    from peermatch.models import OfferStatus

    written = 0
    offers = session.scalars(sa.select(Offer).where(Offer.status == OfferStatus.OFFERED, Offer.expires_dt > now,
                                                    Offer.expires_dt <= now + REMINDER_BEFORE))
    for offer in offers:
        written += tell_advocate(session, offer.volunteer, NotificationEvent.OFFER_REMINDER, offer.id, now,
                                 request_id=offer.request_id)
    return written


EXPIRY_WARNINGS = (30, 7)  # days ahead


def tell_checks_expiring(session: Session, now: datetime) -> int:
    """Advocates whose DBS check runs out within 30 and then 7 days: them and their organisers, once each."""
    from peermatch.models import VolunteerStatus

    today = clock.today(now)
    written = 0
    rows = session.execute(sa.select(VolunteerProfile, Vetting.dbs_expires_on)
                           .join(Vetting, Vetting.volunteer_id == VolunteerProfile.id)
                           .where(VolunteerProfile.status == VolunteerStatus.APPROVED,
                                  Vetting.dbs_expires_on >= today,
                                  Vetting.dbs_expires_on <= today + timedelta(days=max(EXPIRY_WARNINGS)))).all()
    for volunteer, expires in rows:
        days = min(d for d in EXPIRY_WARNINGS if expires <= today + timedelta(days=d))
        subject = f"{volunteer.id}:{expires}:{days}"
        written += tell_advocate(session, volunteer, NotificationEvent.CHECKS_EXPIRING, subject, now)
        written += tell_organisers(session, volunteer.organisation_id, NotificationEvent.CHECKS_EXPIRING, subject,
                                   now, volunteer_id=volunteer.id)
    return written


# -- what organisers see ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SentRow:
    """One notification as an organiser sees it: never its words."""

    event: str
    to: str
    channel: str
    status: str
    created_dt: datetime
    sent_dt: datetime | None
    problem: str


EVENT_NAMES: Mapping[str, str] = {
    NotificationEvent.REQUEST_RECEIVED: "Request received",
    NotificationEvent.REQUEST_CLOSED: "Request closed",
    NotificationEvent.OFFER_SENT: "Offer sent",
    NotificationEvent.OFFER_REMINDER: "Reminder to answer an offer",
    NotificationEvent.OFFER_DECLINED: "Offer declined",
    NotificationEvent.OFFER_LAPSED: "Offer not answered in time",
    NotificationEvent.OFFER_ACCEPTED: "Offer accepted",
    NotificationEvent.INTRODUCED: "Introduction",
    NotificationEvent.VETTING_DECISION: "Vetting decision",
    NotificationEvent.CHECKS_EXPIRING: "Checks running out",
    NotificationEvent.NEW_MESSAGE: "New message",
    NotificationEvent.HELP_ASKED: "Help asked for",
    NotificationEvent.STALLED_WORK: "Work waiting today",
    NotificationEvent.DAILY_DIGEST: "Daily digest",
}

STATUS_NAMES: Mapping[str, str] = {
    NotificationStatus.WAITING: "Waiting for a safe time",
    NotificationStatus.HELD_FOR_DIGEST: "Held for the daily digest",
    NotificationStatus.SENDING: "Sending",
    NotificationStatus.HANDED_OVER: "Sending",
    NotificationStatus.DELIVERED: "Sent",
    NotificationStatus.RETRYING: "Failed, trying again",
    NotificationStatus.FAILED: "Failed",
    NotificationStatus.UNCONFIRMED: "Sending was not confirmed",
    NotificationStatus.CANCELLED: "Not sent",
    NotificationStatus.IN_DIGEST: "In a daily digest",
}


def sent_about(session: Session, *, request_id: uuid.UUID | None = None,
               volunteer_id: uuid.UUID | None = None) -> list[SentRow]:
    """Notifications about one request or one advocate, newest first, without their words."""
    where = Notification.request_id == request_id if request_id else Notification.volunteer_id == volunteer_id
    rows = session.execute(sa.select(Notification, User.role).outerjoin(User, User.id == Notification.recipient_id)
                           .where(where).order_by(Notification.created_dt.desc())).all()
    return [SentRow(event=EVENT_NAMES.get(n.event, n.event),
                    to="The parent" if n.to_parent else {"organiser": "An organiser", "volunteer": "The advocate"}
                    .get(role or "", "Someone who has left"),
                    channel="Email" if n.channel == NotificationChannel.EMAIL else "Text message",
                    status=STATUS_NAMES.get(n.status, n.status), created_dt=n.created_dt, sent_dt=n.sent_dt,
                    problem=n.problem)
            for n, role in rows]


def forget_person(session: Session, user_id: uuid.UUID) -> None:
    """An erased account: nothing waiting for them is ever sent."""
    session.execute(sa.update(Notification).where(
        Notification.recipient_id == user_id,
        Notification.status.in_([*NOTIFICATION_DUE, NotificationStatus.HELD_FOR_DIGEST]))
        .values(status=NotificationStatus.CANCELLED, problem="The person's account has gone")
        .execution_options(synchronize_session=False))



# -- what each change tells whom (called by the module that makes the change) ------------------------------

def request_moved(session: Session, request: SupportRequest, new: str, now: datetime) -> None:
    """A request was sent (the parent and the organisers hear) or closed (the parent hears)."""
    from peermatch.models import RequestStatus

    if _is_quiet(session):
        return
    if new == RequestStatus.SUBMITTED:
        tell_parent(session, request, NotificationEvent.REQUEST_RECEIVED, request.id, now)
        tell_organisers(session, request.organisation_id, NotificationEvent.REQUEST_RECEIVED, request.id, now,
                        request_id=request.id)
    elif new in REQUEST_FINISHED and new != RequestStatus.WITHDRAWN:  # the parent who withdrew knows
        tell_parent(session, request, NotificationEvent.REQUEST_CLOSED, request.id, now)


def offer_moved(session: Session, offer: Offer, new: str, now: datetime) -> None:
    """An offer went to the advocate (they hear), or came back or was accepted (the organisers hear)."""
    from peermatch.models import OfferStatus

    if _is_quiet(session):
        return
    events = {OfferStatus.DECLINED: NotificationEvent.OFFER_DECLINED, OfferStatus.LAPSED: NotificationEvent.OFFER_LAPSED,
              OfferStatus.ACCEPTED: NotificationEvent.OFFER_ACCEPTED}
    if new == OfferStatus.OFFERED:
        tell_advocate(session, offer.volunteer, NotificationEvent.OFFER_SENT, offer.id, now,
                      request_id=offer.request_id)
    elif new in events:
        tell_organisers(session, offer.request.organisation_id, events[new], offer.id, now,
                        request_id=offer.request_id, volunteer_id=offer.volunteer_id)


def introduced(session: Session, match: Any, now: datetime) -> None:
    """The advocate was introduced: the parent hears there is news, the advocate that they can begin."""
    if _is_quiet(session):
        return
    tell_parent(session, match.request, NotificationEvent.INTRODUCED, match.id, now)
    tell_advocate(session, match.volunteer, NotificationEvent.INTRODUCED, match.id, now, request_id=match.request_id)


def vetting_decided(session: Session, volunteer: VolunteerProfile, new: str, now: datetime) -> None:
    """An organiser approved, did not approve, suspended or reinstated a volunteer: they hear there is news."""
    from peermatch.models import VolunteerStatus

    if _is_quiet(session):
        return
    if new in (VolunteerStatus.APPROVED, VolunteerStatus.REJECTED, VolunteerStatus.SUSPENDED):
        tell_advocate(session, volunteer, NotificationEvent.VETTING_DECISION, f"{volunteer.id}:{new}:{now.isoformat()}",
                      now)
