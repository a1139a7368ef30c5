"""An organiser's pages: today's work, triage, candidates, offers, introductions, matches, vetting, batches.

Everything is scoped to the organiser's own organisation: ``reads.organisers`` answers
:class:`NotFound` (404) for any other organisation's id, on every page and every POST.
Views validate a form, call one service, flash and redirect; state changes are POSTs with
CSRF, and the services refuse a second click or a second organiser with a clear message.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from peermatch import clock
from peermatch.errors import DomainError, NotEligible
from peermatch.extensions import db
from peermatch.models import Role
from peermatch.reads import organisers as reads
from peermatch.reference import LANGUAGES, describe_slots
from peermatch.services import advocates, matches, matching, offers, requests
from peermatch.web import reports as report_pages
from peermatch.web import searches
from peermatch.web.access import recent_sign_in_required, roles_required
from peermatch.web.forms import show_error
from peermatch.web.organisers import forms, wording
from peermatch.web.wording import REQUEST_STATUS_FOR_STAFF, VETTING_STATUS, VOLUNTEER_STATUS

bp = Blueprint("organisers", __name__, url_prefix="/organiser", template_folder="templates")
ORGANISER = Role.ORGANISER


def _common() -> dict[str, Any]:
    return {"wording": wording, "status_words": REQUEST_STATUS_FOR_STAFF, "volunteer_status": VOLUNTEER_STATUS,
            "vetting_status": VETTING_STATUS, "languages": LANGUAGES, "describe_slots": describe_slots}


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _flag(name: str) -> bool:
    return request.args.get(name) in ("1", "y", "yes", "on", "true")


# -- today's work and triage ---------------------------------------------------------------------------

@bp.get("/")
@roles_required(ORGANISER)
def home():
    return render_template("organisers/home.html", work=reads.todays_work(db.session, current_user, clock.now()),
                           **_common())


@bp.get("/requests")
@roles_required(ORGANISER)
def triage():
    filters = reads.TriageFilters(
        status=request.args.get("status", ""), issue=request.args.get("issue", ""),
        area=request.args.get("area", ""), language=request.args.get("language", ""), soon=_flag("soon"),
        meeting_72h=_flag("meeting_72h"), came_back=_flag("came_back"), page=_page())
    page = reads.triage(db.session, current_user, filters, clock.now())
    form = forms.TriageForm(request.args)
    form.issue.choices = {"": "Any issue", **dict(page.issue_choices)}
    form.area.choices = {"": "Any area", **dict(page.area_choices)}
    form.language.choices = {"": "Any language", **{code: LANGUAGES.get(code, code) for code in page.language_choices}}
    return render_template("organisers/triage.html", page=page, form=form, **_common())


# -- one request -------------------------------------------------------------------------------------------

def _request_page(request_id: str, **extra: Any) -> str:
    record = reads.request_record(db.session, current_user, request_id, clock.now())
    conflict = extra.pop("conflict_form", None) or forms.ConflictForm(formdata=None)
    conflict.volunteer_id.choices = {"": "Choose an advocate", **dict(record.conflict_choices)}
    return render_template("organisers/request.html", record=record, request_obj=record.request,
                           conflict_form=conflict, button=forms.ButtonForm(), **extra, **_common())


@bp.get("/requests/<request_id>")
@roles_required(ORGANISER)
def request_detail(request_id: str):
    found = reads.own_request(db.session, current_user, request_id)
    requests.acknowledge(db.session, found, current_user, clock.now())  # an organiser has looked at it
    return _request_page(request_id)


@bp.post("/requests/<request_id>/conflicts")
@roles_required(ORGANISER)
def record_conflict(request_id: str):
    found = reads.own_request(db.session, current_user, request_id)
    form = forms.ConflictForm()
    record = reads.request_record(db.session, current_user, request_id, clock.now())
    form.volunteer_id.choices = {"": "Choose an advocate", **dict(record.conflict_choices)}
    if form.validate_on_submit():
        try:
            volunteer = reads.own_advocate(db.session, current_user, form.volunteer_id.data)
            requests.record_conflict(db.session, found, volunteer, current_user, clock.now(), form.reason.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Conflict of interest recorded. They will not be offered this request", "success")
            return redirect(url_for("organisers.request_detail", request_id=found.id))
    return _request_page(request_id, conflict_form=form), 400


@bp.route("/requests/<request_id>/close", methods=["GET", "POST"])
@roles_required(ORGANISER)
def close_request(request_id: str):
    found = reads.own_request(db.session, current_user, request_id)
    form = forms.CloseForm()
    if form.validate_on_submit():
        try:
            requests.close_unmatched(db.session, found, current_user, clock.now(), form.reason.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Request {found.reference} is closed without a match", "success")
            return redirect(url_for("organisers.triage"))
    return render_template("organisers/close.html", form=form, request_obj=found, **_common())


# -- candidates and offers ----------------------------------------------------------------------------------

@bp.route("/requests/<request_id>/candidates", methods=["GET", "POST"])
@roles_required(ORGANISER)
def candidates(request_id: str):
    """The ranked advocates; "why not this person?" is posted, so the name never sits in the address."""
    key = f"why-not:{request_id}"
    if request.method == "POST":
        reads.own_request(db.session, current_user, request_id)  # another organisation's request: 404
        shown = searches.remember(key, request.form.get("q", "")[:100])
        return redirect(url_for("organisers.candidates", request_id=request_id, **shown) + "#why-not")
    page = reads.candidates(db.session, current_user, request_id, clock.now(), page=_page(),
                            query=searches.recall(key)[:100])
    return render_template("organisers/candidates.html", page=page, offer_form=forms.OfferForm(), **_common())


@bp.post("/requests/<request_id>/offers")
@roles_required(ORGANISER)
@recent_sign_in_required(back=lambda request_id: url_for("organisers.candidates", request_id=request_id))
def send_offer(request_id: str):
    found = reads.own_request(db.session, current_user, request_id)
    form = forms.OfferForm()
    if not form.validate_on_submit():
        flash("Choose an advocate to send the offer to", "info")
        return redirect(url_for("organisers.candidates", request_id=found.id))
    volunteer = reads.candidate_advocate(db.session, current_user, form.volunteer_id.data)
    try:
        offer = matching.send_offer(db.session, found, volunteer, current_user, clock.now())
    except NotEligible as error:
        problems = ["This offer was not sent, because " + volunteer.user.display_name + " no longer fits: "
                    + "; ".join(error.reasons)]
        page = reads.candidates(db.session, current_user, request_id, clock.now())
        return render_template("organisers/candidates.html", page=page, offer_form=forms.OfferForm(),
                               problems=problems, **_common()), 409
    except DomainError as error:
        page = reads.candidates(db.session, current_user, request_id, clock.now())
        return render_template("organisers/candidates.html", page=page, offer_form=forms.OfferForm(),
                               problems=[f"This offer was not sent: {error}"], **_common()), 409
    flash(f"Offer sent to {volunteer.user.display_name}. They have until "
          f"{wording.when(offer.expires_dt)} to answer", "success")
    return redirect(url_for("organisers.request_detail", request_id=found.id))


@bp.post("/offers/<offer_id>/withdraw")
@roles_required(ORGANISER)
def withdraw_offer(offer_id: str):
    offer = reads.own_offer(db.session, current_user, offer_id)
    form = forms.ButtonForm()
    if form.validate_on_submit():
        try:
            offers.withdraw(db.session, offer, current_user, clock.now())
        except DomainError as error:
            flash(str(error), "info")
        else:
            flash("Offer withdrawn. You can offer the request to someone else", "success")
    return redirect(url_for("organisers.request_detail", request_id=offer.request_id))


@bp.get("/offers")
@roles_required(ORGANISER)
def offers_page():
    return render_template("organisers/offers.html", page=reads.offers_page(db.session, current_user, clock.now()),
                           **_common())


@bp.route("/matches/<match_id>/introduce", methods=["GET", "POST"])
@roles_required(ORGANISER)
def introduce(match_id: str):
    match = reads.introduction(db.session, current_user, match_id)
    form = forms.ButtonForm()
    if form.validate_on_submit():
        try:
            matches.introduce(db.session, match, current_user, clock.now())
        except DomainError as error:
            flash(str(error), "info")
        else:
            flash(f"Introduced. {match.volunteer.user.display_name} can now see how to contact the parent, and "
                  "the parent sees their first name", "success")
        return redirect(url_for("organisers.offers_page"))
    return render_template("organisers/introduce.html", match=match, form=form, **_common())


# -- matches ----------------------------------------------------------------------------------------------

@bp.get("/matches")
@roles_required(ORGANISER)
def matches_page():
    stalled = _flag("stalled")
    rows, pages = reads.matches_page(db.session, current_user, clock.now(), stalled=stalled, page=_page())
    return render_template("organisers/matches.html", rows=rows, pages=pages, stalled=stalled, **_common())


@bp.get("/matches/<match_id>")
@roles_required(ORGANISER)
def match_detail(match_id: str):
    record = reads.match_record(db.session, current_user, match_id, clock.now())
    return render_template("organisers/match.html", record=record, **_common())


@bp.get("/matches/<match_id>/messages")
@roles_required(ORGANISER)
def match_messages(match_id: str):
    """The messages between the parent and the advocate: opened on purpose, and the read is audited."""
    page = reads.match_messages(db.session, current_user, match_id, clock.now())
    return render_template("organisers/messages.html", page=page, **_common())


@bp.route("/matches/<match_id>/end", methods=["GET", "POST"])
@roles_required(ORGANISER)
def end_match(match_id: str):
    match = reads.own_match(db.session, current_user, match_id)
    form = forms.EndMatchForm()
    if form.validate_on_submit():
        try:
            matches.end_by_organiser(db.session, match, current_user, clock.now(), outcome=form.outcome.data,
                                     note=form.note.data or "")
        except DomainError as error:
            show_error(form, error)
        else:
            flash("The match has ended", "success")
            return redirect(url_for("organisers.match_detail", match_id=match.id))
    return render_template("organisers/end_match.html", form=form, match=match, **_common())


# -- advocates and vetting --------------------------------------------------------------------------------

@bp.route("/advocates", methods=["GET", "POST"])
@roles_required(ORGANISER)
def advocates_page():
    """The organisation's volunteers. Filters are posted: the name is kept in the session, the rest go in the address."""
    if request.method == "POST":
        kept = {name: request.form[name] for name in ("standing", "vetting", "language", "mode", "network_wide")
                if request.form.get(name)}
        return redirect(url_for("organisers.advocates_page", **kept,
                                **searches.remember("advocates", request.form.get("name", "")[:100])))
    name = searches.recall("advocates")[:100]
    filters = reads.AdvocateFilters(
        standing=request.args.get("standing", ""), vetting=request.args.get("vetting", ""),
        language=request.args.get("language", ""), mode=request.args.get("mode", ""),
        network_wide=_flag("network_wide"), name=name, page=_page())
    rows, pages = reads.advocates_page(db.session, current_user, filters, clock.now())
    form = forms.AdvocateFiltersForm(request.args, name=name)
    form.language.choices = {"": "Any language", **LANGUAGES}
    return render_template("organisers/advocates.html", rows=rows, pages=pages, form=form, **_common())


@bp.get("/applications")
@roles_required(ORGANISER)
def applications():
    return render_template("organisers/applications.html",
                           rows=reads.applications(db.session, current_user, clock.now()), **_common())


@bp.get("/advocates/<volunteer_id>")
@roles_required(ORGANISER)
def advocate_detail(volunteer_id: str):
    record = reads.advocate_record(db.session, current_user, volunteer_id, clock.now())
    return render_template("organisers/advocate.html", record=record, button=forms.ButtonForm(), **_common())


def _vetting_checks(form: forms.VettingForm) -> advocates.VettingChecks:
    return advocates.VettingChecks(
        dbs_checked_on=form.dbs_checked_on.data, dbs_expires_on=form.dbs_expires_on.data,
        dbs_certificate_ref=form.dbs_certificate_ref.data or "", training_completed_on=form.training_completed_on.data,
        references=tuple(tuple(getattr(form, f"reference_{n}_{step}_on").data  # type: ignore[misc]
                               for step in advocates.REFERENCE_STEPS) for n in (1, 2)),
        notes=form.notes.data or "")


@bp.route("/advocates/<volunteer_id>/vetting", methods=["GET", "POST"])
@roles_required(ORGANISER)
@recent_sign_in_required()
def vetting(volunteer_id: str):
    profile = reads.own_advocate(db.session, current_user, volunteer_id)
    form = forms.VettingForm()
    if form.validate_on_submit():
        try:
            changed = advocates.record_vetting(db.session, profile, _vetting_checks(form), current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Checks saved" if changed else "Nothing changed, so the checks are as they were",
                  "success" if changed else "info")
            return redirect(url_for("organisers.advocate_detail", volunteer_id=profile.id))
    elif not form.is_submitted() and profile.vetting is not None:
        for name in form.data:
            if hasattr(profile.vetting, name) and name != "submit":
                getattr(form, name).data = getattr(profile.vetting, name)
    return render_template("organisers/vetting.html", form=form, profile=profile, **_common())


DECISIONS = {
    "approve": ("Approve this volunteer as an advocate?", "{name} can be offered parents to support from now on.",
                "Approve", "{name} is approved. They can now be offered parents to support"),
    "reinstate": ("Reinstate this advocate?", "{name} can be offered parents to support again.", "Reinstate",
                  "{name} is reinstated"),
    "reject": ("Do not approve this volunteer?", "{name} will not be offered parents. Only organisers see the "
               "reason.", "Do not approve", "{name} is not approved"),
    "suspend": ("Suspend this advocate?", "{name} will not be offered parents until you reinstate them. Offers "
                "waiting for their answer are withdrawn; parents they already support keep their match.",
                "Suspend", "{name} is suspended"),
}


@bp.route("/advocates/<volunteer_id>/<decision>", methods=["GET", "POST"])
@roles_required(ORGANISER)
@recent_sign_in_required()
def decide(volunteer_id: str, decision: str):
    """Approve, reject, suspend or reinstate, after a confirmation page (with a reason where one is needed)."""
    if decision not in DECISIONS:
        from flask import abort

        abort(404)
    profile = reads.own_advocate(db.session, current_user, volunteer_id)
    name = profile.user.display_name
    needs_reason = decision in ("reject", "suspend")
    form = forms.ReasonForm() if needs_reason else forms.ButtonForm()
    heading, consequence, button, done = (text.format(name=name) for text in DECISIONS[decision])
    if form.validate_on_submit():
        try:
            if needs_reason:
                getattr(advocates, decision)(db.session, profile, current_user, clock.now(), form.reason.data)
            else:
                getattr(advocates, decision)(db.session, profile, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(done, "success")
            return redirect(url_for("organisers.advocate_detail", volunteer_id=profile.id))
    return render_template("organisers/decide.html", form=form, profile=profile, heading=heading,
                           consequence=consequence, button=button, needs_reason=needs_reason, **_common())


# -- batches ------------------------------------------------------------------------------------------------

def batch_view(organisation_id: uuid.UUID | None, template_args: dict[str, Any]) -> Any:
    """The batch page for one organisation, or (for the network admin) the whole network."""
    form = forms.BatchForm()
    proposals = None
    if form.validate_on_submit():
        proposals = matching.propose_batch_for(db.session, organisation_id, clock.today(),
                                               maximise_matches=bool(form.most_matches.data))
        reads.batch_proposed(db.session, current_user, organisation_id, proposals, clock.now())
    return render_template("organisers/batch.html", form=form, proposals=proposals,
                           shown=reads.batch_rows(db.session, proposals) if proposals else None,
                           send_form=forms.SendBatchForm(formdata=None), **template_args, **_common())


def send_batch_view(organisation_id: uuid.UUID | None, back: str) -> Any:
    form = forms.SendBatchForm()
    if not form.validate_on_submit():
        flash("Select at least one offer to send", "info")
        return redirect(back)
    pairs = []
    for value in form.pairs.data:
        first, _, second = str(value).partition(":")
        try:
            pairs.append((uuid.UUID(first), uuid.UUID(second)))
        except ValueError:
            continue
    result = matching.send_batch(db.session, pairs, current_user, clock.now(), organisation_id)
    return render_template("organisers/batch_sent.html", result=result,
                           refused=reads.refused_rows(db.session, result.refused), back=back, **_common())


@bp.route("/batch", methods=["GET", "POST"])
@roles_required(ORGANISER)
def batch():
    return batch_view(current_user.organisation_id, {"send_url": url_for("organisers.send_batch")})


@bp.post("/batch/send")
@roles_required(ORGANISER)
@recent_sign_in_required(back=lambda: url_for("organisers.batch"))
def send_batch():
    return send_batch_view(current_user.organisation_id, url_for("organisers.batch"))


@bp.get("/reports")
@roles_required(ORGANISER)
def reports():
    """Coverage gaps, time to match, fairness, offers and outcomes for this organisation, for a chosen period."""
    return report_pages.page("organisers.reports", "organisers.download_report", current_user.organisation_id)


@bp.get("/reports/<table>.csv")
@roles_required(ORGANISER)
@recent_sign_in_required()
def download_report(table: str):
    """One report table as CSV: anonymised counts only; needs a recent sign-in and is audited."""
    return report_pages.download(table, current_user.organisation_id)
