"""A believable demo network for the embedded database (Faker ``en_GB``, fixed seed).

Five member organisations covering real council areas, about 300 volunteers in every
vetting state, about 150 requests in every status with realistic dates, organisers
for each organisation and an admin. Loading twice adds nothing the second time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from peermatch.geo import outcode_table
from peermatch.models import (
    ConsentRecord,
    ContactLogEntry,
    ContactMode,
    DeclineReason,
    Feedback,
    FeedbackAuthor,
    Gender,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    MeetingType,
    Offer,
    OfferStatus,
    OfferStatusChange,
    Organisation,
    RequestLanguage,
    RequestStatus,
    RequestStatusChange,
    Role,
    SafeContact,
    SupportRequest,
    User,
    Vetting,
    VettingStatus,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.passwords import hash_password
from peermatch.services.matching import request_profile, volunteer_profiles
from peermatch.services.offers import offer_deadline
from peermatch.services.reference_data import ensure_area, seed_issue_types, slugify

DEMO_PASSWORD = "peermatch-demo"
DEMO_DOMAIN = "example.org"  # reserved for examples (RFC 2606): never a real inbox

ORGANISATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Furness and Cumbria Parents Together", ("Cumbria", "Lancashire")),
    ("West Yorkshire Parent Advocacy", ("Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale")),
    ("Birmingham and Black Country Family Voices", ("Birmingham", "Sandwell", "Dudley", "Wolverhampton", "Walsall")),
    ("London Parents' Network", ("Greater London",)),
    ("Kent and Sussex Parent Advocates", ("Kent", "East Sussex", "West Sussex")),
)

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


def load_demo_data(session: Session, today: date | None = None, seed: int = 2026) -> DemoResult:
    """Fill an empty database with the demo network; do nothing if it is already there."""
    seed_issue_types(session)
    if session.scalar(sa.select(User).where(User.email == _email("admin"))) is not None:
        return DemoResult(False, demo_sign_ins(session), _counts(session))
    _DemoBuilder(session, today or date.today(), seed).build()
    session.flush()
    return DemoResult(True, demo_sign_ins(session), _counts(session))


class _DemoBuilder:
    def __init__(self, session: Session, today: date, seed: int) -> None:
        self.session = session
        self.today = today
        self.now = datetime.combine(today, time(12, 0), tzinfo=timezone.utc)
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
        self.session.add(user)
        return user

    def build(self) -> None:
        self.session.add(self._admin())
        self.organisations: list[tuple[Organisation, list[str]]] = []
        for index, (name, counties) in enumerate(ORGANISATIONS, start=1):
            org = Organisation(name=name, slug=slugify(name), contact_email=_email(f"hello.{index}"))
            self.session.add(org)
            self.session.flush()
            outcodes: list[str] = []
            for county in counties:
                area = ensure_area(self.session, county, org)
                outcodes += [row.outcode for row in area.outcodes]
            self.organisations.append((org, sorted(outcodes)))
            self.user(Role.ORGANISER, self.fake.name(), org, email=_email(f"organiser{index}"))
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
        org, outcodes = self.organisations[i % len(self.organisations)]
        gender = self.rng.choices([Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, None], [70, 24, 2, 4])[0]
        first = self.fake.first_name_female() if gender == Gender.WOMAN else self.fake.first_name_male() if gender == Gender.MAN else self.fake.first_name()
        email = _email("volunteer") if i == 0 else _email("applicant") if i == 1 else None
        user = self.user(Role.VOLUNTEER, first, org, email=email)
        user.organisation_id = org.id
        outcode = self.rng.choice(outcodes)
        centre = outcode_table()[outcode]
        # Most are approved; some are still applying, some have lapsed or stepped back.
        status = VolunteerStatus.APPROVED if i == 0 else VolunteerStatus.APPLICATION_RECEIVED if i == 1 else self.rng.choices(
            [VolunteerStatus.APPROVED, VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.INACTIVE, VolunteerStatus.REJECTED],
            [78, 14, 6, 2],
        )[0]
        capacity = self.rng.choices([1, 2, 3, 4], [35, 35, 20, 10])[0]
        profile = VolunteerProfile(
            user=user, organisation_id=org.id, status=status, gender=gender, home_outcode=outcode,
            latitude=centre.latitude, longitude=centre.longitude,
            travel_km=float(self.rng.choice([5, 10, 15, 20, 30, 50])),
            network_wide=self.rng.random() < 0.15,
            offers_in_person=self.rng.random() < 0.8, offers_phone=self.rng.random() < 0.9,
            offers_video=self.rng.random() < 0.6, capacity=capacity,
            availability_mask=self._availability(self.rng.choice([0.2, 0.35, 0.5])),
            introduction=self.fake.paragraph(nb_sentences=3),
            applied_dt=user.created_dt,
            approved_dt=user.created_dt + timedelta(days=self.rng.randint(14, 60)) if status == VolunteerStatus.APPROVED else None,
        )
        if not (profile.offers_in_person or profile.offers_phone or profile.offers_video):
            profile.offers_phone = True
        if i == 0:  # the demo advocate's account: free most of the week, so it has offers to answer
            profile.availability_mask, profile.capacity, profile.travel_km = (1 << 21) - 1, 3, 50.0
            profile.offers_in_person = profile.offers_phone = profile.offers_video = True
        experience = self.rng.sample(self.issue_types, self.rng.randint(2, 5))
        profile.lived_experience = experience
        others = [t for t in self.issue_types if t not in experience]
        profile.opt_outs = [] if i == 0 else self.rng.sample(others, self.rng.choice([0, 0, 0, 1]))
        languages = {"en"}
        if self.rng.random() < 0.22:
            languages.add(self.rng.choice(SECOND_LANGUAGES))
        profile.language_rows = [VolunteerLanguage(language=code) for code in sorted(languages)]
        profile.vetting = self._vetting(status)
        if self.rng.random() < 0.1:
            start = self.today + timedelta(days=self.rng.randint(-5, 40))
            profile.pauses = [VolunteerPause(starts_on=start, ends_on=start + timedelta(days=self.rng.randint(3, 14)),
                                             reason="Away")]
        self.session.add(profile)
        return profile

    def _vetting(self, status: VolunteerStatus) -> Vetting:
        if status == VolunteerStatus.APPLICATION_RECEIVED:
            checked = self.today - timedelta(days=self.rng.randint(1, 20))
            in_progress = self.rng.random() < 0.5
            return Vetting(
                status=VettingStatus.IN_PROGRESS if in_progress else VettingStatus.NOT_STARTED,
                references_received=self.rng.randint(0, 1),
                dbs_checked_on=checked if in_progress and self.rng.random() < 0.5 else None,
            )
        checked = self.today - timedelta(days=self.rng.randint(30, 1000))
        expires = checked + timedelta(days=3 * 365)
        if self.rng.random() < 0.08:  # some DBS checks have run out and need renewing
            checked = self.today - timedelta(days=3 * 365 + self.rng.randint(1, 90))
            expires = checked + timedelta(days=3 * 365)
        return Vetting(
            status=VettingStatus.EXPIRED if expires < self.today else VettingStatus.COMPLETE,
            dbs_checked_on=checked, dbs_expires_on=expires,
            dbs_certificate_ref=f"{self.rng.randint(0, 10**12 - 1):012d}",
            training_completed_on=checked + timedelta(days=self.rng.randint(1, 30)),
            references_received=2,
        )

    # -- requests -----------------------------------------------------------------------------
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
        closed_long_ago = status in (RequestStatus.CLOSED, RequestStatus.CLOSED_UNMATCHED, RequestStatus.WITHDRAWN)
        submitted = self.now - timedelta(days=self.rng.randint(40, 200) if closed_long_ago else self.rng.randint(0, 30),
                                         minutes=self.rng.randint(0, 600))
        has_meeting = self.rng.random() < 0.55
        if has_meeting and not closed_long_ago:
            meeting = self.today + timedelta(days=self.rng.randint(2, 25))
        elif has_meeting:
            meeting = submitted.date() + timedelta(days=self.rng.randint(5, 20))
        else:
            meeting = None
        area = ensure_area(self.session, outcode_table()[outcode].county)
        request = SupportRequest(
            parent=parent, organisation_id=org.id, area_id=area.id, status=status, outcode=outcode,
            latitude=centre.latitude, longitude=centre.longitude, main_issue_id=issues[0].id,
            meeting_type=self.rng.choice(list(MeetingType)) if meeting else None,
            meeting_date=meeting, meeting_part=self.rng.randint(0, 2) if meeting else None,
            availability_mask=self._availability(0.4),
            accepts_in_person=self.rng.random() < 0.7, accepts_phone=self.rng.random() < 0.85,
            accepts_video=self.rng.random() < 0.4, interpreter_ok=self.rng.random() < 0.3,
            advocate_gender=self.rng.choices([None, Gender.WOMAN, Gender.MAN], [75, 22, 3])[0],
            created_dt=submitted,
        )
        request.issue_types = issues
        languages = ["en"] if self.rng.random() < 0.85 else [self.rng.choice(SECOND_LANGUAGES)]
        request.language_rows = [RequestLanguage(language=code) for code in languages]
        self.session.add(request)
        self.session.flush()
        self.session.add(ConsentRecord(user_id=parent.id, purpose="share_with_organisers_and_advocate",
                                       privacy_notice_version="2026-11", given_dt=submitted))
        if status == RequestStatus.DRAFT:
            request.draft_answers = {"issue_types": [t.code for t in issues]}
            return
        request.safe_contact = SafeContact(
            name_to_ask_for=name, email_ok=self.rng.random() < 0.6, email=parent.email,
            phone_ok=self.rng.random() < 0.7, text_ok=self.rng.random() < 0.8, phone=self.fake.cellphone_number(),
            voicemail_ok=self.rng.random() < 0.3,
            safe_times=self.rng.choice(["Weekdays 9:30am to 2:30pm", "After 6pm", "Any time", "Mornings only"]),
        )
        request.submitted_dt = submitted
        self._status_change(request, None, RequestStatus.SUBMITTED, submitted)
        if status == RequestStatus.SUBMITTED:
            return
        request.opened_dt = submitted + timedelta(hours=self.rng.randint(1, 30))
        self._status_change(request, RequestStatus.SUBMITTED, RequestStatus.OPEN, request.opened_dt)
        if status == RequestStatus.WITHDRAWN:
            request.withdrawn_dt = request.opened_dt + timedelta(days=self.rng.randint(1, 10))
            self._status_change(request, RequestStatus.OPEN, RequestStatus.WITHDRAWN, request.withdrawn_dt)
            return
        if status == RequestStatus.OPEN:
            return
        if status == RequestStatus.CLOSED_UNMATCHED:
            request.closed_dt = request.opened_dt + timedelta(days=self.rng.randint(10, 30))
            request.outcome = "no_advocate_available"
            self._status_change(request, RequestStatus.OPEN, RequestStatus.CLOSED_UNMATCHED, request.closed_dt)
            return
        self._offers_for(request, org, status)

    def _status_change(self, request: SupportRequest, old: str | None, new: str, when: datetime) -> None:
        self.session.add(RequestStatusChange(request_id=request.id, from_status=old, to_status=new, changed_dt=when))

    def _candidates(self, request: SupportRequest, org: Organisation) -> list[VolunteerProfile]:
        """Advocates the matching rules allow for this request on the day it was opened.

        The demo's offers go only to people an organiser could really have offered, so the
        demo shows the engine's rules at work rather than random pairs.
        """
        from peermatch.matching import check_rules

        assert request.opened_dt is not None
        profile = request_profile(self.session, request)
        day = request.opened_dt.date()
        return [
            v for v in self.volunteers
            if str(v.id) in self.profiles
            and not check_rules(profile, replace(self.profiles[str(v.id)], active_matches=v.active_match_count), day)
        ]

    def _offers_for(self, request: SupportRequest, org: Organisation, status: str) -> None:
        organiser = self.session.scalar(sa.select(User).where(User.organisation_id == org.id, User.role == Role.ORGANISER))
        candidates = self._candidates(request, org)
        if not candidates:  # nobody fits: it is still waiting, as real requests sometimes are
            request.status = RequestStatus.OPEN
            return
        assert request.opened_dt is not None
        when = request.opened_dt + timedelta(hours=self.rng.randint(2, 48))
        # A declined offer first, sometimes: the organiser had to try again.
        if self.rng.random() < 0.3:
            self._offer(request, self.rng.choice(candidates), organiser, when, OfferStatus.DECLINED)
            when += timedelta(hours=self.rng.randint(6, 30))
        volunteer = self.rng.choice(candidates)
        if status == RequestStatus.OFFERED:
            # Offers still waiting were sent in the last day, so they have not lapsed yet;
            # the demo advocate gets the first one, so that account has something to answer.
            when = self.now - timedelta(hours=self.rng.randint(1, 20))
            demo_advocate = self.volunteers[0]
            if not self.demo_offer_given and demo_advocate in candidates:
                volunteer, self.demo_offer_given = demo_advocate, True
        request.status = status
        request.offered_dt = when
        self._status_change(request, RequestStatus.OPEN, RequestStatus.OFFERED, when)
        if status == RequestStatus.OFFERED:
            self._offer(request, volunteer, organiser, when, OfferStatus.OFFERED)
            return
        offer = self._offer(request, volunteer, organiser, when, OfferStatus.ACCEPTED)
        request.matched_dt = when + timedelta(hours=self.rng.randint(1, 20))
        self._status_change(request, RequestStatus.OFFERED, RequestStatus.MATCHED, request.matched_dt)
        ended = status == RequestStatus.CLOSED
        match = Match(
            offer=offer, request_id=request.id, volunteer_id=volunteer.id,
            status=MatchStatus.ENDED if ended else self.rng.choice([MatchStatus.INTRODUCED, MatchStatus.ACTIVE]),
            introduced_dt=request.matched_dt,
        )
        self.session.add(match)
        for n in range(self.rng.randint(1, 5) if ended or match.status == MatchStatus.ACTIVE else 0):
            self.session.add(ContactLogEntry(
                match=match, occurred_on=request.matched_dt.date() + timedelta(days=2 + 4 * n),
                mode=self.rng.choice(list(ContactMode)), minutes=self.rng.choice([15, 30, 45, 60, 90, 120, 180]),
                note=self.rng.choice(["Talked through the conference report", "Went to the meeting together",
                                      "Phone call to prepare questions", "Checked in after the meeting"]),
                recorded_by_id=volunteer.user.id,
            ))
        if ended:
            match.ended_dt = request.matched_dt + timedelta(days=self.rng.randint(10, 60))
            match.outcome = self.rng.choices(list(MatchOutcome), [50, 20, 12, 8, 3, 7])[0]
            request.closed_dt = match.ended_dt
            request.outcome = match.outcome
            self._status_change(request, RequestStatus.MATCHED, RequestStatus.CLOSED, match.ended_dt)
            for author in FeedbackAuthor:
                if self.rng.random() < 0.7:
                    self.session.add(Feedback(match=match, author=author, rating=self.rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0],
                                              comments=self.fake.sentence(), given_dt=match.ended_dt))
        else:
            if match.status == MatchStatus.ACTIVE:
                match.activated_dt = request.matched_dt + timedelta(days=1)
            volunteer.active_match_count += 1

    def _offer(self, request: SupportRequest, volunteer: VolunteerProfile, organiser: User | None,
               when: datetime, final: OfferStatus) -> Offer:
        score = round(self.rng.uniform(0.45, 0.95), 3)
        offer = Offer(
            request_id=request.id, volunteer=volunteer, status=final, score=score,
            explanation=[{"feature": "lived_experience", "label": "Lived experience of the main issue",
                          "contribution": round(score * 0.5, 3)}],
            model_version="default-1", proposed_by_id=organiser.id if organiser else None, proposed_dt=when,
            approved_by_id=organiser.id if organiser else None, approved_dt=when, offered_dt=when,
            expires_dt=offer_deadline(when, 48, request.meeting_date, request.meeting_part),
        )
        history = [(None, OfferStatus.PROPOSED), (OfferStatus.PROPOSED, OfferStatus.APPROVED),
                   (OfferStatus.APPROVED, OfferStatus.OFFERED)]
        if final != OfferStatus.OFFERED:
            offer.responded_dt = when + timedelta(hours=self.rng.randint(1, 40))
            history.append((OfferStatus.OFFERED, final))
        if final == OfferStatus.DECLINED:
            offer.decline_reason = self.rng.choice(list(DeclineReason))
        offer.status_changes = [
            OfferStatusChange(from_status=a, to_status=b, changed_dt=when, changed_by_id=offer.approved_by_id)
            for a, b in history
        ]
        self.session.add(offer)
        return offer
