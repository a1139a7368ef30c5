"""An organiser proposes matches for a whole queue of open requests at once."""

import random
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from peermatch.matching import (
    BatchEdges,
    VolunteerPool,
    batch_edges,
    check_rules,
    default_model,
    greedy_assign,
    greedy_batch,
    mask_from_slots,
    propose_batch,
    solve_batch,
)
from peermatch.matching.synthetic import ISSUE_CODES, example_request, example_volunteer, synthetic_network

TODAY = date(2026, 8, 3)
MODEL = default_model()
TOLERANCE_PER_MATCH = 1e-5  # scores are solved as integers at 5 decimal places


def random_slots(rng, fewest, most):
    return mask_from_slots({(rng.randrange(7), rng.randrange(3)) for _ in range(rng.randint(fewest, most))})


def small_queue(seed):
    """A handful of parents and advocates in one town, most of whom fit each other."""
    rng = random.Random(seed)
    volunteers = [
        example_volunteer(
            id=f"v-{i}",
            capacity=rng.randint(1, 2),
            active_matches=rng.randint(0, 1) if rng.random() < 0.3 else 0,
            lived_experience=frozenset(rng.sample(ISSUE_CODES[:6], rng.randint(0, 3))),
            availability_mask=random_slots(rng, 3, 15),
            matches_completed=rng.randint(0, 8),
            lat=54.1108 + rng.uniform(-0.05, 0.05),
        )
        for i in range(rng.randint(1, 4))
    ]
    requests = [
        example_request(
            id=f"r-{j}",
            issue_types=frozenset(rng.sample(ISSUE_CODES[:6], 2)),
            main_issue=None,
            availability_mask=random_slots(rng, 2, 10),
            meeting_date=TODAY + timedelta(days=rng.randint(1, 12)) if rng.random() < 0.5 else None,
            meeting_part=None,
        )
        for j in range(rng.randint(1, 6))
    ]
    return requests, VolunteerPool(volunteers)


def brute_force(edges):
    """Best (matches, total score) over every assignment, by trying them all."""
    options = [[e for e in range(len(edges.score)) if edges.request_index[e] == i] for i in range(len(edges.requests))]
    best_score, best_by_count = 0.0, {}

    def search(i, left, count, total):
        nonlocal best_score
        if i == len(options):
            best_score = max(best_score, total)
            best_by_count[count] = max(best_by_count.get(count, 0.0), total)
            return
        search(i + 1, left, count, total)
        for e in options[i]:
            v = edges.volunteer_position[e]
            if left[v] > 0:
                left[v] -= 1
                search(i + 1, left, count + 1, total + edges.score[e])
                left[v] += 1

    search(0, edges.remaining_capacity.copy(), 0, 0.0)
    most = max(best_by_count)
    return best_score, most, best_by_count[most]


@pytest.mark.parametrize("seed", range(40))
def test_the_exact_batch_equals_the_best_of_every_possible_assignment(seed):
    requests, pool = small_queue(seed)
    edges = batch_edges(requests, pool, MODEL, TODAY)
    best_score, most_matches, best_score_with_most = brute_force(edges)

    by_score = solve_batch(edges)
    most_first = solve_batch(edges, maximise_matches=True)
    greedy = greedy_assign(edges)

    assert by_score.total_score == pytest.approx(best_score, abs=TOLERANCE_PER_MATCH * len(requests))
    assert most_first.matched_count == most_matches
    assert most_first.total_score == pytest.approx(best_score_with_most, abs=TOLERANCE_PER_MATCH * len(requests))
    assert by_score.total_score >= greedy.total_score - TOLERANCE_PER_MATCH * len(requests)
    assert most_first.matched_count >= greedy.matched_count


def test_a_batch_on_a_synthetic_network_respects_capacity_and_every_rule():
    network = synthetic_network(600, 150, seed=5, n_organisations=3)
    pool = VolunteerPool(network.volunteers)
    by_id = {v.id: v for v in network.volunteers}
    requests = {r.id: r for r in network.requests}

    result = propose_batch(network.requests, pool, MODEL, network.today)

    load = Counter(a.volunteer_id for a in result.assignments)
    for volunteer_id, taken in load.items():
        volunteer = by_id[volunteer_id]
        assert taken <= volunteer.capacity - volunteer.active_matches
    for a in result.assignments:
        assert check_rules(requests[a.request_id], by_id[a.volunteer_id], network.today) == ()
    assert len(result.assignments) + len(result.unmatched_request_ids) == len(network.requests)
    assert result.total_score == pytest.approx(sum(a.score for a in result.assignments))
    assert result.total_score >= greedy_batch(network.requests, pool, MODEL, network.today).total_score


def crafted(scores, capacity, meetings=None):
    """Edges with chosen scores: scores[(request, volunteer)] = score."""
    n_requests = 1 + max(r for r, _ in scores)
    n_volunteers = 1 + max(v for _, v in scores)
    meetings = meetings or {}
    requests = tuple(example_request(id=f"r-{i}", meeting_date=meetings.get(i)) for i in range(n_requests))
    pairs = sorted(scores)
    urgency = [0 if meetings.get(i) is None else 30 - (meetings[i] - TODAY).days for i in range(n_requests)]
    return BatchEdges(
        requests=requests,
        request_index=np.array([r for r, _ in pairs], dtype=np.int64),
        volunteer_position=np.array([v for _, v in pairs], dtype=np.int64),
        score=np.array([scores[p] for p in pairs], dtype=np.float64),
        urgency=np.array(urgency, dtype=np.int64),
        volunteer_ids=tuple(f"v-{i}" for i in range(n_volunteers)),
        volunteer_id_rank=np.arange(n_volunteers, dtype=np.int64),
        remaining_capacity=np.array(capacity, dtype=np.int64),
        model_version="crafted",
        triage=tuple(range(n_requests)),
    )


def test_matching_as_many_parents_as_possible_can_cost_some_score():
    # Parent 0 fits advocate 0 very well and advocate 1 poorly; parent 1 can only have advocate 0.
    edges = crafted({(0, 0): 0.95, (0, 1): 0.2, (1, 0): 0.6}, capacity=[1, 1])

    best_score = solve_batch(edges)
    most_parents = solve_batch(edges, maximise_matches=True)

    assert [(a.request_id, a.volunteer_id) for a in best_score.assignments] == [("r-0", "v-0")]
    assert best_score.unmatched_request_ids == ("r-1",)
    assert [(a.request_id, a.volunteer_id) for a in most_parents.assignments] == [("r-0", "v-1"), ("r-1", "v-0")]
    assert most_parents.total_score == pytest.approx(0.8)
    assert most_parents.method == "exact, most matches first"


def test_among_equal_choices_the_parent_with_the_sooner_meeting_gets_the_advocate():
    meetings = {0: TODAY + timedelta(days=20), 1: TODAY + timedelta(days=2)}
    edges = crafted({(0, 0): 0.7, (1, 0): 0.7}, capacity=[1], meetings=meetings)

    result = solve_batch(edges)

    assert [(a.request_id, a.volunteer_id) for a in result.assignments] == [("r-1", "v-0")]


def test_an_advocate_with_room_for_two_parents_gets_two():
    edges = crafted({(0, 0): 0.9, (1, 0): 0.8, (2, 0): 0.7, (2, 1): 0.1}, capacity=[2, 1])

    result = solve_batch(edges)

    assert sorted((a.request_id, a.volunteer_id) for a in result.assignments) == [
        ("r-0", "v-0"),
        ("r-1", "v-0"),
        ("r-2", "v-1"),
    ]


def test_greedy_works_down_the_queue_most_urgent_first():
    sooner = example_request(id="r-sooner", meeting_date=TODAY + timedelta(days=9))
    later = example_request(id="r-later", meeting_date=TODAY + timedelta(days=12))
    pool = VolunteerPool([example_volunteer(capacity=1, active_matches=0)])

    result = greedy_batch([later, sooner], pool, MODEL, TODAY)

    assert [(a.request_id, a.volunteer_id) for a in result.assignments] == [("r-sooner", "v-amina")]
    assert result.unmatched_request_ids == ("r-later",) and result.method == "greedy"


def test_an_empty_queue_or_pool_proposes_nothing():
    assert propose_batch([], VolunteerPool([example_volunteer()]), MODEL, TODAY).assignments == ()
    result = propose_batch([example_request()], VolunteerPool([]), MODEL, TODAY)
    assert result.assignments == () and result.unmatched_request_ids == ("r-001",)


def test_the_same_request_twice_in_a_batch_is_refused():
    with pytest.raises(ValueError, match="only once"):
        propose_batch([example_request(), example_request()], VolunteerPool([]), MODEL, TODAY)
