"""A believable demo network for the embedded database (Faker ``en_GB``, fixed seed).

Five member organisations covering real council areas, about 300 volunteers in every
vetting state, about 150 requests in every status with realistic dates, organisers
for each organisation and an admin. Loading twice adds nothing the second time.

Requests, offers and matches are made by the same life-cycle functions people use
(``services.requests``, ``offers``, ``matches``), each "as of" the moment it happened, so
the demo's history obeys every rule the service does: statuses, timelines, places taken
and audit events all agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.geo import outcode_table
from peermatch.matching.week import ALL_SLOTS_MASK, mask_from_slots
from peermatch.models import (
    ContactMode,
    DeclineReason,
    Gender,
    IssueType,
    Match,
    MatchOutcome,
    MeetingType,
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
from peermatch.services.matching import request_profile, volunteer_profiles
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
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.password_hash = hash_password(DEMO_PASSWORD)  # one hash: argon2 per user would take minutes
        self.issue_types = list(session.scalars(sa.select(IssueType).order_by(IssueType.position)))
        self.used_emails: set[str] = set()
        self.demo_offer_given = False

    # -- people -------------------------------------------------------------------------------
    def user(self, role: Role, name: str, organisation: Organisation | None = None, email: str | None = None) -> User:
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
            created_dt=self.now - timedelta(days=self.rng.randint(30, 700)),
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

    def _admin(self) -> User:
        return self.user(Role.ADMIN, "Network Admin", email=_email("admin"))

    def _availability(self, density: float) -> int:
        mask = 0
        for bit in range(21):
            if self.rng.random() < density:
                mask |= 1 << bit
        return mask or (1 << self.rng.randrange(21))

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
        centre = outcode_table()[outcode]
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
        area = ensure_area(self.session, outcode_table()[outcode].county)
        parent.created_dt = min(parent.created_dt, submitted - timedelta(minutes=20))
        self.session.flush()
        request = requests.start_draft(self.session, parent)
        for column, value in dict(
            organisation_id=org.id, area_id=area.id, outcode=outcode,
            latitude=centre.latitude, longitude=centre.longitude, main_issue_id=issues[0].id,
            meeting_type=self.rng.choice(list(MeetingType)) if meeting else None,
            meeting_date=meeting, meeting_part=self.rng.randint(0, 2) if meeting else None,
            availability_mask=self._availability(0.4),
            accepts_in_person=self.rng.random() < 0.7, accepts_phone=self.rng.random() < 0.85,
            accepts_video=self.rng.random() < 0.4, interpreter_ok=self.rng.random() < 0.3,
            advocate_gender=self.rng.choices([None, Gender.WOMAN, Gender.MAN], [75, 22, 3])[0],
            created_dt=submitted - timedelta(minutes=15),
        ).items():
            setattr(request, column, value)
        if not (request.accepts_in_person or request.accepts_phone or request.accepts_video):
            request.accepts_phone = True
        request.issue_types = issues
        languages = ["en"] if self.rng.random() < 0.85 else [self.rng.choice(SECOND_LANGUAGES)]
        request.language_rows = [RequestLanguage(language=code) for code in languages]
        self.session.add(request)
        self.session.flush()
        if status == RequestStatus.DRAFT:
            request.draft_answers = {"issue_types": [t.code for t in issues]}
            return
        request.safe_contact = SafeContact(
            name_to_ask_for=name, email_ok=self.rng.random() < 0.6, email=parent.email,
            phone_ok=self.rng.random() < 0.7, text_ok=self.rng.random() < 0.8, phone=self.fake.cellphone_number(),
            voicemail_ok=self.rng.random() < 0.3,
            safe_times=self.rng.choice(list(DEMO_MESSAGE_TIMES)),
        )
        drafts.record_consent(self.session, request, parent, "2026-11", submitted - timedelta(minutes=1))
        request.draft_answers = {**request.draft_answers, "meeting_answered": True, "languages_answered": True,
                                 "gender_answered": True, "location": "postcode"}
        if drafts.messages_allowed(request):
            drafts.save_message_times(self.session, request, DEMO_MESSAGE_TIMES[request.safe_contact.safe_times])
        requests.submit(self.session, request, parent, submitted)
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

    def _candidates(self, request: SupportRequest, day: date) -> list[VolunteerProfile]:
        """Advocates the matching rules allow for this request on ``day``.

        The demo's offers go only to people an organiser could really have offered, so the
        demo shows the engine's rules at work rather than random pairs.
        """
        from peermatch.matching import check_rules

        profile = request_profile(self.session, request)
        return [
            v for v in self.volunteers
            if str(v.id) in self.profiles
            and not check_rules(profile, replace(self.profiles[str(v.id)], active_matches=v.active_match_count), day)
        ]

    def _send(self, request: SupportRequest, volunteer: VolunteerProfile, organiser: User, when: datetime) -> Offer:
        score = round(self.rng.uniform(0.45, 0.95), 3)
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
