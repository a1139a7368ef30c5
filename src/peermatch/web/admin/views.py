"""The network admin's pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from peermatch.extensions import db
from peermatch.models import Organisation, Role, User
from peermatch.services import accounts, dashboards, invitations, mail
from peermatch.services import matching as matching_service
from peermatch.web.access import roles_required
from peermatch.web.admin.forms import ActivateModelForm, InviteOrganiserForm

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    return render_template("admin/home.html", rows=dashboards.network_overview(db.session))


@bp.route("/organisers", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def organisers():
    form = InviteOrganiserForm()
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = {"": "Choose an organisation", **{str(o.id): o.name for o in organisations}}
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation.data)
        try:
            user = invitations.invite_organiser(
                db.session, email=form.email.data, display_name=form.display_name.data,
                organisation=organisation, invited_by=current_user,
            )
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            token = invitations.make_token(current_app.config["SECRET_KEY"], user)
            link = url_for("auth.set_password", token=token, _external=True)
            db.session.commit()  # the account must exist before anyone can follow the link
            mail.send(current_app.config, mail.Mail(user.email, invitations.invitation_body(user.display_name, link)))
            flash(f"Invitation sent to {user.email}", "success")
            return redirect(url_for("admin.organisers"))
    staff = db.session.execute(
        sa.select(User, Organisation.name)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role == Role.ORGANISER)
        .order_by(Organisation.name, User.display_name)
    ).all()
    return render_template("admin/organisers.html", form=form, staff=staff)


@bp.get("/scoring-models")
@roles_required(Role.ADMIN)
def scoring_models():
    """Every model version with its weights and held-out figures; the active one marked."""
    rows = matching_service.list_models(db.session)
    active = next((row for row in rows if row.active), None)
    return render_template(
        "admin/scoring_models.html", rows=rows, active=active,
        weights={row.version: matching_service.model_weights(row) for row in rows},
        default_weights=matching_service.model_weights(None),
    )


@bp.route("/scoring-models/<version>/activate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def activate_scoring_model(version: str):
    """Confirm, then make this version score new offers (an older one: a roll-back)."""
    rows = {row.version: row for row in matching_service.list_models(db.session)}
    if version != "default-1" and version not in rows:
        abort(404)
    form = ActivateModelForm()
    if form.validate_on_submit():
        matching_service.activate_model(db.session, version, current_user)
        flash(f"{version} now scores new offers", "success")
        return redirect(url_for("admin.scoring_models"))
    return render_template("admin/activate_model.html", form=form, version=version, row=rows.get(version))
