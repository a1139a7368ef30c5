"""Promises that hold for any request and any pool, checked on many random ones (hypothesis).

- no proposal ever breaks a hard rule, and no advocate is given more than their room;
- every volunteer is either eligible or excluded with at least one reason, never both;
- the counts per rule are exactly the one-by-one rules, and pages of reasons show every excluded volunteer once;
- the ranking is deterministic and does not depend on the order the pool was built in;
- the fast ranking gives exactly what the one-by-one reference gives.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peermatch.matching import (
    ALL_SLOTS_MASK,
    RULES,
    SUPPORT_MODES,
    RequestProfile,
    TrainedModel,
    VolunteerPool,
    VolunteerProfile,
    check_rules,
    default_model,
    explain_exclusions_for,
    greedy_batch,
    propose_batch,
    rank,
    rank_reference,
)

TODAY = date(2026, 8, 3)
ORGANISATIONS = ("org-a", "org-b")
AREAS = (None, "area-x", "area-y")
PLACES = (None, (54.11, -3.23), (54.2, -3.2), (54.6, -3.0), (53.8, -1.55))
LANGUAGES = ("en", "pl", "ur")
ISSUES = ("conference", "domestic_abuse", "housing", "debt", "mental_health")
GENDERS = (None, "woman", "man", "non_binary")
MAX_VOLUNTEERS = 8
IDS = tuple(f"v{i}" for i in range(MAX_VOLUNTEERS))
UNUSUAL_MODEL = TrainedModel(version="unusual", weights=(-1.0, 2.0, 0.0, 0.5, -0.3, 1.0, 0.0), intercept=0.2)


def usually(fitting, anything):
    """Mostly values that let a pair match, sometimes anything: random pools must have matches in them."""
    return st.integers(0, 9).flatmap(lambda n: fitting if n < 8 else anything)


def masks(min_size, max_size):
    return st.sets(st.integers(0, 20), min_size=min_size, max_size=max_size).map(lambda bits: sum(1 << b for b in bits))


mostly = usually(st.just(True), st.booleans())
days = st.integers(-20, 40).map(lambda n: TODAY + timedelta(days=n))
availability = usually(masks(8, 21), st.integers(0, ALL_SLOTS_MASK))
any_modes = st.frozensets(st.sampled_from(SUPPORT_MODES))
modes = usually(any_modes.map(lambda m: m | {"phone"}), any_modes)
languages = usually(st.just(frozenset({"en"})), st.frozensets(st.sampled_from(LANGUAGES), max_size=2))
organisations = usually(st.just("org-a"), st.sampled_from((*ORGANISATIONS, "org-new")))
models = st.sampled_from((default_model(), UNUSUAL_MODEL))
settings_for_engine = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def places(draw):
    place = draw(st.sampled_from(PLACES))
    if place is None:
        return None, None
    jitter = draw(st.floats(-0.2, 0.2))
    return place[0] + jitter, place[1]


@st.composite
def pauses(draw):
    first = draw(days)
    return first, first + timedelta(days=draw(st.integers(0, 14)))


@st.composite
def volunteers(draw, volunteer_id):
    lat, lon = draw(places())
    return VolunteerProfile(
        id=volunteer_id,
        organisation_id=draw(organisations),
        display_name=draw(st.sampled_from((volunteer_id.upper(), "Sam", "sam", "Alex", ""))),
        network_wide=draw(st.booleans()),
        approved=draw(mostly),
        dbs_expires_on=draw(usually(st.just(TODAY + timedelta(days=400)), st.one_of(st.none(), days))),
        training_completed=draw(mostly),
        pauses=tuple(draw(usually(st.just([]), st.lists(pauses(), max_size=2)))),
        capacity=draw(usually(st.integers(1, 3), st.integers(0, 3))),
        active_matches=draw(usually(st.just(0), st.integers(0, 2))),
        offers_waiting=draw(usually(st.just(0), st.integers(0, 2))),
        languages=draw(languages),
        gender=draw(st.sampled_from(GENDERS)),
        support_modes=draw(modes),
        lat=lat,
        lon=lon,
        area_code=draw(st.sampled_from(AREAS)),
        travel_km=draw(st.sampled_from((0.0, 5.0, 15.0, 30.0, 100.0))),
        availability_mask=draw(availability),
        lived_experience=draw(st.frozensets(st.sampled_from(ISSUES))),
        opt_outs=draw(usually(st.just(frozenset()), st.frozensets(st.sampled_from(ISSUES), max_size=1))),
        matches_completed=draw(st.integers(0, 20)),
    )


@st.composite
def pools(draw):
    size = draw(st.integers(0, MAX_VOLUNTEERS))
    return [draw(volunteers(IDS[i])) for i in range(size)]


@st.composite
def requests(draw, request_id="r1"):
    lat, lon = draw(places())
    meeting = draw(st.one_of(st.none(), days))
    issues = draw(st.frozensets(st.sampled_from(ISSUES), max_size=3))
    some_ids = usually(st.just(frozenset()), st.frozensets(st.sampled_from(IDS), max_size=2))
    return RequestProfile(
        id=request_id,
        organisation_id=draw(organisations),
        issue_types=issues,
        main_issue=draw(st.one_of(st.none(), st.sampled_from(ISSUES))),
        lat=lat,
        lon=lon,
        area_code=draw(st.sampled_from(AREAS)),
        availability_mask=draw(availability),
        meeting_date=meeting,
        meeting_part=draw(st.one_of(st.none(), st.integers(0, 2))),
        support_modes=draw(modes),
        languages=draw(languages),
        interpreter_ok=draw(st.booleans()),
        advocate_gender=draw(usually(st.none(), st.sampled_from(GENDERS))),
        excluded_volunteer_ids=draw(some_ids),
        declined_volunteer_ids=draw(some_ids),
        previous_volunteer_ids=draw(some_ids),
        submitted_at=datetime(2026, 7, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 800))),
    )


@st.composite
def queues(draw):
    size = draw(st.integers(1, 4))
    return [draw(requests(f"r{i}")) for i in range(size)]


@settings_for_engine
@given(request=requests(), people=pools(), model=models)
def test_the_fast_ranking_is_exactly_the_reference(request, people, model):
    fast = rank(request, VolunteerPool(people), model, TODAY, k=None, explain_exclusions=True)
    slow = rank_reference(request, people, model, TODAY, k=None, explain_exclusions=True)

    assert fast == slow


@settings_for_engine
@given(request=requests(), people=pools())
def test_every_volunteer_is_either_eligible_or_excluded_with_reasons(request, people):
    result = rank(request, VolunteerPool(people), default_model(), TODAY, k=None, explain_exclusions=True)

    eligible = {c.volunteer_id for c in result.eligible}
    excluded = {e.volunteer_id for e in result.excluded}
    considered = {v.id for v in people if v.organisation_id == request.organisation_id or v.network_wide}
    assert eligible | excluded == considered and set(result.excluded_ids) == excluded
    assert not eligible & excluded
    assert all(e.reasons for e in result.excluded)
    by_id = {v.id: v for v in people}
    assert all(check_rules(request, by_id[c.volunteer_id], TODAY) == () for c in result.eligible)
    assert all(0.0 <= c.score <= 1.0 for c in result.eligible)
    assert all(0.0 <= value <= 1.0 for c in result.eligible for value in c.features)


@settings_for_engine
@given(request=requests(), people=pools())
def test_the_vectorised_rules_fail_exactly_who_the_rules_fail(request, people):
    pool = VolunteerPool(people)
    positions = pool.considered_positions(request.organisation_id)
    failures = pool.rule_failures(request, TODAY, positions)
    for row, position in enumerate(positions):
        volunteer = pool.volunteers[position]
        fast = {rule for rule, failing in failures.items() if failing[row]}
        assert fast == {f.rule for f in check_rules(request, volunteer, TODAY)}, volunteer.id


@settings_for_engine
@given(several=st.lists(requests(), min_size=1, max_size=4), people=pools(), page_size=st.integers(1, 3))
def test_the_counts_per_rule_and_the_pages_of_reasons_are_exactly_the_rules_for_every_excluded_volunteer(
        several, people, page_size):
    """The candidate page counts failures per rule from the masks and words only the page it shows:
    the counts must be what checking every excluded volunteer one by one gives, and turning the
    pages must show every excluded volunteer once, with every rule they fail."""
    pool = VolunteerPool(people)
    for request in several:  # one pool, several requests: as a worker's kept pool serves every page
        _counts_and_pages_agree_with_the_rules(request, pool, people, page_size)


def _counts_and_pages_agree_with_the_rules(request, pool, people, page_size):
    result = rank(request, pool, default_model(), TODAY, k=0)
    by_id = {v.id: v for v in people}

    one_by_one = {volunteer_id: check_rules(request, by_id[volunteer_id], TODAY) for volunteer_id in result.excluded_ids}
    counted = Counter(failure.rule for failures in one_by_one.values() for failure in failures)
    assert dict(result.failure_counts) == dict(counted)
    assert [rule for rule, _ in result.failure_counts] == [rule for rule in RULES if counted[rule]]

    in_order = pool.in_name_order(result.excluded_ids)
    pages = [explain_exclusions_for(request, pool, TODAY, in_order[start:start + page_size])
             for start in range(0, len(in_order), page_size)]
    shown = [exclusion for page in pages for exclusion in page]
    assert [e.volunteer_id for e in shown] == in_order and sorted(in_order) == sorted(one_by_one)
    assert all(e.reasons == one_by_one[e.volunteer_id] != () for e in shown)
    names = [(by_id[i].name.lower(), i) for i in in_order]
    assert names == sorted(names)


@settings_for_engine
@given(request=requests(), people=pools(), model=models, k=st.integers(0, 4))
def test_the_ranking_is_deterministic_whatever_the_pool_order(request, people, model, k):
    once = rank(request, VolunteerPool(people), model, TODAY, k=k)
    again = rank(request, VolunteerPool(people), model, TODAY, k=k)
    reversed_pool = rank(request, VolunteerPool(reversed(people)), model, TODAY, k=k)
    everyone = rank(request, VolunteerPool(people), model, TODAY, k=None)

    assert once == again == reversed_pool
    assert once.eligible == everyone.eligible[:k]
    scores = [c.score for c in everyone.eligible]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(queue=queues(), people=pools(), maximise=st.booleans())
def test_no_batch_proposal_breaks_a_rule_or_overloads_an_advocate(queue, people, maximise):
    pool = VolunteerPool(people)
    by_id = {v.id: v for v in people}
    by_request = {r.id: r for r in queue}

    result = propose_batch(queue, pool, default_model(), TODAY, maximise_matches=maximise)
    greedy = greedy_batch(queue, pool, default_model(), TODAY)

    for a in result.assignments:
        assert check_rules(by_request[a.request_id], by_id[a.volunteer_id], TODAY) == ()
    for volunteer_id, taken in Counter(a.volunteer_id for a in result.assignments).items():
        volunteer = by_id[volunteer_id]
        assert taken <= volunteer.capacity - volunteer.active_matches - volunteer.offers_waiting
    assert len({a.request_id for a in result.assignments}) == len(result.assignments)
    if maximise:
        assert result.matched_count >= greedy.matched_count
    else:
        assert result.total_score >= greedy.total_score - 1e-5 * len(queue)


# -- numbers from anywhere: validation first, then ranking and the rules agree -------------------------

wild_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-400, 400),
                        st.sampled_from([0.0, -0.0, 1e-300, 90.0, -90.0, 180.0, 1e308]))


def built(factory, **fields):
    """The profile, or None when validation refuses it; a refusal must name the field and the person."""
    try:
        return factory(**fields)
    except ValueError as error:
        assert repr(fields["id"]) in str(error), str(error)
        assert any(name in str(error) for name in ("lat", "lon", "travel_km", "capacity", "active_matches", "offers_waiting")), error
        return None


@st.composite
def wild_volunteers(draw, volunteer_id):
    base = draw(volunteers(volunteer_id))
    fields = {name: getattr(base, name) for name in VolunteerProfile.__slots__}
    if draw(st.booleans()):
        fields["lat"], fields["lon"] = draw(wild_floats), draw(st.one_of(st.none(), wild_floats))
    if draw(st.booleans()):
        fields["travel_km"] = draw(wild_floats)
    if draw(st.booleans()):
        fields["capacity"] = draw(st.one_of(st.integers(-2, 5), wild_floats))
    return built(VolunteerProfile, **fields)


@st.composite
def wild_requests(draw):
    base = draw(requests())
    fields = {name: getattr(base, name) for name in RequestProfile.__slots__}
    if draw(st.booleans()):
        fields["lat"], fields["lon"] = draw(st.one_of(st.none(), wild_floats)), draw(wild_floats)
    return built(RequestProfile, **fields)


@settings_for_engine
@given(request=wild_requests(), people=st.lists(st.integers(0, MAX_VOLUNTEERS - 1), unique=True, max_size=6)
       .flatmap(lambda ids: st.tuples(*[wild_volunteers(IDS[i]) for i in ids])))
def test_ranking_and_the_rules_never_disagree_on_anything_validation_lets_through(request, people):
    accepted = [v for v in people if v is not None]
    if request is None:
        return
    result = rank(request, VolunteerPool(accepted), default_model(), TODAY, k=None, explain_exclusions=True)
    eligible = {c.volunteer_id for c in result.eligible}
    assert eligible == {v.id for v in accepted if check_rules(request, v, TODAY) == ()}
    assert all(c.distance_km is None or c.distance_km == c.distance_km for c in result.eligible)  # never NaN


def test_a_coordinate_that_is_not_a_number_is_refused_with_the_field_and_the_volunteer():
    import pytest

    with pytest.raises(ValueError, match=r"Volunteer 'v9': lat must be a finite number"):
        VolunteerProfile(id="v9", organisation_id="org-a", lat=float("nan"), lon=-3.2)
    with pytest.raises(ValueError, match=r"Volunteer 'v9': travel_km must be a finite distance"):
        VolunteerProfile(id="v9", organisation_id="org-a", travel_km=float("inf"))
    with pytest.raises(ValueError, match=r"Volunteer 'v9': capacity must be a whole number"):
        VolunteerProfile(id="v9", organisation_id="org-a", capacity=float("nan"))
    with pytest.raises(ValueError, match=r"Request 'r9': lat and lon must both be given"):
        RequestProfile(id="r9", organisation_id="org-a", lat=54.1)
