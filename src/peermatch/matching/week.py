"""The weekly grid: the one encoding of "when someone is usually free".

A week is 7 days × 3 parts of the day (morning, afternoon, evening): 21 slots, stored as a
21-bit mask with bit ``day * 3 + part`` (Monday = 0, morning = 0). Requests and advocates
keep the mask; forms show it as one checkbox per slot whose value is ``"day-part"``
(:func:`slot_value`); pages show it in words (:func:`slots_by_day`, :func:`describe_slots`).
Everything that reads or writes a weekly grid goes through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS_OF_DAY: tuple[str, ...] = ("morning", "afternoon", "evening")
SLOTS_PER_WEEK = len(DAYS) * len(PARTS_OF_DAY)
ALL_SLOTS_MASK = (1 << SLOTS_PER_WEEK) - 1


def slot_bit(day: int, part: int) -> int:
    """Bit index of one weekly slot: ``day * 3 + part`` (day 0 = Monday, part 0 = morning)."""
    if not 0 <= day < len(DAYS) or not 0 <= part < len(PARTS_OF_DAY):
        raise ValueError(f"No such availability slot: day {day}, part {part}")
    return day * len(PARTS_OF_DAY) + part


def mask_from_slots(slots: Iterable[tuple[int, int]]) -> int:
    """Turn (day, part) pairs into the 21-bit availability mask."""
    mask = 0
    for day, part in slots:
        mask |= 1 << slot_bit(day, part)
    return mask


def check_mask(mask: int) -> None:
    """Refuse anything that is not a set of the 21 weekly slots."""
    if not 0 <= mask <= ALL_SLOTS_MASK:
        raise ValueError(f"Availability mask {mask!r} is outside the 21 weekly slots")


def slots_from_mask(mask: int) -> frozenset[tuple[int, int]]:
    """Turn an availability mask back into (day, part) pairs."""
    check_mask(mask)
    parts = len(PARTS_OF_DAY)
    return frozenset(divmod(bit, parts) for bit in range(SLOTS_PER_WEEK) if mask >> bit & 1)


def day_mask(day: int) -> int:
    """All three slots of one weekday, e.g. to ask "free at any time on Tuesday?"."""
    return _DAY_MASKS[day]


_DAY_MASKS = tuple(mask_from_slots((day, part) for part in range(len(PARTS_OF_DAY))) for day in range(len(DAYS)))


def slot_value(day: int, part: int) -> str:
    """The value of one slot's checkbox on a form: ``"3-2"`` is Thursday evening."""
    slot_bit(day, part)
    return f"{day}-{part}"


def mask_from_values(values: Iterable[str]) -> int:
    """The mask of the ticked checkboxes; raises ``ValueError`` for anything that is not a slot's value."""
    slots = []
    for value in values:
        day, sep, part = str(value).partition("-")
        if not sep or not (day.isascii() and day.isdigit() and part.isascii() and part.isdigit()):
            raise ValueError(f"{value!r} is not a weekly slot")
        slots.append((int(day), int(part)))
    return mask_from_slots(slots)


def values_from_mask(mask: int) -> list[str]:
    """The checkboxes to tick for a mask, in week order."""
    return [slot_value(day, part) for day, part in sorted(slots_from_mask(mask))]


def slots_by_day(mask: int) -> list[tuple[str, list[str]]]:
    """The free parts of each day in words, for every day with any: ``[("Monday", ["morning", "evening"])]``."""
    by_day: dict[int, list[str]] = {}
    for day, part in sorted(slots_from_mask(mask)):
        by_day.setdefault(day, []).append(PARTS_OF_DAY[part])
    return [(DAYS[day], parts) for day, parts in by_day.items()]


def describe_slots(mask: int) -> str:
    """Availability in one line: "Monday morning and evening, all day Friday"."""
    phrases = []
    for day, parts in slots_by_day(mask):
        if len(parts) == len(PARTS_OF_DAY):
            phrases.append(f"all day {day}")
        else:
            phrases.append(f"{day} {' and '.join(parts)}")
    return ", ".join(phrases) or "no times"
