"""The pages of "Apply to volunteer", one question a page, in order: how each shows and reads its answer.

The answers are kept by ``services.advocates`` (``save_application_answers``) as the volunteer
goes, and sent from the check-answers page (``send_application``). Each page's slug names the
answer it asks; which pages apply is the service's rule (``questions_to_answer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm

from peermatch.reference import LANGUAGES, slots_by_day
from peermatch.web.volunteers import forms, wording


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Page:
    slug: str
    answer: str  # the name the service keeps it under, and the form's field
    form: type[FlaskForm]
    read: Callable[[Any], Any] = _same  # the field's data → the answer kept
    show: Callable[[Any], Any] = _same  # the answer kept → the field's data
    check_label: str = ""  # the row's name on check answers (default: the question)


PAGES: list[Page] = [
    Page("experience", "lived_experience", forms.ExperienceForm, check_label="What you have been through"),
    Page("opt-outs", "opt_outs", forms.OptOutsForm, check_label="What you would rather not support"),
    Page("languages", "languages", forms.LanguagesForm, check_label="Languages"),
    Page("gender", "gender", forms.GenderForm, check_label="Your gender"),
    Page("how", "support_modes", forms.SupportModesForm, check_label="How you could support parents"),
    Page("postcode", "postcode", forms.PostcodeForm, check_label="Your home postcode"),
    Page("travel", "travel_km", forms.TravelForm, read=float, show=lambda km: f"{km:g}",
         check_label="How far you could travel"),
    Page("organisation", "organisation", forms.OrganisationForm, check_label="Organisation"),
    Page("network-wide", "network_wide", forms.NetworkWideForm, read=lambda value: value == "yes",
         show=lambda yes: "yes" if yes else "no", check_label="Parents anywhere in the network"),
    Page("capacity", "capacity", forms.ApplicationCapacityForm, read=int, show=str,
         check_label="Parents at the same time"),
    Page("when-free", "availability", forms.WhenFreeForm, check_label="When you are usually free"),
    Page("introduction", "introduction", forms.IntroductionForm, check_label="Your introduction"),
]
PAGES_BY_SLUG = {page.slug: page for page in PAGES}
PAGES_BY_ANSWER = {page.answer: page for page in PAGES}


def read_answer(page: Page, form: Any) -> Any:
    """The answer a valid form gives, as the service keeps it."""
    if page.answer == "availability":
        return form.availability.mask
    return page.read(getattr(form, page.answer).data)


def show_answer(page: Page, form: Any, answers: dict[str, Any]) -> None:
    """Fill the form with the answer given before, if any."""
    if page.answer not in answers:
        return
    if page.answer == "availability":
        form.availability.set_mask(answers["availability"])
    else:
        getattr(form, page.answer).data = page.show(answers[page.answer])


def answer_in_words(name: str, value: Any, issue_names: dict[str, str], organisation_names: dict[str, str]) -> list[str]:
    """An answer as check answers shows it: one line each."""
    if name in {"lived_experience", "opt_outs"}:
        return [issue_names.get(code, code) for code in value] or ["None"]
    if name == "languages":
        return [LANGUAGES.get(code, code) for code in value]
    if name == "gender":
        return [wording.GENDERS.get(value, value)]
    if name == "support_modes":
        return [wording.SUPPORT_MODES.get(mode, mode) for mode in value]
    if name == "travel_km":
        return [dict(wording.TRAVEL_DISTANCES).get(f"{value:g}", wording.distance(value))]
    if name == "organisation":
        return [organisation_names.get(value, "")]
    if name == "network_wide":
        return ["Yes, by phone or video" if value else "No, only parents near me"]
    if name == "capacity":
        return [str(value)]
    if name == "availability":
        return [f"{day}: {', '.join(parts)}" for day, parts in slots_by_day(value)]
    return [str(value)]


# What check answers says for a question still to answer, in each question's own words.
MISSING: dict[str, str] = {
    "lived_experience": "Select at least one thing you have been through",
    "opt_outs": "Say whether there is anything you would rather not support a parent with",
    "languages": "Select at least one language",
    "gender": "Select your gender, or prefer not to say",
    "support_modes": "Select how you could support parents",
    "postcode": "Enter your home postcode",
    "travel_km": "Select how far you could travel to meet a parent in person",
    "organisation": "Choose the organisation you would like to volunteer with",
    "network_wide": "Select yes if you would support parents anywhere by phone or video",
    "capacity": "Select how many parents you could support at the same time",
    "availability": "Select at least one time in the week when you are usually free",
    "introduction": "Tell the organisers a little about yourself",
}
