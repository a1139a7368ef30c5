"""Weekly availability: 7 days × morning, afternoon, evening as a 21-bit mask."""

import pytest

from peermatch.matching import ALL_SLOTS_MASK, describe_slots, mask_from_slots, slot_bit, slots_from_mask

MONDAY, WEDNESDAY, FRIDAY, SUNDAY = 0, 2, 4, 6
MORNING, AFTERNOON, EVENING = 0, 1, 2


def test_slot_bits_count_days_from_monday_and_parts_from_morning():
    assert slot_bit(MONDAY, MORNING) == 0
    assert slot_bit(MONDAY, EVENING) == 2
    assert slot_bit(WEDNESDAY, AFTERNOON) == 7
    assert slot_bit(SUNDAY, EVENING) == 20


def test_a_parents_times_survive_the_round_trip_through_the_mask():
    times = {(MONDAY, MORNING), (WEDNESDAY, AFTERNOON), (FRIDAY, EVENING)}

    mask = mask_from_slots(times)

    assert mask == 0b1 | 0b1 << 7 | 0b1 << 14
    assert slots_from_mask(mask) == times


def test_every_slot_makes_the_full_week():
    every = {(day, part) for day in range(7) for part in range(3)}
    assert mask_from_slots(every) == ALL_SLOTS_MASK


def test_availability_reads_as_words_grouped_by_day():
    mask = mask_from_slots({(MONDAY, MORNING), (MONDAY, EVENING), (FRIDAY, AFTERNOON)})
    mask |= mask_from_slots({(SUNDAY, part) for part in range(3)})

    assert describe_slots(mask) == "Monday morning and evening, Friday afternoon, all day Sunday"
    assert describe_slots(0) == "no times"


@pytest.mark.parametrize("day, part", [(7, 0), (-1, 0), (0, 3)])
def test_a_slot_outside_the_week_is_refused(day, part):
    with pytest.raises(ValueError):
        slot_bit(day, part)


def test_a_mask_with_more_than_21_slots_is_refused():
    with pytest.raises(ValueError):
        slots_from_mask(1 << 21)
