"""Sign in, sign out and registration. Views validate, call one domain function, redirect."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.extensions import db, limiter
from peermatch.models import Role
from peermatch.services import accounts
from peermatch.web.forms import show_error
from peermatch.web.access import home_url_for, is_safe_next, public, roles_required
from peermatch.web.auth.forms import ParentRegistrationForm, SignInForm, SignOutForm, VolunteerRegistrationForm

bp = Blueprint("auth", __name__, template_folder="templates")


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        result = accounts.authenticate(db.session, form.email.data, form.password.data, clock.now())
        if result.user is not None:
            login_user(result.user)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else home_url_for(result.user))
        form.email.errors.append(result.error)
        form.password.errors.append(result.error)
        form.password.data = ""
    return render_template("auth/sign_in.html", form=form)


@bp.get("/home")
@roles_required(Role.PARENT, Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN)
def home():
    """Each role has its own home page."""
    return redirect(home_url_for(current_user))


@bp.get("/sign-out")
@roles_required(Role.PARENT, Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN)
def sign_out_page():
    return render_template("auth/sign_out.html", form=SignOutForm())


@bp.post("/sign-out")
@public
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
        flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register_parent():
    """A parent creates an account before asking for support."""
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = ParentRegistrationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_parent(
                db.session, email=form.email.data, password=form.password.data, display_name=form.display_name.data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            login_user(user)
            return redirect(url_for("parents.ask"))  # straight on to the questions
    return render_template("auth/register_parent.html", form=form)


@bp.route("/volunteer/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register_volunteer():
    """Someone with lived experience creates an account to apply as a volunteer advocate."""
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = VolunteerRegistrationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_volunteer_applicant(
                db.session, email=form.email.data, password=form.password.data, display_name=form.display_name.data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            login_user(user)
            return redirect(home_url_for(user))
    return render_template("auth/register_volunteer.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_password(token: str):
    """The page an invitation email links to."""
    from peermatch.services import invitations
    from peermatch.web.auth.forms import SetPasswordForm
    from peermatch.web.errors import render_error

    try:
        user = invitations.user_for_token(db.session, current_app.config["SECRET_KEY"], token)
    except DomainError as error:
        return render_error(400, "This link cannot be used", str(error))
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(db.session, user, form.password.data, clock.now())
        logout_user()
        flash("Your password is set. You can now sign in", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/set_password.html", form=form, user=user)
