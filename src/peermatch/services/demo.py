"""A believable demo network for the embedded database (Faker ``en_GB``, fixed seed).

Five member organisations covering real council areas, about 300 volunteers in every
vetting state, organisers for each organisation and an admin. Loading twice adds nothing
the second time. It holds 270 requests:

- 150 **live** requests in every status, sent in the last 200 days (the ones still open,
  offered or matched in the last month), which the demo accounts and most tests stand on;
- 120 more **finished** requests over the last year (:class:`_History`), sent 35 to 355 days
  ago, spread over every month and organisation: matched, supported with contacts logged
  and closed with an outcome and feedback from both sides, or withdrawn, or closed with no
  advocate available; with offers declined for every reason and offers that lapsed. They
  give every report (time to match, fairness, offers, load, hours given, outcomes)
  something to show. None is older than 355 days, so the nightly purge (365 days by
  default) keeps the whole year. Their number is set by the load time: the demo is loaded
  several times in a test run.

The history is built after the live requests with a random generator and Faker of its
own, so no draw of the live requests (their names, emails and stories, which tests rely
on) moves when the history changes.

Requests, offers and matches are made by the same life-cycle functions people use
(``services.requests``, ``offers``, ``matches``), each "as of" the moment it happened, so
the demo's history obeys every rule the service does: statuses, timelines, places taken
and audit events all agree.
"""

from __future__ import annotations

import random
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.geo import outcode_table
from peermatch.matching import RequestProfile
from peermatch.matching.week import ALL_SLOTS_MASK, mask_from_slots
from peermatch.models import (
    Area,
    ContactMode,
    DeclineReason,
    Gender,
    IssueType,
    Match,
    MatchOutcome,
    MeetingType,
    OFFER_OUTSTANDING,
    Offer,
    Organisation,
    REQUEST_FINISHED,
    RequestLanguage,
    RequestStatus,
    Role,
    SafeContact,
    SupportRequest,
    UnmatchedReason,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.passwords import hash_password
from peermatch.services import advocates, drafts, matches, notifications, offers, requests
from peermatch.services.matching import request_profiles, volunteer_profiles
from peermatch.services.reference_data import ensure_area, seed_issue_types, slugify

DEMO_PASSWORD = "peermatch-demo"
# Demo staff have two-factor set up with this published key (never a real account's):
# add it to an authenticator app, or run `peermatch demo-code` for the current code.
DEMO_TOTP_SECRET = "PEERMATCHDEMOKEYPEERMATCHDEMOKEY"
DEMO_DOMAIN = "example.org"  # reserved for examples (RFC 2606): never a real inbox

ORGANISATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Furness and Cumbria Parents Together", ("Cumbria", "Lancashire")),
    ("West Yorkshire Parent Advocacy", ("Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale")),
    ("Birmingham and Black Country Family Voices", ("Birmingham", "Sandwell", "Dudley", "Wolverhampton", "Walsall")),
    ("London Parents' Network", ("Greater London",)),
    ("Kent and Sussex Parent Advocates", ("Kent", "East Sussex", "West Sussex")),
)

# When a message is safe, following each demo parent's own words (weekly grid: days 0-6, parts 0-2).
DEMO_MESSAGE_TIMES = {
    "Weekdays 9:30am to 2:30pm": mask_from_slots((day, part) for day in range(5) for part in (0, 1)),
    "After 6pm": mask_from_slots((day, 2) for day in range(7)),
    "Any time": ALL_SLOTS_MASK,
    "Mornings only": mask_from_slots((day, 0) for day in range(7)),
}
SECOND_LANGUAGES = ("pl", "ur", "pa", "bn", "ro", "ar", "so", "gu", "cy", "bsl", "pt", "lt")


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    organisation: str


@dataclass(frozen=True)
class DemoResult:
    created: bool
    sign_ins: list[DemoSignIn]
    counts: dict[str, int]


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_sign_ins(session: Session) -> list[DemoSignIn]:
    """The fixed accounts a person can try each role with (all share ``DEMO_PASSWORD``)."""
    rows = session.execute(
        sa.select(User.role, User.email, Organisation.name)
        .outerjoin(Organisation, User.organisation_id == Organisation.id)
        .where(User.email.in_([_email(x) for x in ("admin", "organiser1", "organiser2", "organiser3",
                                                     "organiser4", "organiser5", "parent", "volunteer", "applicant")]))
        .order_by(User.role, User.email)
    ).all()
    return [DemoSignIn(role, email, org or "") for role, email, org in rows]


def _counts(session: Session) -> dict[str, int]:
    def count(model: type) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    return {
        "organisations": count(Organisation),
        "volunteers": count(VolunteerProfile),
        "requests": count(SupportRequest),
        "offers": count(Offer),
        "matches": count(Match),
        "users": count(User),
    }


def load_demo_data(session: Session, now: datetime, seed: int = 2026) -> DemoResult:
    """Fill an empty database with the demo network as of ``now``; do nothing if it is already there."""
    seed_issue_types(session)
    if session.scalar(sa.select(User).where(User.email == _email("admin"))) is not None:
        return DemoResult(False, demo_sign_ins(session), _counts(session))
    # Months of history, as of past moments: nobody is told about any of it.
    with notifications.quiet(session):
        _DemoBuilder(session, now, seed).build()
        session.flush()
    return DemoResult(True, demo_sign_ins(session), _counts(session))


class _DemoBuilder:
    def __init__(self, session: Session, now: datetime, seed: int) -> None:
        self.session = session
        self.now = now
        self.today = clock.today(now)
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.password_hash = hash_password(DEMO_PASSWORD)  # one hash: argon2 per user would take minutes
        self.issue_types = list(session.scalars(sa.select(IssueType).order_by(IssueType.position)))
        self.issue_codes = {t.id: t.code for t in self.issue_types}
        self.used_emails: set[str] = set()
        self.areas: dict[str, Area] = {}  # by county, read once
        self.demo_offer_given = False
        # Offers sent and still waiting for an answer, by advocate: each holds a place, as the rules say,
        # so the demo never has an advocate with more offers waiting than places free.
        self.waiting: Counter[object] = Counter()

    # -- people -------------------------------------------------------------------------------
    def user(self, role: Role, name: str, organisation: Organisation | None = None, email: str | None = None,
             rng: random.Random | None = None) -> User:
        if email is None:
            base = slugify(name).replace("-", ".") or "person"
            email = _email(base)
            n = 1
            while email in self.used_emails:
                n += 1
                email = _email(f"{base}{n}")
        self.used_emails.add(email)
        user = User(
            email=email, password_hash=self.password_hash, role=role, display_name=name,
            organisation_id=organisation.id if organisation else None,
            created_dt=self.now - timedelta(days=(rng or self.rng).randint(30, 700)),
        )
        if role in (Role.ORGANISER, Role.ADMIN):
            user.totp_secret, user.totp_enabled_dt = DEMO_TOTP_SECRET, user.created_dt
        self.session.add(user)
        return user

    def build(self) -> None:
        self.session.add(self._admin())
        self.organisations: list[tuple[Organisation, list[str]]] = []
        self.organisers: dict[object, User] = {}
        for index, (name, counties) in enumerate(ORGANISATIONS, start=1):
            org = Organisation(name=name, slug=slugify(name), contact_email=_email(f"hello.{index}"))
            self.session.add(org)
            self.session.flush()
            outcodes: list[str] = []
            for county in counties:
                area = ensure_area(self.session, county, org)
                outcodes += [row.outcode for row in area.outcodes]
            self.organisations.append((org, sorted(outcodes)))
            self.organisers[org.id] = self.user(Role.ORGANISER, self.fake.name(), org,
                                                email=_email(f"organiser{index}"))
            for _ in range(self.rng.randint(1, 2)):
                self.user(Role.ORGANISER, self.fake.name(), org)
        self.session.flush()
        self.volunteers = [self._volunteer(i) for i in range(300)]
        self.session.flush()
        self.profiles = {p.id: p for p in volunteer_profiles(self.session)}
        for i in range(150):
            self._request(i)
        _History(self, self.seed).build()

    def _admin(self) -> User:
        return self.user(Role.ADMIN, "Network Admin", email=_email("admin"))

    def _availability(self, density: float, rng: random.Random | None = None) -> int:
        rng = rng or self.rng
        mask = 0
        for bit in range(21):
            if rng.random() < density:
                mask |= 1 << bit
        return mask or (1 << rng.randrange(21))

    def _volunteer(self, i: int) -> VolunteerProfile:
        """A volunteer who applied, was vetted and decided on through ``services.advocates``, as of then."""
        org, outcodes = self.organisations[i % len(self.organisations)]
        gender = self.rng.choices([Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, None], [70, 24, 2, 4])[0]
        first = (self.fake.first_name_female() if gender == Gender.WOMAN else self.fake.first_name_male()
                 if gender == Gender.MAN else self.fake.first_name())
        email = _email("volunteer") if i == 0 else _email("applicant") if i == 1 else None
        # Most are approved; some are still applying, some stepped back, a few were not approved.
        status = VolunteerStatus.APPROVED if i == 0 else VolunteerStatus.APPLICATION_RECEIVED if i == 1 else self.rng.choices(
            [VolunteerStatus.APPROVED, VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.INACTIVE, VolunteerStatus.REJECTED],
            [78, 14, 6, 2],
        )[0]
        three_years = 3 * 365
        vetting_lag = timedelta(days=15)  # applied → DBS check done
        if status == VolunteerStatus.APPLICATION_RECEIVED:
            days_ago = self.rng.randint(3, 30)
        elif i != 0 and self.rng.random() < 0.08:  # their DBS check has run out and needs renewing
            days_ago = three_years + self.rng.randint(1, 90) + vetting_lag.days
        elif i != 0 and self.rng.random() < 0.06:  # it runs out within the month
            days_ago = three_years - self.rng.randint(1, 29) + vetting_lag.days
        else:
            days_ago = self.rng.randint(45, 900)
        applied = self.now - timedelta(days=days_ago, hours=self.rng.randint(0, 8))
        user = self.user(Role.VOLUNTEER, first, org, email=email)
        user.created_dt = applied - timedelta(hours=1)
        experience = self.rng.sample(self.issue_types, self.rng.randint(2, 5))
        others = [t for t in self.issue_types if t not in experience]
        languages = {"en"}
        if self.rng.random() < 0.22:
            languages.add(self.rng.choice(SECOND_LANGUAGES))
        modes = [mode for mode, chance in (("in_person", 0.8), ("phone", 0.9), ("video", 0.6))
                 if self.rng.random() < chance] or ["phone"]
        answers = advocates.Application(
            lived_experience=[t.code for t in experience],
            opt_outs=[] if i == 0 else [t.code for t in self.rng.sample(others, self.rng.choice([0, 0, 0, 1]))],
            languages=sorted(languages), gender=gender or "", support_modes=modes,
            postcode=self.rng.choice(outcodes), travel_km=float(self.rng.choice([5, 10, 15, 20, 30, 50])),
            network_wide=self.rng.random() < 0.15, introduction=self.fake.paragraph(nb_sentences=3),
            capacity=self.rng.choices([1, 2, 3, 4], [35, 35, 20, 10])[0],
            availability_mask=self._availability(self.rng.choice([0.2, 0.35, 0.5])), organisation_id=org.id,
        )
        if i == 0:  # the demo advocate's account: free most of the week, so it has offers to answer
            answers.availability_mask, answers.capacity, answers.travel_km = (1 << 21) - 1, 3, 50.0
            answers.support_modes = ["in_person", "phone", "video"]
        self.session.flush()
        profile = advocates.apply(self.session, user, answers, applied)
        organiser = self.organisers[org.id]
        checked = applied + vetting_lag
        if status == VolunteerStatus.APPLICATION_RECEIVED:
            if self.rng.random() < 0.5:  # vetting under way: references asked for, one back sometimes
                asked = applied + timedelta(days=1)
                back = asked + timedelta(days=1) if self.rng.random() < 0.5 else None
                advocates.record_vetting(self.session, profile, advocates.VettingChecks(
                    dbs_checked_on=None, dbs_expires_on=None, dbs_certificate_ref="", training_completed_on=None,
                    references=((clock.today(asked), clock.today(back) if back else None, None),
                                (clock.today(asked), None, None)),
                    notes=""), organiser, back or asked)
            return profile
        refs = [(clock.today(applied + timedelta(days=2)), clock.today(applied + timedelta(days=5 + n)),
                 clock.today(applied + timedelta(days=6 + n))) for n in (0, 2)]
        vetted = applied + timedelta(days=16)
        advocates.record_vetting(self.session, profile, advocates.VettingChecks(
            dbs_checked_on=clock.today(checked), dbs_expires_on=clock.today(checked) + timedelta(days=three_years),
            dbs_certificate_ref=f"{self.rng.randint(0, 10**12 - 1):012d}",
            training_completed_on=clock.today(applied + timedelta(days=12)), references=(refs[0], refs[1]),
            notes=""), organiser, vetted)
        if status == VolunteerStatus.REJECTED:
            advocates.reject(self.session, profile, organiser, vetted, "A reference raised a concern")
            return profile
        advocates.approve(self.session, profile, organiser, vetted)
        if status == VolunteerStatus.INACTIVE:
            advocates.step_back(self.session, profile, user, vetted + timedelta(days=self.rng.randint(5, 25)),
                                "Taking a break")
        elif self.rng.random() < 0.1:
            start = self.today + timedelta(days=self.rng.randint(-5, 40))
            advocates.add_pause(self.session, profile, start, start + timedelta(days=self.rng.randint(3, 14)), "Away",
                                user, min(self.now, clock.local_time(start, time(9, 0)) - timedelta(days=3)))
        return profile

    # -- requests: built through the life-cycle functions, at the moments each step happened --------
    def _request(self, i: int) -> None:
        org, outcodes = self.organisations[i % len(self.organisations)]
        status = self.rng.choices(
            [RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED,
             RequestStatus.MATCHED, RequestStatus.CLOSED, RequestStatus.WITHDRAWN, RequestStatus.CLOSED_UNMATCHED],
            [6, 14, 30, 14, 26, 40, 8, 6],
        )[0]
        if i == 0:
            status = RequestStatus.MATCHED
        name = self.fake.first_name_female() if self.rng.random() < 0.8 else self.fake.first_name_male()
        parent = self.user(Role.PARENT, name, email=_email("parent") if i == 0 else None)
        outcode = self.rng.choice(outcodes)
        issues = self.rng.sample(self.issue_types, self.rng.randint(1, 3))
        closed_long_ago = status in REQUEST_FINISHED
        # Old enough for every step of its story to have happened before today.
        days_ago = (self.rng.randint(40, 200) if closed_long_ago else self.rng.randint(5, 30)
                    if status in (RequestStatus.OFFERED, RequestStatus.MATCHED) else self.rng.randint(0, 30))
        submitted = self.now - timedelta(days=days_ago, minutes=self.rng.randint(0, 600))
        has_meeting = self.rng.random() < 0.55
        if has_meeting and not closed_long_ago:
            meeting = self.today + timedelta(days=self.rng.randint(2, 25))
        elif has_meeting:
            meeting = submitted.date() + timedelta(days=self.rng.randint(5, 20))
        else:
            meeting = None
        request = self._draft(self.rng, parent, org, outcode, issues, meeting, submitted)
        if status == RequestStatus.DRAFT:
            request.draft_answers = {"issue_types": [t.code for t in issues]}
            return
        self._submit(self.rng, self.fake, request, parent, name, submitted)
        if status == RequestStatus.SUBMITTED:
            return
        organiser = self.organisers[org.id]
        opened = submitted + timedelta(hours=self.rng.randint(1, 30))
        requests.acknowledge(self.session, request, organiser, opened)
        if status == RequestStatus.WITHDRAWN:
            requests.withdraw(self.session, request, parent, opened + timedelta(days=self.rng.randint(1, 10)))
            return
        if status == RequestStatus.OPEN:
            return
        if status == RequestStatus.CLOSED_UNMATCHED:
            requests.close_unmatched(self.session, request, organiser, opened + timedelta(days=self.rng.randint(10, 30)),
                                     UnmatchedReason.NO_ADVOCATE_AVAILABLE)
            return
        self._offers_for(request, organiser, opened, status)

    def _draft(self, rng: random.Random, parent: User, org: Organisation, outcode: str, issues: list[IssueType],
               meeting: date | None, submitted: datetime, *, english: float = 0.85,
               second_languages: tuple[int, ...] | None = None,
               advocate_genders: tuple[int, int, int] = (75, 22, 3)) -> SupportRequest:
        """A parent's request filled in answer by answer (not sent yet), with answers drawn from ``rng``.

        ``english`` is the share of parents who speak English; the others speak one of
        :data:`SECOND_LANGUAGES`, equally often unless ``second_languages`` weighs them.
        ``advocate_genders`` weighs no preference, a woman and a man.
        """
        centre = outcode_table()[outcode]
        area = self.areas.get(centre.county)
        if area is None:
            area = self.areas[centre.county] = ensure_area(self.session, centre.county)
        parent.created_dt = min(parent.created_dt, submitted - timedelta(minutes=20))
        self.session.flush()
        request = requests.start_draft(self.session, parent)
        for column, value in dict(
            organisation_id=org.id, area_id=area.id, outcode=outcode,
            latitude=centre.latitude, longitude=centre.longitude, main_issue_id=issues[0].id,
            meeting_type=rng.choice(list(MeetingType)) if meeting else None,
            meeting_date=meeting, meeting_part=rng.randint(0, 2) if meeting else None,
            availability_mask=self._availability(0.4, rng),
            accepts_in_person=rng.random() < 0.7, accepts_phone=rng.random() < 0.85,
            accepts_video=rng.random() < 0.4, interpreter_ok=rng.random() < 0.3,
            advocate_gender=rng.choices([None, Gender.WOMAN, Gender.MAN], advocate_genders)[0],
            created_dt=submitted - timedelta(minutes=15),
        ).items():
            setattr(request, column, value)
        if not (request.accepts_in_person or request.accepts_phone or request.accepts_video):
            request.accepts_phone = True
        request.issue_types = issues
        if rng.random() < english:
            languages = ["en"]
        else:
            languages = [rng.choice(SECOND_LANGUAGES) if second_languages is None
                         else rng.choices(SECOND_LANGUAGES, second_languages)[0]]
        request.language_rows = [RequestLanguage(language=code) for code in languages]
        self.session.add(request)
        self.session.flush()
        return request

    def _submit(self, rng: random.Random, fake: Faker, request: SupportRequest, parent: User, name: str,
                submitted: datetime) -> None:
        """The parent says how it is safe to contact them, consents and sends the request at ``submitted``."""
        request.safe_contact = SafeContact(
            name_to_ask_for=name, email_ok=rng.random() < 0.6, email=parent.email,
            phone_ok=rng.random() < 0.7, text_ok=rng.random() < 0.8, phone=fake.cellphone_number(),
            voicemail_ok=rng.random() < 0.3,
            safe_times=rng.choice(list(DEMO_MESSAGE_TIMES)),
        )
        drafts.record_consent(self.session, request, parent, "2026-11", submitted - timedelta(minutes=1))
        request.draft_answers = {**request.draft_answers, "meeting_answered": True, "languages_answered": True,
                                 "gender_answered": True, "location": "postcode"}
        if drafts.messages_allowed(request):
            drafts.save_message_times(self.session, request, DEMO_MESSAGE_TIMES[request.safe_contact.safe_times])
        requests.submit(self.session, request, parent, submitted)

    def _candidates(self, request: SupportRequest, day: date, profile: RequestProfile | None = None,
                    among: list[VolunteerProfile] | None = None) -> list[VolunteerProfile]:
        """Advocates (of ``among``, else all) the matching rules allow for this request on ``day``.

        The demo's offers go only to people an organiser could really have offered, so the
        demo shows the engine's rules at work rather than random pairs. Pass the request's
        ``profile`` when it is already read. The issue codes are passed in because, with the
        demo not yet committed, the engine's snapshot would otherwise be rebuilt for every request.
        """
        from peermatch.matching import check_rules

        if profile is None:
            profile = request_profiles(self.session, [request], self.issue_codes)[0]
        found = []
        for v in self.volunteers if among is None else among:
            known = self.profiles.get(str(v.id))
            # Another organisation's advocate who did not opt in network-wide never fits: skip the checks.
            if known is None or not (known.network_wide or known.organisation_id == profile.organisation_id):
                continue
            if known.active_matches != v.active_match_count or self.waiting[v.id]:
                known = replace(known, active_matches=v.active_match_count, offers_waiting=self.waiting[v.id])
            if not check_rules(profile, known, day):
                found.append(v)
        return found

    def _send(self, request: SupportRequest, volunteer: VolunteerProfile, organiser: User, when: datetime,
              rng: random.Random | None = None) -> Offer:
        score = round((rng or self.rng).uniform(0.45, 0.95), 3)
        offer = offers.propose(self.session, request, volunteer, organiser, when, score=score, model_version="default-1",
                               explanation=[{"feature": "lived_experience", "label": "Lived experience of the main issue",
                                             "contribution": round(score * 0.5, 3)}])
        offers.approve(self.session, offer, organiser, when)
        return offers.send(self.session, offer, organiser, when)

    def _answer_time(self, offer: Offer, hours: int) -> datetime:
        """When the advocate answered: ``hours`` after it was sent, but always before it lapsed."""
        assert offer.offered_dt is not None and offer.expires_dt is not None
        return min(offer.offered_dt + timedelta(hours=hours), offer.expires_dt - timedelta(minutes=5))

    def _offers_for(self, request: SupportRequest, organiser: User, opened: datetime, status: str) -> None:
        final = opened + timedelta(hours=self.rng.randint(2, 48))
        if status == RequestStatus.OFFERED:
            # Offers still waiting were sent in the last day, so they have not lapsed yet;
            # the demo advocate gets the first one, so that account has something to answer.
            final = self.now - timedelta(hours=self.rng.randint(1, 20))
        candidates = self._candidates(request, clock.today(final))
        if not candidates:
            if status in REQUEST_FINISHED and request.meeting_date is not None and request.meeting_date < self.today:
                # Its meeting is long past: an organiser closed it, not a request still waiting today.
                requests.close_unmatched(self.session, request, organiser, final,
                                         UnmatchedReason.NO_ADVOCATE_AVAILABLE)
            return  # otherwise nobody fits yet: it is still waiting, as real requests sometimes are
        # A declined offer first, sometimes: the organiser had to try again.
        if self.rng.random() < 0.3 and len(candidates) > 1:
            first = self.rng.choice(candidates)
            sent = opened + timedelta(minutes=30)
            declined = self._send(request, first, organiser, sent)
            answered = self._answer_time(declined, self.rng.randint(1, 30))
            if status != RequestStatus.OFFERED:
                final = max(final, answered + timedelta(hours=self.rng.randint(1, 10)))
            offers.decline(self.session, declined, first.user, self.rng.choice(list(DeclineReason)), "",
                           min(answered, final - timedelta(minutes=10)))
            candidates.remove(first)
        volunteer = self.rng.choice(candidates)
        demo_advocate = self.volunteers[0]
        if status == RequestStatus.OFFERED and not self.demo_offer_given and demo_advocate in candidates:
            volunteer, self.demo_offer_given = demo_advocate, True
        offer = self._send(request, volunteer, organiser, final)
        if status == RequestStatus.OFFERED:
            if self.rng.random() < 0.3 and volunteer is not demo_advocate:
                # Accepted a moment ago: waiting for the organiser to introduce them.
                offers.accept(self.session, offer, volunteer.user, min(self._answer_time(offer, 1), self.now))
            else:
                self.waiting[volunteer.id] += 1
            return
        accepted = self._answer_time(offer, self.rng.randint(1, 20))
        match = offers.accept(self.session, offer, volunteer.user, accepted)
        accepted = accepted + timedelta(hours=self.rng.randint(1, 6))
        matches.introduce(self.session, match, organiser, accepted)
        ended = status == RequestStatus.CLOSED
        ending = min(accepted + timedelta(days=self.rng.randint(10, 60)), self.now - timedelta(hours=1))
        last = ending if ended else self.now
        for n in range(self.rng.randint(1, 5) if ended or self.rng.random() < 0.5 else 0):
            moment = max(clock.local_time(clock.today(accepted) + timedelta(days=2 + 4 * n), time(18, 0)), accepted)
            if moment >= last:
                break
            matches.log_contact(
                self.session, match, volunteer.user, clock.today(moment), self.rng.choice(list(ContactMode)),
                self.rng.choice([15, 30, 45, 60, 90, 120, 180]),
                self.rng.choice(["Talked through the conference report", "Went to the meeting together",
                                 "Phone call to prepare questions", "Checked in after the meeting"]),
                moment)
        if not ended:
            return
        outcome = self.rng.choices(list(MatchOutcome), [50, 20, 12, 8, 3, 7])[0]
        rating = self.rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0]
        matches.end_support(self.session, match, volunteer.user, ending, outcome=outcome, outcome_note="",
                            rating=rating, comments=self.fake.sentence())
        if self.rng.random() < 0.7:
            matches.give_parent_feedback(self.session, request, request.parent, self.rng.choices(
                [5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0], self.fake.sentence(), ending + timedelta(minutes=30))


# -- a year of history -----------------------------------------------------------------------------------

HISTORY_REQUESTS = 120
# Sent this many days before now: a month of room for every story to finish before today, and never older
# than 355 days, so the nightly purge (365 days by default) leaves the whole year in place.
HISTORY_DAYS = (35, 355)
# A quarter of history parents speak another language than English, Polish and Urdu most (weights in the
# order of SECOND_LANGUAGES), and some ask for a man: so reports by language and by the advocate asked
# for have groups big enough to show past the suppression of small ones.
HISTORY_ENGLISH = 0.75
HISTORY_SECOND_LANGUAGES = (26, 22, 12, 12, 8, 8, 3, 3, 2, 2, 1, 1)
HISTORY_ADVOCATE_GENDERS = (70, 24, 6)
URGENT_DAYS = 7
# Hours from opening a request to the first offer, as a base and a scarcity factor: the wait is about
# BASE × (1 + SCARCITY / the number of advocates who fit), so a request few advocates fit waits far longer.
BASE_WAIT_HOURS = 8.0
SCARCITY = 15.0
LONGEST_WAIT = timedelta(days=10)
CONTACT_MINUTES = {
    ContactMode.PHONE: (15, 20, 30, 45, 60), ContactMode.IN_PERSON: (45, 60, 90, 120),
    ContactMode.MEETING: (60, 90, 120, 180, 240), ContactMode.TEXT: (5, 10, 15),
    ContactMode.VIDEO: (30, 45, 60), ContactMode.EMAIL: (10, 15, 20),
}
CONTACT_NOTES = ("Talked through the conference report", "Went to the meeting together",
                 "Phone call to prepare questions", "Checked in after the meeting", "Helped write down what to say",
                 "Explained what the plan means", "Read the letter from the council together")


class _History:
    """A year of finished requests, built after the live ones with a random generator and Faker of its own.

    Its own generator and Faker (seeded apart from the live demo's) mean adding or changing
    history never moves a draw of the live requests, whose names, emails and stories the
    tests and the README rely on. Every request goes through the same life-cycle functions
    as the live ones, at the moments each step happened; each runs to its end before the
    next is built, so the places its match took are free again.

    How long a request waits for its first offer emerges from how many advocates the
    matching rules allow: few fit (a language few speak, a thinly covered area, an advocate
    gender asked for) and the organisers take far longer, or close it with nobody available.
    """

    def __init__(self, demo: _DemoBuilder, seed: int) -> None:
        self.demo = demo
        self.session = demo.session
        self.now = demo.now
        self.rng = random.Random(seed + 12)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + 12)
        # Never the demo advocate: its offers page stays as the live requests left it.
        self.pool = demo.volunteers[1:]
        self.busy = self._places_taken()
        # The first declines give each reason once (in a drawn order), so every reason is on the reports.
        self.reasons_to_show = self.rng.sample(list(DeclineReason), len(DeclineReason))

    def _places_taken(self) -> dict[object, list[tuple[datetime, datetime]]]:
        """When the live requests' offers and matches held each advocate's places (until now if still open)."""
        busy: dict[object, list[tuple[datetime, datetime]]] = defaultdict(list)
        for volunteer_id, sent, answered, updated, status in self.session.execute(
                sa.select(Offer.volunteer_id, Offer.offered_dt, Offer.responded_dt, Offer.updated_dt, Offer.status)):
            ended = self.now if status in OFFER_OUTSTANDING else answered or updated
            busy[volunteer_id].append((sent or updated, ended))
        for volunteer_id, accepted, ended in self.session.execute(
                sa.select(Match.volunteer_id, Match.accepted_dt, Match.ended_dt)):
            busy[volunteer_id].append((accepted, ended or self.now))
        return busy

    def _free(self, volunteer: VolunteerProfile, start: datetime, end: datetime) -> bool:
        """The advocate has a place free from ``start`` to ``end``, counting every offer and match that overlaps."""
        overlapping = sum(1 for s, e in self.busy[volunteer.id] if s <= end and e >= start)
        return overlapping < volunteer.capacity and volunteer.active_match_count < volunteer.capacity

    def _wait(self, fitting: int, urgent: bool, base: float = BASE_WAIT_HOURS) -> timedelta:
        """How long the organisers took to find someone when ``fitting`` advocates fit: longer the fewer fit."""
        hours = base * (1 + SCARCITY / max(fitting, 1)) * self.rng.lognormvariate(0, 0.35)
        return min(timedelta(hours=hours * (0.3 if urgent else 1)), LONGEST_WAIT)

    def build(self) -> None:
        first, last = HISTORY_DAYS
        for i in range(HISTORY_REQUESTS):
            # Spread evenly over the year, oldest first, each organisation in turn.
            days_ago = last - (last - first) * (i + self.rng.random()) / HISTORY_REQUESTS
            self._request(i, self.now - timedelta(days=days_ago))

    def _request(self, i: int, submitted: datetime) -> None:
        demo, rng, session = self.demo, self.rng, self.session
        org, outcodes = demo.organisations[i % len(demo.organisations)]
        organiser = demo.organisers[org.id]
        plan = rng.choices(["closed", "withdrawn", "unmatched"], [76, 12, 12])[0]
        name = self.fake.first_name_female() if rng.random() < 0.8 else self.fake.first_name_male()
        parent = demo.user(Role.PARENT, name, rng=rng)
        outcode = rng.choice(outcodes)
        issues = rng.sample(demo.issue_types, rng.randint(1, 3))
        sent_on, kind = clock.today(submitted), rng.random()
        # About 30% urgent (a meeting within a week), some with a meeting further off, most with none.
        meeting = (sent_on + timedelta(days=rng.randint(1, URGENT_DAYS)) if kind < 0.3
                   else sent_on + timedelta(days=rng.randint(URGENT_DAYS + 1, 35)) if kind < 0.5 else None)
        urgent = kind < 0.3
        request = demo._draft(rng, parent, org, outcode, issues, meeting, submitted, english=HISTORY_ENGLISH,
                              second_languages=HISTORY_SECOND_LANGUAGES, advocate_genders=HISTORY_ADVOCATE_GENDERS)
        demo._submit(rng, self.fake, request, parent, name, submitted)
        opened = submitted + timedelta(hours=rng.uniform(0.5, 4) if urgent else rng.uniform(1, 30))
        requests.acknowledge(session, request, organiser, opened)
        profile = request_profiles(session, [request], demo.issue_codes)[0]
        fit = [v for v in demo._candidates(request, clock.today(opened), profile, self.pool)
               if v.approved_dt is not None and v.approved_dt < opened and self._free(v, opened, opened)]
        if plan == "withdrawn" and (not fit or rng.random() < 0.4):
            # The parent found support elsewhere, or no longer wanted it, before anyone was offered.
            requests.withdraw(session, request, parent, opened + self._wait(len(fit), urgent) * rng.uniform(0.2, 0.9))
            return
        if not fit:
            # Nobody the rules allow: the organisers kept looking for a while, then closed it.
            requests.close_unmatched(session, request, organiser, opened + timedelta(days=rng.randint(5, 21)),
                                     UnmatchedReason.NO_ADVOCATE_AVAILABLE)
            return
        self._offers(request, organiser, fit, opened + self._wait(len(fit), urgent), plan, urgent)

    def _offers(self, request: SupportRequest, organiser: User, fit: list[VolunteerProfile], when: datetime,
                plan: str, urgent: bool) -> None:
        """Offers one after another from ``when`` until one is accepted, the parent withdraws or the organisers stop."""
        rng, session = self.rng, self.session
        meeting_starts = (clock.local_time(request.meeting_date, offers.PART_OF_DAY_STARTS[request.meeting_part or 0])
                          if request.meeting_date else None)
        attempts = rng.choice([1, 1, 2, 3]) if plan == "unmatched" else 3
        tried: list[VolunteerProfile] = []
        for attempt in range(attempts):
            if plan == "withdrawn":
                answer = "withdrawn" if rng.random() < 0.4 else "supported"
            elif plan == "unmatched":
                answer = rng.choices(["declined", "lapsed"], [60, 40])[0]
            elif attempt == attempts - 1:
                answer = "supported"
            else:
                answer = rng.choices(["supported", "declined", "lapsed"], [70, 19, 11])[0]
            deadline = offers.offer_deadline(when, offers.lapse_hours(), request.meeting_date, request.meeting_part)
            answered = min(when + timedelta(hours=rng.uniform(1, 30)), deadline - timedelta(minutes=5))
            introduced = answered + timedelta(hours=rng.uniform(1, 24))
            if answer == "lapsed":
                done = deadline + timedelta(minutes=rng.randint(5, 180))  # the worker's next run lapses it
            elif answer == "declined":
                done = answered
            elif answer == "withdrawn":  # the parent cancelled while the offer waited
                done = min(when + timedelta(hours=rng.uniform(1, 20)), deadline - timedelta(minutes=10))
            else:  # supported until the end (or, for a parent who withdraws later, for a while)
                days = rng.randint(2, 20) if plan == "withdrawn" else rng.randint(5, 25) if urgent else rng.randint(10, 70)
                done = min(introduced + timedelta(days=days), self.now - timedelta(hours=2))
            available = [v for v in fit if v not in tried and v.approved_dt < when and self._free(v, when, done)
                         and self.demo.profiles[str(v.id)].dbs_expires_on >= clock.today(when)]
            if not available or (meeting_starts is not None and when >= meeting_starts) \
                    or when >= self.now - timedelta(days=5):
                break  # nobody left who fits, or the meeting has gone by without an advocate
            volunteer = rng.choice(available)
            tried.append(volunteer)
            offer = self.demo._send(request, volunteer, organiser, when, rng)
            self.busy[volunteer.id].append((when, done))
            if answer == "declined":
                reason = (self.reasons_to_show.pop() if self.reasons_to_show
                          else rng.choices(list(DeclineReason), [35, 12, 10, 13, 15, 15])[0])
                note = rng.choice(["Away that week", "Already supporting a family at the same school",
                                   ""]) if reason == DeclineReason.OTHER else ""
                offers.decline(session, offer, volunteer.user, reason, note, done)
            elif answer == "lapsed":
                offers.lapse(session, offer, done)
            elif answer == "withdrawn":
                requests.withdraw(session, request, request.parent, done)
                return
            else:
                self._support(request, offer, organiser, answered, introduced, done, plan == "withdrawn")
                return
            left = len(fit) - len(tried)
            when = done + self._wait(left, urgent, base=3.0)
        # Everyone who fits said no or did not answer, or the meeting went by: the organisers closed it.
        requests.close_unmatched(session, request, organiser, min(when, self.now - timedelta(days=1)),
                                 UnmatchedReason.NO_ADVOCATE_AVAILABLE)

    def _support(self, request: SupportRequest, offer: Offer, organiser: User, accepted: datetime,
                 introduced: datetime, ended: datetime, withdrawn: bool) -> None:
        """The advocate accepts, is introduced, logs contacts and ends the support with feedback (or the parent
        withdraws part way)."""
        rng, session = self.rng, self.session
        advocate = offer.volunteer.user
        match = offers.accept(session, offer, advocate, accepted)
        matches.introduce(session, match, organiser, introduced)
        contacts = rng.randint(0, 2) if withdrawn else rng.randint(1, 4)
        for n in range(contacts):
            moment = introduced + (ended - introduced) * (n + 1) / (contacts + 1)
            mode = rng.choices(list(CONTACT_MINUTES), [35, 15, 20, 15, 8, 7])[0]
            matches.log_contact(session, match, advocate, clock.today(moment), mode,
                                rng.choice(CONTACT_MINUTES[mode]), rng.choice(CONTACT_NOTES), moment)
        if withdrawn:
            requests.withdraw(session, request, request.parent, ended)
            return
        outcome = rng.choices(list(MatchOutcome), [50, 20, 12, 8, 3, 7])[0]
        matches.end_support(session, match, advocate, ended, outcome=outcome, outcome_note="",
                            rating=rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0], comments=self.fake.sentence())
        if rng.random() < 0.65:
            matches.give_parent_feedback(session, request, request.parent, rng.choices([5, 4, 3, 2, 1],
                                         [55, 28, 10, 4, 3])[0], self.fake.sentence(),
                                         min(ended + timedelta(hours=rng.uniform(1, 96)), self.now - timedelta(minutes=30)))
