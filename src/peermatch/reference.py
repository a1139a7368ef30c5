"""Reference lists the product ships with: issue types (seeded, admin-editable), languages, the weekly grid.

The weekly grid's one encoding lives with the matching engine (``matching.week``); it is
re-exported here so pages and forms use it without reaching into the engine.
"""

from __future__ import annotations

from peermatch.matching.week import (  # noqa: F401  (re-exported)
    ALL_SLOTS_MASK,
    DAYS,
    PARTS_OF_DAY,
    describe_slots,
    mask_from_values,
    slot_value,
    slots_by_day,
    values_from_mask,
)

# (code, name a parent understands, plain-English hint). Seeded; the network admin edits the list.
ISSUE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("early_help", "Early help", "Support before children's services are involved"),
    ("child_in_need", "Child in need (section 17)", "Children's services are checking what help your family needs"),
    ("section_47", "Child protection enquiry (section 47)",
     "Looking into a worry about a child's safety"),
    ("child_protection_conference", "Child protection conference",
     "A meeting that decides on a child protection plan"),
    ("core_group", "Core group meetings", "The meetings that run a child protection plan"),
    ("pre_proceedings", "Pre-proceedings (PLO) meeting", "The last meeting before the council may go to court"),
    ("care_proceedings", "Care proceedings", "A court case about whether a child goes into care"),
    ("family_group_conference", "Family group conference", "A family-led meeting to make a plan"),
    ("family_time", "Family time or contact", "Seeing a child who is in care"),
    ("reunification", "A child coming home", "A child returning home from care"),
    ("kinship_care", "Kinship care or special guardianship", "A child living with relatives or friends"),
    ("adoption", "Adoption", "A child being adopted, or plans for adoption"),
    ("domestic_abuse", "Domestic abuse", "Abuse from a partner, ex-partner or family member"),
    ("mental_health", "Parent's mental health", "Your own mental health"),
    ("substance_use", "Alcohol or drug use", "Alcohol or drugs in the family"),
    ("disabled_child", "A disabled child or special educational needs", "Help for a child's disability or special needs"),
    ("housing", "Housing", "Housing problems or homelessness"),
    ("debt_poverty", "Money, debt or poverty", "Not having enough money to live on"),
    ("exploitation", "Exploitation of an older child", "An older child being exploited or groomed"),
    ("youth_justice", "Youth justice", "A child in trouble with the police or courts"),
)

# Languages offered on forms: code → name. English first; BSL is a language, not an adjustment.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Welsh",
    "bsl": "British Sign Language",
    "pl": "Polish",
    "ro": "Romanian",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "gu": "Gujarati",
    "ar": "Arabic",
    "so": "Somali",
    "pt": "Portuguese",
    "lt": "Lithuanian",
    "tr": "Turkish",
    "ta": "Tamil",
    "fa": "Farsi",
    "ku": "Kurdish",
    "ti": "Tigrinya",
    "uk": "Ukrainian",
}
