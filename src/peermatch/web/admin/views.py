"""The network admin's pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.extensions import db
from peermatch.models import AuditAction, Role
from peermatch.reads import admin as reads
from peermatch.services import invitations, mail, network, retention, scoring_models, two_factor
from peermatch.web import reports as report_pages
from peermatch.web import searches
from peermatch.web.access import recent_sign_in_required, roles_required
from peermatch.web.admin.forms import (
    ActivateModelForm,
    AddAreaForm,
    AuditFiltersForm,
    DeactivateOrganiserForm,
    InviteOrganiserForm,
    IssueTypeForm,
    MoveOrganiserForm,
    OrganisationForm,
    OutcodesForm,
    ReinviteOrganiserForm,
    RemoveAreaForm,
    ResetTwoFactorForm,
    RetentionForm,
    RetireIssueTypeForm,
)
from peermatch.web.forms import show_error

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    return render_template("admin/home.html", rows=reads.network_overview(db.session))


@bp.route("/organisers", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda: url_for("admin.organisers"), on_get=False)
def organisers():
    form = InviteOrganiserForm()
    organisations = reads.organisations(db.session)
    form.organisation.choices = {"": "Choose an organisation", **{str(o.id): o.name for o in organisations}}
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation.data)
        try:
            user = invitations.invite_organiser(
                db.session, email=form.email.data, display_name=form.display_name.data,
                organisation=organisation, invited_by=current_user,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            _send_invitation(user)
            flash(f"Invitation sent to {user.email}", "success")
            return redirect(url_for("admin.organisers"))
    return render_template("admin/organisers.html", form=form, staff=reads.organiser_accounts(db.session))


@bp.route("/organisers/<user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda user_id: url_for("admin.organiser", user_id=user_id), on_get=False)
def organiser(user_id: str):
    """One organiser's account: move them to another organisation here; deactivate or invite again."""
    user = reads.organiser_account(db.session, user_id)
    organisations = reads.organisations(db.session)
    form = MoveOrganiserForm()
    form.organisation.choices = {"": "Choose an organisation",
                                 **{str(o.id): o.name for o in organisations if o.id != user.organisation_id}}
    if form.validate_on_submit():
        to = next(o for o in organisations if str(o.id) == form.organisation.data)
        try:
            network.move_organiser(db.session, user, to, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{user.display_name} now works for {to.name}. They were signed out everywhere", "success")
            return redirect(url_for("admin.organisers"))
    return render_template("admin/organiser.html", form=form, user=user)


@bp.route("/organisers/<user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def deactivate_organiser(user_id: str):
    """Confirm, then the organiser can no longer sign in and is signed out everywhere."""
    user = reads.organiser_account(db.session, user_id)
    form = DeactivateOrganiserForm()
    if form.validate_on_submit():
        try:
            network.deactivate_organiser(db.session, user, current_user, clock.now())
        except DomainError as error:
            flash(str(error), "important")
            return redirect(url_for("admin.organiser", user_id=user.id))
        else:
            flash(f"{user.display_name}'s account is deactivated. They were signed out everywhere", "success")
            return redirect(url_for("admin.organisers"))
    return render_template("admin/deactivate_organiser.html", form=form, user=user)


@bp.route("/organisers/<user_id>/reinvite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def reinvite_organiser(user_id: str):
    """Confirm, then a new set-password link goes by email (the account is active again if it was not)."""
    user = reads.organiser_account(db.session, user_id)
    form = ReinviteOrganiserForm()
    if form.validate_on_submit():
        network.reinvite_organiser(db.session, user, current_user, clock.now())
        _send_invitation(user)
        flash(f"A new invitation was sent to {user.email}", "success")
        return redirect(url_for("admin.organisers"))
    return render_template("admin/reinvite_organiser.html", form=form, user=user)


def _send_invitation(user: Any) -> None:
    token = invitations.make_token(current_app.config["SECRET_KEY"], user)
    link = url_for("auth.set_password", token=token, _external=True)
    # Sent once the account is saved, so the link never points at an account that does not exist.
    mail.send_after_commit(db.session, current_app.config,
                           mail.Mail(user.email, invitations.invitation_body(user.display_name, link)))


@bp.route("/batch", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def batch():
    """The whole network's open requests proposed at once (organisers send their own organisation's)."""
    from peermatch.web.organisers.views import batch_view

    return batch_view(None, {"send_url": url_for("admin.send_batch"),
                             "batch_title": "Propose offers for every open request in the network"})


@bp.post("/batch/send")
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda: url_for("admin.batch"))
def send_batch():
    from peermatch.web.organisers.views import send_batch_view

    return send_batch_view(None, url_for("admin.batch"))


@bp.get("/scoring-models", endpoint="scoring_models")
@roles_required(Role.ADMIN)
def scoring_models_page():
    """Every model version with its weights and held-out figures; the active one marked."""
    page = reads.scoring_models_page(db.session)
    return render_template("admin/scoring_models.html", rows=page.rows, active=page.active, weights=page.weights,
                           default_weights=page.default_weights)


@bp.route("/scoring-models/<version>/activate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def activate_scoring_model(version: str):
    """Confirm, then make this version score new offers (an older one: a roll-back)."""
    row = reads.scoring_model(db.session, version)
    if version != "default-1" and row is None:
        abort(404)
    form = ActivateModelForm()
    if form.validate_on_submit():
        scoring_models.activate_model(db.session, version, current_user, clock.now())
        flash(f"{version} now scores new offers", "success")
        return redirect(url_for("admin.scoring_models"))
    return render_template("admin/activate_model.html", form=form, version=version, row=row)


@bp.route("/organisers/<user_id>/reset-two-factor", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def reset_two_factor(user_id: str):
    """A lost phone: after confirming, the organiser sets up a new authenticator at their next sign-in."""
    user = reads.staff_account(db.session, user_id)
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        two_factor.reset(db.session, user, current_user, clock.now())
        flash(f"Two-factor sign-in reset for {user.display_name}. They set it up again when they next sign in",
              "success")
        return redirect(url_for("admin.organisers"))
    return render_template("admin/reset_two_factor.html", form=form, user=user)


@bp.route("/audit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def audit_log():
    """Who did what, newest first: filtered by person, organisation, action and dates, in pages.

    The filters are posted: the person's email is kept in the session (``web/searches.py``), the
    rest go in the address.
    """
    if request.method == "POST":
        kept = {name: request.form.getlist(name) for name in ("organisation", "action", "since", "until")
                if any(request.form.getlist(name))}
        return redirect(url_for("admin.audit_log", **kept,
                                **searches.remember("audit", request.form.get("person", ""))))
    form = AuditFiltersForm(request.args, person=searches.recall("audit"))
    form.action.choices = {"": "Any action", **{a.value: a.value for a in AuditAction}}
    valid = form.validate() if request.args else True
    filters = reads.AuditFilters(
        person=searches.recall("audit"), organisation=request.args.get("organisation", ""),
        action=request.args.get("action", ""), since=form.since.data if valid else None,
        until=form.until.data if valid else None, page=_page())
    page = reads.audit_log(db.session, current_user, filters, clock.now())
    form.organisation.choices = {"": "Any organisation", **dict(page.organisations)}
    return render_template("admin/audit_log.html", form=form, page=page, filters=filters)


@bp.route("/retention", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda: url_for("admin.retention_settings"), on_get=False)
def retention_settings():
    """The retention period, what the next nightly purge would erase, and the last purges (how many, never who)."""
    form = RetentionForm()
    if form.validate_on_submit():
        try:
            retention.set_retention_days(db.session, form.days.data, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"The retention period is now {form.days.data} days", "success")
            return redirect(url_for("admin.retention_settings"))
    page = reads.retention_page(db.session, current_app.config, clock.now())
    if not form.is_submitted():
        form.days.data = page.days
    return render_template("admin/retention.html", form=form, page=page)


# -- member organisations and what they cover ------------------------------------------------------------

@bp.get("/organisations")
@roles_required(Role.ADMIN)
def organisations():
    """The coverage table: which organisation covers which council areas, and how many outward codes."""
    return render_template("admin/organisations.html", rows=reads.coverage(db.session))


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda: url_for("admin.add_organisation"), on_get=False)
def add_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = network.add_organisation(db.session, form.name.data, form.contact_email.data,
                                                    current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{organisation.name} added. Now add the council areas it covers", "success")
            return redirect(url_for("admin.add_area", organisation_id=organisation.id))
    return render_template("admin/add_organisation.html", form=form)


@bp.route("/organisations/<organisation_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda organisation_id: url_for("admin.organisation", organisation_id=organisation_id),
                         on_get=False)
def organisation(organisation_id: str):
    """An organisation's name and contact email (changed here), its council areas and outward codes."""
    found = reads.organisation(db.session, organisation_id)
    form = OrganisationForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = network.edit_organisation(db.session, found, form.name.data, form.contact_email.data,
                                                current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Saved" if changed else "Nothing changed", "success")
            return redirect(url_for("admin.organisation", organisation_id=found.id))
    row = next(r for r in reads.coverage(db.session) if r.organisation.id == found.id)
    return render_template("admin/organisation.html", form=form, organisation=found, row=row)


@bp.route("/organisations/<organisation_id>/areas/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda organisation_id: url_for("admin.add_area", organisation_id=organisation_id),
                         on_get=False)
def add_area(organisation_id: str):
    found = reads.organisation(db.session, organisation_id)
    form = AddAreaForm()
    form.area.choices = {"": "Choose a council area", **dict(reads.council_areas_to_add(db.session))}
    if form.validate_on_submit():
        try:
            area = network.add_area(db.session, found, form.area.data, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{found.name} now covers {area.name}", "success")
            return redirect(url_for("admin.organisation", organisation_id=found.id))
    return render_template("admin/add_area.html", form=form, organisation=found)


@bp.route("/organisations/<organisation_id>/areas/<area_id>/remove", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def remove_area(organisation_id: str, area_id: str):
    """Confirm, then the organisation no longer covers the area."""
    found = reads.organisation(db.session, organisation_id)
    area = reads.covered_area(db.session, found, area_id)
    form = RemoveAreaForm()
    if form.validate_on_submit():
        network.remove_area(db.session, found, area, current_user, clock.now())
        flash(f"{found.name} no longer covers {area.name}", "success")
        return redirect(url_for("admin.organisation", organisation_id=found.id))
    return render_template("admin/remove_area.html", form=form, organisation=found, area=area)


@bp.route("/organisations/<organisation_id>/outcodes", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda organisation_id: url_for("admin.outcodes", organisation_id=organisation_id),
                         on_get=False)
def outcodes(organisation_id: str):
    """Outward codes the organisation covers on their own, beyond its council areas."""
    found = reads.organisation(db.session, organisation_id)
    form = OutcodesForm()
    if form.validate_on_submit():
        try:
            added, removed = network.set_outcodes(db.session, found, form.outcodes.data, current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Outward codes saved: {len(added)} added, {len(removed)} taken out", "success")
            return redirect(url_for("admin.organisation", organisation_id=found.id))
    elif not form.is_submitted():
        form.outcodes.data = " ".join(reads.given_outcodes(db.session, found))
    return render_template("admin/outcodes.html", form=form, organisation=found)


# -- the issue-type list ----------------------------------------------------------------------------

@bp.route("/issue-types", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda: url_for("admin.issue_types"), on_get=False)
def issue_types():
    """Every issue type, how many requests and volunteers have it; a new one is added here."""
    form = IssueTypeForm()
    if form.validate_on_submit():
        try:
            added = network.add_issue_type(db.session, form.name.data, form.description.data, current_user,
                                           clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{added.name} added: parents and volunteers can choose it from now on", "success")
            return redirect(url_for("admin.issue_types"))
    return render_template("admin/issue_types.html", form=form, rows=reads.issue_types(db.session))


@bp.route("/issue-types/<issue_type_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required(back=lambda issue_type_id: url_for("admin.issue_type", issue_type_id=issue_type_id),
                         on_get=False)
def issue_type(issue_type_id: str):
    """Rename an issue type or change its explanation: every request and volunteer that has it shows the new words."""
    found = reads.issue_type(db.session, issue_type_id)
    form = IssueTypeForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = network.rename_issue_type(db.session, found, form.name.data, form.description.data,
                                                current_user, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Saved" if changed else "Nothing changed", "success")
            return redirect(url_for("admin.issue_types"))
    return render_template("admin/issue_type.html", form=form, issue_type=found)


@bp.route("/issue-types/<issue_type_id>/retire", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def retire_issue_type(issue_type_id: str):
    """Confirm, then the issue type is no longer offered; it stays on the requests and volunteers that have it."""
    found = reads.issue_type(db.session, issue_type_id)
    form = RetireIssueTypeForm()
    if form.validate_on_submit():
        try:
            network.retire_issue_type(db.session, found, current_user, clock.now())
        except DomainError as error:
            flash(str(error), "important")
        else:
            flash(f"{found.name} is retired: it is no longer offered to parents or volunteers", "success")
        return redirect(url_for("admin.issue_types"))
    return render_template("admin/retire_issue_type.html", form=form, issue_type=found)


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/reports")
@roles_required(Role.ADMIN)
def reports():
    """The network's reports, each organisation side by side, or one organisation's, for a chosen period."""
    return report_pages.page("admin.reports", "admin.download_report", None, admin=True)


@bp.get("/reports/<table>.csv")
@roles_required(Role.ADMIN)
@recent_sign_in_required()
def download_report(table: str):
    """One report table as CSV: anonymised counts only; needs a recent sign-in and is audited."""
    return report_pages.download(table, None, admin=True)
