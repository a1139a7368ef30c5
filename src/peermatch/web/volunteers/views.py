"""A volunteer advocate's pages: apply, your details, availability, pauses, capacity, offers and matches.

Views are thin: they validate a form, call one domain function, flash and redirect.
Offers and matches are always looked up through the signed-in volunteer's own profile,
so anyone else's answers 404. Nothing here shows a parent's name or contact details
before the introduction: offer pages only get an anonymised ``OfferSummary``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from peermatch import clock
from peermatch.errors import DomainError, NotFound
from peermatch.extensions import db
from peermatch.models import MessageSender, Role, VolunteerProfile
from peermatch.reads import volunteers as reads
from peermatch.services import advocates, matches, offers
from peermatch.web import threads
from peermatch.web.access import roles_required
from peermatch.web.forms import MessageForm, show_error
from peermatch.web.volunteers import application, forms, wording
from peermatch.web.wording import VETTING_STATUS, VOLUNTEER_STATUS

bp = Blueprint("volunteers", __name__, url_prefix="/volunteer", template_folder="templates")


def _profile() -> VolunteerProfile | None:
    return advocates.profile_for(db.session, current_user)


def _require_profile() -> VolunteerProfile:
    profile = _profile()
    if profile is None:
        abort(redirect(url_for("volunteers.apply")))
    return profile


def _common() -> dict[str, Any]:
    return {"wording": wording, "volunteer_status": VOLUNTEER_STATUS, "vetting_status": VETTING_STATUS}


@bp.get("/")
@roles_required(Role.VOLUNTEER)
def home():
    now = clock.now()
    page = reads.home_page(db.session, current_user, now)
    offers = [reads.summarise_offer(offer, page.profile, now) for offer in page.offers] if page.profile else []
    return render_template("volunteers/home.html", page=page, offers=offers, now=now, today=clock.today(now),
                           **_common())


@bp.get("/apply")
@roles_required(Role.VOLUNTEER)
def apply():
    """The application's next question to answer, or check answers once every one is answered."""
    if _profile() is not None:
        return redirect(url_for("volunteers.home"))
    missing = advocates.unanswered(db.session, advocates.application_answers(db.session, current_user))
    if not missing:
        return redirect(url_for("volunteers.check_application"))
    return redirect(url_for("volunteers.application_question", topic=application.PAGES_BY_ANSWER[missing[0]].slug))


@bp.route("/apply/<topic>", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def application_question(topic: str):
    """One question of the application; the answer is saved before the next page (``services.advocates``)."""
    page = application.PAGES_BY_SLUG.get(topic)
    if page is None:
        abort(404)
    if _profile() is not None:
        return redirect(url_for("volunteers.home"))
    answers = advocates.application_answers(db.session, current_user)
    if page.answer not in advocates.questions_to_answer(db.session, answers):
        return redirect(url_for("volunteers.apply"))
    form = page.form()
    issue_types = reads.issue_types_to_choose(db.session)
    if page.answer in {"lived_experience", "opt_outs"}:
        getattr(form, page.answer).choices = forms.options((t.code, t.name) for t in issue_types)
    if page.answer == "organisation":
        form.organisation.choices = forms.options((o.id, o.name) for o in reads.organisations_to_choose(db.session))
        form.organisation.description = wording.no_organisation_covers(answers["postcode"])
    if form.validate_on_submit():
        try:
            answers = advocates.save_application_answers(
                db.session, current_user, {page.answer: application.read_answer(page, form)}, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            return redirect(_after_question(page, answers))
    elif not form.is_submitted():
        application.show_answer(page, form, answers)
    return render_template("volunteers/apply_question.html", form=form, page=page, issue_types=issue_types,
                           heading=getattr(form, page.answer).label.text,
                           back=_before_question(page, answers), **_common())


def _changing() -> bool:
    return request.args.get("change") == "1"


def _after_question(page: application.Page, answers: dict[str, Any]) -> str:
    """The next question in order; when changing one answer, back to check answers unless a new question opened."""
    asked = advocates.questions_to_answer(db.session, answers)
    if _changing():
        missing = [name for name in asked if name not in answers]
        if missing:
            return url_for("volunteers.application_question", topic=application.PAGES_BY_ANSWER[missing[0]].slug,
                           change="1")
        return url_for("volunteers.check_application")
    following = asked[asked.index(page.answer) + 1:]
    if following:
        return url_for("volunteers.application_question", topic=application.PAGES_BY_ANSWER[following[0]].slug)
    return url_for("volunteers.check_application")


def _before_question(page: application.Page, answers: dict[str, Any]) -> str:
    if _changing():
        return url_for("volunteers.check_application")
    asked = advocates.questions_to_answer(db.session, answers)
    earlier = asked[:asked.index(page.answer)]
    if earlier:
        return url_for("volunteers.application_question", topic=application.PAGES_BY_ANSWER[earlier[-1]].slug)
    return url_for("volunteers.home")


@bp.route("/apply/check", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def check_application():
    """Check your answers, with a link to change each, then send: every question still unanswered is listed at once."""
    if _profile() is not None:
        return redirect(url_for("volunteers.home"))
    form = forms.SendApplicationForm()
    answers = advocates.application_answers(db.session, current_user)
    problems: list[dict[str, str]] = []
    if form.validate_on_submit():
        problems = [{"text": application.MISSING[name],
                     "href": url_for("volunteers.application_question",
                                     topic=application.PAGES_BY_ANSWER[name].slug, change="1")}
                    for name in advocates.unanswered(db.session, answers)]
        if not problems:
            try:
                advocates.send_application(db.session, current_user, clock.now())
            except DomainError as error:
                problems = [{"text": str(error), "href": url_for(
                    "volunteers.application_question", change="1",
                    topic=application.PAGES_BY_ANSWER.get(error.field or "", application.PAGES[0]).slug)}]
            else:
                flash("Application sent. Thank you for offering to support other parents", "success")
                return redirect(url_for("volunteers.home"))
    issue_names = {t.code: t.name for t in reads.issue_types_to_choose(db.session)}
    organisation_names = {str(o.id): o.name for o in reads.organisations_to_choose(db.session)}
    rows = [(application.PAGES_BY_ANSWER[name],
             application.answer_in_words(name, answers[name], issue_names, organisation_names)
             if name in answers else None)
            for name in advocates.questions_to_answer(db.session, answers)]
    return render_template("volunteers/apply_check.html", form=form, rows=rows, problems=problems, **_common())


@bp.route("/details", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def details():
    """Your details: the application's answers, except the organisation, capacity and free times (pages of their own)."""
    profile = _require_profile()
    form = forms.DetailsForm()
    issue_types = reads.issue_types_to_choose(db.session, profile)
    form.offer_issue_types(issue_types)
    form.keep_travel_distance(profile.travel_km)
    if form.validate_on_submit():
        try:
            change = advocates.change_details(db.session, profile, form.details(), current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            if change.changed:
                flash("Your details are saved. New offers will use them straight away", "success")
            else:
                flash("You did not change anything, so your details are as they were", "info")
            if change.outside_organisation:
                flash(wording.outside_organisation(profile.home_outcode, profile.organisation.name,
                                                   [area.name for area in profile.organisation.areas]), "info")
            return redirect(url_for("volunteers.home"))
    elif not form.is_submitted():
        form.fill(profile)
    return render_template("volunteers/details.html", form=form, issue_types=issue_types, profile=profile,
                           **_common())


@bp.route("/availability", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def availability():
    profile = _require_profile()
    form = forms.AvailabilityForm()
    if form.validate_on_submit():
        try:
            advocates.set_availability(db.session, profile, form.availability.mask, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your availability is saved. New offers will use it straight away", "success")
            return redirect(url_for("volunteers.home"))
    elif not form.is_submitted():
        form.availability.set_mask(profile.availability_mask)
    return render_template("volunteers/availability.html", form=form, **_common())


@bp.route("/capacity", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def capacity():
    profile = _require_profile()
    form = forms.CapacityForm()
    if form.validate_on_submit():
        try:
            advocates.set_capacity(db.session, profile, int(form.capacity.data), current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Saved: you can support {profile.capacity} parent{'s' if profile.capacity > 1 else ''} at once",
                  "success")
            return redirect(url_for("volunteers.home"))
    elif not form.is_submitted():
        form.capacity.data = str(profile.capacity)
    return render_template("volunteers/capacity.html", form=form, profile=profile, **_common())


@bp.get("/away")
@roles_required(Role.VOLUNTEER)
def pauses():
    profile = _require_profile()
    return render_template("volunteers/pauses.html", pauses=reads.current_pauses(profile, clock.today()),
                           remove_form=forms.ButtonForm(), **_common())


@bp.route("/away/add", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def add_pause():
    profile = _require_profile()
    form = forms.PauseForm()
    if form.validate_on_submit():
        try:
            pause = advocates.add_pause(db.session, profile, form.starts_on.data, form.ends_on.data,
                                        form.reason.data, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"You are away from {_day(pause.starts_on)} to {_day(pause.ends_on)}. "
                  "We will not offer you a parent to support on those dates", "success")
            return redirect(url_for("volunteers.pauses"))
    return render_template("volunteers/add_pause.html", form=form, **_common())


@bp.post("/away/<uuid:pause_id>/remove")
@roles_required(Role.VOLUNTEER)
def remove_pause(pause_id: uuid.UUID):
    profile = _require_profile()
    form = forms.ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pause = advocates.remove_pause(db.session, profile, pause_id, current_user, clock.now())
    except NotFound:
        abort(404)
    flash(f"Removed: away from {_day(pause.starts_on)} to {_day(pause.ends_on)}", "success")
    return redirect(url_for("volunteers.pauses"))


@bp.get("/offers", endpoint="offers")
@roles_required(Role.VOLUNTEER)
def offers_waiting():
    profile = _require_profile()
    now = clock.now()
    summaries = [reads.summarise_offer(o, profile, now) for o in reads.offers_waiting(db.session, profile, now)]
    return render_template("volunteers/offers.html", summaries=summaries, **_common())


def _own_offer(offer_id: uuid.UUID) -> tuple[VolunteerProfile, Any]:
    profile = _require_profile()
    try:
        return profile, reads.offer_for(db.session, profile, offer_id)
    except NotFound:
        abort(404)


def _offer_page(profile: VolunteerProfile, found: Any, **extra: Any) -> str:
    return render_template("volunteers/offer.html", summary=reads.summarise_offer(found, profile, clock.now()),
                           lapse_hours=current_app.config["OFFER_LAPSE_HOURS"], **extra, **_common())


@bp.get("/offers/<uuid:offer_id>")
@roles_required(Role.VOLUNTEER)
def offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    if found.match is not None:
        return redirect(url_for("volunteers.match", match_id=found.match.id))
    return _offer_page(profile, found, accept_form=forms.ButtonForm())


@bp.post("/offers/<uuid:offer_id>/accept")
@roles_required(Role.VOLUNTEER)
def accept_offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    form = forms.ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        match = offers.accept(db.session, found, current_user, clock.now())
    except DomainError as error:
        return _offer_page(profile, found, accept_form=form, problem=str(error))
    flash("You have accepted. An organiser will introduce you to the parent soon", "success")
    return redirect(url_for("volunteers.match", match_id=match.id))


@bp.route("/offers/<uuid:offer_id>/decline", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def decline_offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        try:
            offers.decline(db.session, found, current_user, form.reason.data, form.note.data, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("You have declined the offer. The organisers will look for another advocate", "success")
            return redirect(url_for("volunteers.home"))
    summary = reads.summarise_offer(found, profile, clock.now())
    return render_template("volunteers/decline.html", form=form, summary=summary, **_common())


def _own_match(match_id: uuid.UUID) -> Any:
    profile = _require_profile()
    try:
        return reads.match_for(db.session, profile, match_id)
    except NotFound:
        abort(404)


@bp.get("/matches/<uuid:match_id>")
@roles_required(Role.VOLUNTEER)
def match(match_id: uuid.UUID):
    return _match_page(match_id, MessageForm(formdata=None))


def _match_page(match_id: uuid.UUID, message_form: MessageForm) -> str:
    profile = _require_profile()
    now = clock.now()
    try:
        page = reads.match_page(db.session, current_user, profile, match_id, now)
    except NotFound:
        abort(404)
    return render_template("volunteers/match.html", page=page, match=page.match, today=clock.today(now),
                           form=message_form, **_common())


@bp.post("/matches/<uuid:match_id>/messages")
@roles_required(Role.VOLUNTEER)
def send_message(match_id: uuid.UUID):
    """Write to the parent; a thread that has closed refuses with a message on the match page."""
    found = _own_match(match_id)
    return threads.send_from(found, MessageSender.ADVOCATE, url_for("volunteers.match", match_id=found.id),
                             lambda form: form.validate_on_submit(), lambda form: _match_page(match_id, form))


@bp.route("/matches/<uuid:match_id>/contacts/new", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def log_contact(match_id: uuid.UUID):
    found = _own_match(match_id)
    form = forms.ContactForm()
    if form.validate_on_submit():
        try:
            matches.log_contact(db.session, found, current_user, form.occurred_on.data, form.mode.data,
                                int(form.minutes.data.strip()), form.note.data, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Contact saved", "success")
            return redirect(url_for("volunteers.match", match_id=found.id))
    return render_template("volunteers/log_contact.html", form=form, match=found, **_common())


@bp.route("/matches/<uuid:match_id>/end", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def end_match(match_id: uuid.UUID):
    found = _own_match(match_id)
    form = forms.EndMatchForm()
    if form.validate_on_submit():
        try:
            matches.end_support(db.session, found, current_user, clock.now(), outcome=form.outcome.data,
                                outcome_note=form.outcome_note.data, rating=int(form.rating.data),
                                comments=form.comments.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Support ended. Thank you for the time you gave", "success")
            return redirect(url_for("volunteers.home"))
    return render_template("volunteers/end_match.html", form=form, match=found, **_common())


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
