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

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from peermatch import clock
from peermatch.errors import DomainError, NotFound
from peermatch.extensions import db
from peermatch.models import MessageSender, Role, VolunteerProfile
from peermatch.reads import volunteers as reads
from peermatch.services import advocates, matches, messages, offers
from peermatch.web.access import roles_required
from peermatch.web.forms import MessageForm, show_error
from peermatch.web.volunteers import forms, wording
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
    return render_template("volunteers/home.html", page=page, today=clock.today(now), **_common())


@bp.route("/apply", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def apply():
    """The application: one page in sections, so nothing typed is lost and it works without JavaScript."""
    if _profile() is not None:
        return redirect(url_for("volunteers.home"))
    form = forms.ApplicationForm()
    issue_types = reads.issue_types_to_choose(db.session)
    form.offer_issue_types(issue_types)
    form.organisation.choices = forms.options((o.id, o.name) for o in reads.organisations_to_choose(db.session))
    if form.validate_on_submit():
        try:
            advocates.apply(db.session, current_user, form.application(), clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Application sent. Thank you for offering to support other parents", "success")
            return redirect(url_for("volunteers.home"))
    ask_organisation = bool(form.organisation.errors or form.organisation.data)
    return render_template("volunteers/apply.html", form=form, issue_types=issue_types,
                           ask_organisation=ask_organisation, **_common())


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
    if not messages.thread_open(found):
        flash(messages.CLOSED if found.ended_dt else messages.NOT_YET, "info")
        return redirect(url_for("volunteers.match", match_id=found.id))
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.send(db.session, found, current_user, MessageSender.ADVOCATE, form.body.data,
                          form.asks_for_help, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your message has been sent" + (". The organisers have been asked to help" if form.asks_for_help
                                                  else ""), "success")
            return redirect(url_for("volunteers.match", match_id=found.id, _anchor="messages"))
    return _match_page(match_id, form)


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
