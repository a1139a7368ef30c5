"""A volunteer advocate's pages: apply, your details, availability, pauses, capacity, offers and matches.

Views are thin: they validate a form, call one domain function, flash and redirect.
Offers and matches are always looked up through the signed-in volunteer's own profile,
so anyone else's answers 404. Nothing here shows a parent's name or contact details
before the introduction: offer pages only get an anonymised ``OfferSummary``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from peermatch.extensions import db
from peermatch.models import Role, VolunteerProfile, now_utc
from peermatch.services import offers as offer_service
from peermatch.services import volunteering
from peermatch.services.volunteering import NotFound, VolunteeringError
from peermatch.web.access import roles_required
from peermatch.web.filters import LONDON
from peermatch.web.volunteers import forms, wording
from peermatch.web.volunteers.commands import lapse_offers
from peermatch.web.wording import VETTING_STATUS, VOLUNTEER_STATUS

bp = Blueprint("volunteers", __name__, url_prefix="/volunteer", template_folder="templates", cli_group=None)
bp.cli.add_command(lapse_offers)


def now() -> datetime:
    """The current time; one place for tests to control the clock."""
    return now_utc()


def today() -> date:
    return now().astimezone(LONDON).date()


def _profile() -> VolunteerProfile | None:
    return volunteering.profile_for(db.session, current_user)


def _require_profile() -> VolunteerProfile:
    profile = _profile()
    if profile is None:
        abort(redirect(url_for("volunteers.apply")))
    return profile


def _field_error(form: Any, error: ValueError) -> None:
    """Show a domain error next to the field it belongs to (or the first field)."""
    name = getattr(error, "field", None) or next(iter(form._fields))
    getattr(form, name).errors = [*getattr(form, name).errors, str(error)]


def _common() -> dict[str, Any]:
    return {"wording": wording, "volunteer_status": VOLUNTEER_STATUS, "vetting_status": VETTING_STATUS}


@bp.get("/")
@roles_required(Role.VOLUNTEER)
def home():
    page = volunteering.home_page(db.session, current_user, now(), today())
    return render_template("volunteers/home.html", page=page, today=today(), **_common())


@bp.route("/apply", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def apply():
    """The application: one page in sections, so nothing typed is lost and it works without JavaScript."""
    if _profile() is not None:
        return redirect(url_for("volunteers.home"))
    form = forms.ApplicationForm()
    issue_types = volunteering.issue_types_to_choose(db.session)
    form.offer_issue_types(issue_types)
    form.organisation.choices = forms.options((o.id, o.name) for o in volunteering.organisations_to_choose(db.session))
    if form.validate_on_submit():
        try:
            volunteering.apply(db.session, current_user, form.application(), now())
        except VolunteeringError as error:
            _field_error(form, error)
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
    issue_types = volunteering.issue_types_to_choose(db.session, profile)
    form.offer_issue_types(issue_types)
    form.keep_travel_distance(profile.travel_km)
    if form.validate_on_submit():
        try:
            change = volunteering.change_details(db.session, profile, form.details(), current_user)
        except VolunteeringError as error:
            _field_error(form, error)
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
            volunteering.set_availability(db.session, profile, form.availability_mask(), current_user)
        except VolunteeringError as error:
            _field_error(form, error)
        else:
            flash("Your availability is saved. New offers will use it straight away", "success")
            return redirect(url_for("volunteers.home"))
    elif not form.is_submitted():
        form.fill_week(profile.availability_mask)
    return render_template("volunteers/availability.html", form=form, **_common())


@bp.route("/capacity", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def capacity():
    profile = _require_profile()
    form = forms.CapacityForm()
    if form.validate_on_submit():
        try:
            volunteering.set_capacity(db.session, profile, int(form.capacity.data))
        except VolunteeringError as error:
            _field_error(form, error)
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
    return render_template("volunteers/pauses.html", pauses=volunteering.current_pauses(profile, today()),
                           remove_form=forms.ButtonForm(), **_common())


@bp.route("/away/add", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def add_pause():
    profile = _require_profile()
    form = forms.PauseForm()
    if form.validate_on_submit():
        try:
            pause = volunteering.add_pause(db.session, profile, form.starts_on.data, form.ends_on.data,
                                           form.reason.data, today())
        except VolunteeringError as error:
            _field_error(form, error)
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
        pause = volunteering.remove_pause(db.session, profile, pause_id)
    except NotFound:
        abort(404)
    flash(f"Removed: away from {_day(pause.starts_on)} to {_day(pause.ends_on)}", "success")
    return redirect(url_for("volunteers.pauses"))


@bp.get("/offers")
@roles_required(Role.VOLUNTEER)
def offers():
    profile = _require_profile()
    waiting = volunteering.offers_waiting(db.session, profile, now())
    summaries = [volunteering.summarise_offer(o, profile, now()) for o in waiting]
    return render_template("volunteers/offers.html", summaries=summaries, **_common())


def _own_offer(offer_id: uuid.UUID) -> tuple[VolunteerProfile, Any]:
    profile = _require_profile()
    try:
        return profile, volunteering.offer_for(db.session, profile, offer_id)
    except NotFound:
        abort(404)


@bp.get("/offers/<uuid:offer_id>")
@roles_required(Role.VOLUNTEER)
def offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    if found.match is not None:
        return redirect(url_for("volunteers.match", match_id=found.match.id))
    summary = volunteering.summarise_offer(found, profile, now())
    return render_template("volunteers/offer.html", summary=summary, accept_form=forms.ButtonForm(),
                           lapse_hours=current_app.config["OFFER_LAPSE_HOURS"], **_common())


@bp.post("/offers/<uuid:offer_id>/accept")
@roles_required(Role.VOLUNTEER)
def accept_offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    form = forms.ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        match = offer_service.accept_offer(db.session, found, current_user, now())
    except offer_service.OfferError as error:
        summary = volunteering.summarise_offer(found, profile, now())
        return render_template("volunteers/offer.html", summary=summary, accept_form=form, problem=str(error),
                               lapse_hours=current_app.config["OFFER_LAPSE_HOURS"], **_common())
    flash("You have accepted. Here is how the parent would like you to get in touch", "success")
    return redirect(url_for("volunteers.match", match_id=match.id))


@bp.route("/offers/<uuid:offer_id>/decline", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def decline_offer(offer_id: uuid.UUID):
    profile, found = _own_offer(offer_id)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        try:
            offer_service.decline_offer(db.session, found, current_user, form.reason.data, form.note.data, now())
        except offer_service.OfferError as error:
            _field_error(form, error)
        else:
            flash("You have declined the offer. The organisers will look for another advocate", "success")
            return redirect(url_for("volunteers.home"))
    summary = volunteering.summarise_offer(found, profile, now())
    return render_template("volunteers/decline.html", form=form, summary=summary, **_common())


def _own_match(match_id: uuid.UUID) -> Any:
    profile = _require_profile()
    try:
        return volunteering.match_for(db.session, profile, match_id)
    except NotFound:
        abort(404)


@bp.get("/matches/<uuid:match_id>")
@roles_required(Role.VOLUNTEER)
def match(match_id: uuid.UUID):
    profile = _require_profile()
    try:
        page = volunteering.open_match(db.session, current_user, profile, match_id)
    except NotFound:
        abort(404)
    return render_template("volunteers/match.html", page=page, match=page.match, today=today(), **_common())


@bp.route("/matches/<uuid:match_id>/contacts/new", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def log_contact(match_id: uuid.UUID):
    found = _own_match(match_id)
    form = forms.ContactForm()
    if form.validate_on_submit():
        try:
            volunteering.log_contact(db.session, found, current_user, form.occurred_on.data, form.mode.data,
                                     int(form.minutes.data.strip()), form.note.data, today())
        except VolunteeringError as error:
            _field_error(form, error)
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
            volunteering.end_match(db.session, found, current_user, form.outcome.data, form.outcome_note.data,
                                   int(form.rating.data), form.comments.data, now())
        except VolunteeringError as error:
            _field_error(form, error)
        else:
            flash("Support ended. Thank you for the time you gave", "success")
            return redirect(url_for("volunteers.home"))
    return render_template("volunteers/end_match.html", form=form, match=found, **_common())


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
