"""An organiser opens a request and sees the best advocates first, each with the reasons."""

from dataclasses import replace
from datetime import date

import pytest

from peermatch.matching import (
    FEATURE_NAMES,
    VolunteerPool,
    default_model,
    explain_exclusions_for,
    feature_vector,
    mask_from_slots,
    rank,
    rank_reference,
    train,
)
from peermatch.matching.synthetic import example_request, example_volunteer, synthetic_history, synthetic_network

TODAY = date(2026, 8, 3)
MODEL = default_model()


def ranked_ids(result):
    return [c.volunteer_id for c in result.eligible]


def test_the_organiser_sees_eligible_advocates_best_first_with_a_reason_per_feature():
    amina = example_volunteer()
    bola = example_volunteer(id="v-bola", display_name="Bola", lived_experience=frozenset({"housing"}))
    expired = example_volunteer(id="v-carol", dbs_expires_on=date(2026, 1, 1))

    result = rank(example_request(), VolunteerPool([bola, expired, amina]), MODEL, TODAY)

    assert ranked_ids(result) == ["v-amina", "v-bola"]
    assert result.eligible_count == 2 and result.considered_count == 3
    best = result.eligible[0]
    assert 0 < best.score < 1
    assert [c.feature for c in best.contributions] == list(FEATURE_NAMES)
    lived = best.contributions[0]
    assert lived.explanation == (
        "Lived experience of child protection conference (the main issue) and domestic abuse; not of housing"
    )
    assert lived.contribution == pytest.approx(lived.weight * lived.value)
    assert all(0 <= c.bar <= 1 for c in best.contributions)


def test_the_main_issue_counts_more_than_any_other_issue():
    main_only = example_volunteer(id="v-main", lived_experience=frozenset({"child_protection_conference"}))
    other_only = example_volunteer(id="v-other", lived_experience=frozenset({"housing"}))

    result = rank(example_request(), VolunteerPool([other_only, main_only]), MODEL, TODAY)

    assert ranked_ids(result) == ["v-main", "v-other"]
    assert [c.features[0] for c in result.eligible] == [0.5, 0.25]


def test_a_nearer_advocate_ranks_above_a_farther_one_for_in_person_support():
    near = example_volunteer(id="v-near", lat=54.12)
    far = example_volunteer(id="v-far", lat=54.20, area_code="cumberland")

    result = rank(example_request(), VolunteerPool([far, near]), MODEL, TODAY)

    assert ranked_ids(result) == ["v-near", "v-far"]
    assert result.eligible[1].contributions[1].explanation == (
        "10 km away, can meet in person; a different council area"
    )


def test_an_advocate_who_supported_the_parent_before_is_preferred():
    before = example_volunteer(id="v-before")
    new = example_volunteer(id="v-new")
    request = example_request(previous_volunteer_ids=frozenset({"v-before"}))

    result = rank(request, VolunteerPool([new, before]), MODEL, TODAY)

    assert ranked_ids(result) == ["v-before", "v-new"]
    assert result.eligible[0].contributions[-1].explanation == "Supported this parent before"


def test_sharing_the_work_prefers_the_advocate_with_the_lighter_load():
    busy = example_volunteer(id="v-busy", capacity=3, active_matches=2)
    free = example_volunteer(id="v-free", capacity=3, active_matches=0)

    assert ranked_ids(rank(example_request(), VolunteerPool([busy, free]), MODEL, TODAY)) == ["v-free", "v-busy"]


def test_an_advocate_free_sooner_before_the_meeting_is_more_ready():
    only_wednesday = mask_from_slots({(2, 0)})
    monday_too = mask_from_slots({(0, 0), (2, 0)})
    late = example_volunteer(id="v-late", availability_mask=only_wednesday)
    early = example_volunteer(id="v-early", availability_mask=monday_too)

    result = rank(example_request(), VolunteerPool([late, early]), MODEL, TODAY)

    readiness = {c.volunteer_id: c.contributions[3] for c in result.eligible}
    assert readiness["v-early"].value == 2 / 7
    assert readiness["v-early"].explanation == (
        "First free with the parent today, 2 days before the meeting on 5 August 2026"
    )
    assert readiness["v-late"].value == 0.0


def test_equal_scores_are_ordered_by_volunteer_id_whatever_order_the_pool_was_built_in():
    twins = [example_volunteer(id=vid) for vid in ("v-3", "v-1", "v-2")]

    first = rank(example_request(), VolunteerPool(twins), MODEL, TODAY)
    second = rank(example_request(), VolunteerPool(reversed(twins)), MODEL, TODAY)

    assert ranked_ids(first) == ranked_ids(second) == ["v-1", "v-2", "v-3"]
    assert first == second


def test_only_the_top_k_are_returned_but_all_are_counted():
    pool = VolunteerPool([example_volunteer(id=f"v-{i}", matches_completed=i) for i in range(12)])

    top = rank(example_request(), pool, MODEL, TODAY, k=3)
    everyone = rank(example_request(), pool, MODEL, TODAY, k=None)

    assert top.eligible == everyone.eligible[:3]
    assert top.eligible_count == 12
    assert ranked_ids(top) == ["v-11", "v-10", "v-9"]


def test_asking_why_lists_every_other_volunteer_the_organisation_could_consider_with_their_reasons():
    pool = VolunteerPool(
        [
            example_volunteer(),
            example_volunteer(id="v-full", capacity=1, active_matches=1),
            example_volunteer(id="v-offered", capacity=1, offers_waiting=1),
            example_volunteer(id="v-elsewhere", organisation_id="org-leeds"),
            example_volunteer(id="v-anywhere", organisation_id="org-leeds", network_wide=True, approved=False),
        ]
    )

    quick = rank(example_request(), pool, MODEL, TODAY)
    explained = rank(example_request(), pool, MODEL, TODAY, explain_exclusions=True)

    assert quick.excluded == () and quick.excluded_ids == ("v-anywhere", "v-full", "v-offered")
    assert quick.failure_counts == (("approved", 1), ("capacity", 2))
    # Another organisation's volunteer who did not opt in network-wide is never a candidate, so never listed.
    assert quick.considered_count == 4
    assert [(e.volunteer_id, [r.rule for r in e.reasons]) for e in explained.excluded] == [
        ("v-anywhere", ["approved"]),
        ("v-full", ["capacity"]),
        ("v-offered", ["capacity"]),
    ]
    assert explain_exclusions_for(example_request(), pool, TODAY, ["v-offered"]) == explained.excluded[2:]


def test_a_request_from_an_organisation_with_no_advocates_can_still_reach_network_wide_ones():
    pool = VolunteerPool([example_volunteer(organisation_id="org-leeds", network_wide=True)])

    result = rank(example_request(organisation_id="org-new"), pool, MODEL, TODAY)

    assert ranked_ids(result) == ["v-amina"]
    assert result.eligible[0].support_modes == frozenset({"phone"})


def test_an_empty_pool_gives_an_empty_ranking():
    result = rank(example_request(), VolunteerPool([]), MODEL, TODAY, explain_exclusions=True)

    assert result.eligible == () and result.excluded == () and result.eligible_count == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_ranking_matches_the_one_by_one_reference_on_a_synthetic_network(seed):
    network = synthetic_network(1200, 25, seed=seed)
    pool = VolunteerPool(network.volunteers)

    for request in network.requests:
        fast = rank(request, pool, MODEL, network.today, k=None, explain_exclusions=True)
        slow = rank_reference(request, network.volunteers, MODEL, network.today, k=None, explain_exclusions=True)
        assert fast == slow


def test_fast_ranking_matches_the_reference_with_a_trained_model_too():
    trained = train(synthetic_history(300), now=None)
    network = synthetic_network(800, 15, seed=7, n_organisations=3)
    pool = VolunteerPool(network.volunteers)

    for request in network.requests:
        assert rank(request, pool, trained, network.today) == rank_reference(request, pool, trained, network.today)


def test_ranking_never_changes_the_profiles_it_was_given():
    volunteer = example_volunteer()
    before = replace(volunteer)

    rank(example_request(), VolunteerPool([volunteer]), MODEL, TODAY)

    assert volunteer == before


def test_a_network_with_more_than_64_languages_and_issue_types_still_ranks_exactly():
    languages = [f"lang-{i}" for i in range(70)]
    issues = [f"issue-{i}" for i in range(70)]
    volunteers = [
        example_volunteer(
            id=f"v-{i}",
            languages=frozenset({languages[i], languages[(i * 7) % 70]}),
            lived_experience=frozenset({issues[i], issues[(i * 3) % 70]}),
            opt_outs=frozenset({issues[(i * 11 + 5) % 70]}),
        )
        for i in range(70)
    ]
    volunteers.append(
        example_volunteer(id="v-opted-out", languages=frozenset({"lang-66"}), opt_outs=frozenset({"issue-69"}))
    )
    request = example_request(
        languages=frozenset({"lang-3", "lang-66"}),
        issue_types=frozenset({"issue-2", "issue-65", "issue-69"}),
        main_issue="issue-65",
    )
    pool = VolunteerPool(volunteers)

    fast = rank(request, pool, MODEL, TODAY, k=None, explain_exclusions=True)

    assert fast == rank_reference(request, volunteers, MODEL, TODAY, k=None, explain_exclusions=True)
    assert {c.volunteer_id for c in fast.eligible} == {"v-3", "v-66"}
    assert [r.rule for e in fast.excluded if e.volunteer_id == "v-opted-out" for r in e.reasons] == ["opt_out"]


def test_the_features_recorded_with_an_offer_are_the_ones_the_organiser_saw():
    result = rank(example_request(), VolunteerPool([example_volunteer()]), MODEL, TODAY)

    assert feature_vector(example_request(), example_volunteer(), TODAY) == result.eligible[0].features
