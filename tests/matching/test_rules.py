"""An organiser asks "why was this advocate not proposed?" and reads the answer in plain words.

The stories use a Barrow parent with a child protection conference on Wednesday
5 August 2026 (morning) and Amina, an advocate who fits; each test changes one thing.
"""

from datetime import date

import pytest

from peermatch.matching import RULES, check_rules, mask_from_slots
from peermatch.matching.rules import assess_pair
from peermatch.matching.synthetic import example_request, example_volunteer

TODAY = date(2026, 8, 3)
WEDNESDAY, MORNING, AFTERNOON = 2, 0, 1


def reasons(request=None, volunteer=None, today=TODAY, **kwargs):
    failures = check_rules(request or example_request(), volunteer or example_volunteer(), today, **kwargs)
    return {f.rule: f.message for f in failures}


def test_an_advocate_who_fits_breaks_no_rule():
    assert reasons() == {}


def test_an_advocate_not_yet_approved_is_never_proposed():
    assert reasons(volunteer=example_volunteer(approved=False)) == {
        "approved": "Not approved and active as an advocate"
    }


def test_an_expired_dbs_check_is_shown_with_its_date():
    assert reasons(volunteer=example_volunteer(dbs_expires_on=date(2026, 5, 3))) == {
        "dbs_check": "DBS check expired on 3 May 2026"
    }


def test_a_dbs_check_that_runs_out_before_the_meeting_excludes():
    assert reasons(volunteer=example_volunteer(dbs_expires_on=date(2026, 8, 4))) == {
        "dbs_check": "DBS check expires on 4 August 2026, before the meeting on 5 August 2026"
    }


def test_a_dbs_check_is_valid_on_the_day_it_expires():
    assert reasons(volunteer=example_volunteer(dbs_expires_on=date(2026, 8, 5))) == {}


def test_no_dbs_check_on_record_excludes():
    assert reasons(volunteer=example_volunteer(dbs_expires_on=None)) == {"dbs_check": "No DBS check recorded"}


def test_training_must_be_done():
    assert reasons(volunteer=example_volunteer(training_completed=False)) == {"training": "Training not completed"}


def test_a_pause_over_the_meeting_date_excludes():
    paused = example_volunteer(pauses=((date(2026, 8, 4), date(2026, 8, 14)),))

    assert reasons(volunteer=paused) == {"paused": "Paused 4–14 August 2026, which covers the meeting on 5 August 2026"}


def test_a_pause_today_excludes_even_without_a_meeting():
    paused = example_volunteer(pauses=((date(2026, 7, 28), date(2026, 8, 3)),))

    assert reasons(example_request(meeting_date=None), paused) == {
        "paused": "Paused 28 July – 3 August 2026, which covers today"
    }


def test_a_pause_after_the_meeting_does_not_matter():
    assert reasons(volunteer=example_volunteer(pauses=((date(2026, 8, 6), date(2026, 8, 20)),))) == {}


def test_an_advocate_at_capacity_is_not_offered_more():
    assert reasons(volunteer=example_volunteer(capacity=3, active_matches=3)) == {
        "capacity": "No free place: supporting 3 of 3"}
    assert reasons(volunteer=example_volunteer(capacity=2, active_matches=1, offers_waiting=1)) == {
        "capacity": "No free place: supporting 1 of 2, and 1 offer waiting for their answer"}
    assert reasons(volunteer=example_volunteer(capacity=3, active_matches=1, offers_waiting=1)) == {}


def test_parent_and_advocate_need_a_language_in_common():
    polish_parent = example_request(languages=frozenset({"pl"}))

    assert reasons(polish_parent, labels={"pl": "Polish", "en": "English"}) == {
        "language": "No language in common and no interpreter accepted: the parent speaks Polish; "
        "the advocate speaks English"
    }


def test_a_parent_who_accepts_an_interpreter_can_have_any_advocate():
    assert reasons(example_request(languages=frozenset({"pl"}), interpreter_ok=True)) == {}


def test_the_parents_wish_for_a_woman_advocate_is_respected():
    assert reasons(example_request(advocate_gender="woman"), example_volunteer(gender="woman")) == {}
    assert reasons(example_request(advocate_gender="woman"), example_volunteer(gender="man")) == {
        "advocate_gender": "The parent asked for an advocate who is a woman; this advocate is a man"
    }
    assert reasons(example_request(advocate_gender="non_binary"), example_volunteer(gender=None)) == {
        "advocate_gender": "The parent asked for an advocate who is non-binary; this advocate's gender is not recorded"
    }


def test_an_advocate_too_far_to_meet_in_person_is_excluded_when_in_person_is_all_both_offer():
    in_person_only = example_request(support_modes=frozenset({"in_person"}))
    kendal_way = example_volunteer(lat=54.1108 + 34 / 111.2, travel_km=15.0)

    assert reasons(in_person_only, kendal_way) == {
        "support_mode": "Too far for in-person support: 34 km, travels up to 15 km"
    }


def test_an_advocate_too_far_to_meet_can_still_support_by_phone():
    far = example_volunteer(lat=54.1108 + 34 / 111.2, travel_km=15.0)

    assessment = assess_pair(example_request(), far, TODAY)

    assert assessment.failures == ()
    assert assessment.support_modes == frozenset({"phone"})
    assert assessment.distance_km == pytest.approx(34, abs=0.1)


def test_distance_just_over_the_limit_does_not_read_as_equal():
    in_person_only = example_request(support_modes=frozenset({"in_person"}))
    just_over = example_volunteer(lat=54.1108 + 15.3 / 111.2, travel_km=15.0)

    assert reasons(in_person_only, just_over)["support_mode"] == (
        "Too far for in-person support: 15.3 km, travels up to 15.0 km"
    )


def test_without_a_postcode_in_person_needs_the_same_council_area():
    in_person_only = example_request(support_modes=frozenset({"in_person"}), lat=None, lon=None, outcode=None)

    assert reasons(in_person_only) == {}
    assert reasons(in_person_only, example_volunteer(area_code="cumberland")) == {
        "support_mode": "Distance unknown for in-person support (no postcode on record for the parent) "
        "and not in the same council area"
    }


def test_support_modes_must_overlap():
    video_only = example_volunteer(support_modes=frozenset({"video"}))

    assert reasons(volunteer=video_only) == {
        "support_mode": "No support mode in common: the parent wants in person or phone; the advocate offers video"
    }


def test_parent_and_advocate_need_a_weekly_slot_in_common():
    weekends = mask_from_slots({(5, 0), (6, 0)})
    weekdays = mask_from_slots({(day, part) for day in range(5) for part in range(3)})

    result = reasons(example_request(availability_mask=weekdays), example_volunteer(availability_mask=weekends))

    assert result["weekly_slot"] == "No weekly time slot in common with the parent"


def test_the_advocate_must_be_free_when_the_meeting_is():
    wednesday_afternoons = example_volunteer(availability_mask=mask_from_slots({(WEDNESDAY, AFTERNOON)}))

    assert reasons(volunteer=wednesday_afternoons) == {
        "meeting_time": "Not free on Wednesday mornings, when the meeting is (5 August 2026)"
    }


def test_a_meeting_without_a_time_needs_the_advocate_free_some_time_that_day():
    any_time = example_request(meeting_part=None)
    wednesday_afternoons = example_volunteer(availability_mask=mask_from_slots({(WEDNESDAY, AFTERNOON)}))

    assert reasons(any_time, wednesday_afternoons) == {}


def test_an_organisers_conflict_of_interest_excludes():
    knows_the_family = example_request(excluded_volunteer_ids=frozenset({"v-amina"}))

    assert reasons(knows_the_family) == {"conflict_of_interest": "Conflict of interest recorded by an organiser"}


def test_an_advocate_who_declined_is_not_asked_again():
    assert reasons(example_request(declined_volunteer_ids=frozenset({"v-amina"}))) == {
        "declined": "Already declined, or did not answer, an offer for this request"
    }


def test_a_trigger_opt_out_on_any_of_the_requests_issues_excludes():
    opted_out = example_volunteer(opt_outs=frozenset({"housing"}))

    assert reasons(volunteer=opted_out, labels={"housing": "Housing"}) == {
        "opt_out": "Opted out of requests about Housing"
    }


def test_advocates_of_another_organisation_are_not_proposed():
    assert reasons(volunteer=example_volunteer(organisation_id="org-leeds")) == {
        "organisation": "From another organisation and not opted in to support across the network"
    }


def test_a_network_wide_advocate_from_another_organisation_supports_by_phone_or_video():
    network_wide = example_volunteer(organisation_id="org-leeds", network_wide=True)

    phone_ok = assess_pair(example_request(), network_wide, TODAY)
    in_person_only = reasons(example_request(support_modes=frozenset({"in_person"})), network_wide)

    assert phone_ok.failures == ()
    assert phone_ok.support_modes == frozenset({"phone"})
    assert in_person_only == {
        "support_mode": "Supports other organisations' parents by phone or video only, "
        "and the parent asked for in-person support"
    }


def test_every_broken_rule_is_reported_in_the_order_organisers_read_them():
    many_problems = example_volunteer(
        approved=False,
        dbs_expires_on=date(2026, 5, 3),
        capacity=2,
        active_matches=2,
        opt_outs=frozenset({"domestic_abuse"}),
    )

    failures = check_rules(example_request(), many_problems, TODAY)

    assert [f.rule for f in failures] == ["approved", "dbs_check", "capacity", "opt_out"]
    assert list(RULES).index("approved") < list(RULES).index("opt_out")
