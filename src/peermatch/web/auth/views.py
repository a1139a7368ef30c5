"""Sign in, sign out and registration. Views validate, call one domain function, redirect."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from peermatch import clock, sessions
from peermatch.errors import DomainError
from peermatch.extensions import db, limiter
from peermatch.models import Role
from peermatch.services import accounts, invitations, two_factor
from peermatch.web.forms import show_error
from peermatch.web.access import home_url_for, is_safe_next, public, roles_required
from peermatch.web.auth import attempts
from peermatch.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmItIsYouForm,
    ForgottenPasswordForm,
    NotificationSettingsForm,
    ParentRegistrationForm,
    SetPasswordForm,
    SetUpCodeForm,
    SignInForm,
    SignOutForm,
    VolunteerRegistrationForm,
)

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
        wait = attempts.wait_before_trying(form.email.data)
        if wait:
            message = (f"There have been too many attempts to sign in to this account. Wait {attempts.in_words(wait)}, "
                       "then try again")
            form.password.errors.append(message)
            form.password.data = ""
            return render_template("auth/sign_in.html", form=form), 429
        result = accounts.authenticate(db.session, form.email.data, form.password.data, clock.now())
        if result.user is not None:
            target = request.args.get("next")
            target = target if is_safe_next(target) else None
            if two_factor.required(result.user):
                sessions.begin_second_step(result.user, target)
                return redirect(url_for("auth.enter_code" if result.user.totp_enabled_dt else "auth.set_up_code"))
            sessions.sign_in(result.user)
            return redirect(target or home_url_for(result.user))
        attempts.failed(form.email.data)
        form.email.errors.append(result.error)
        form.password.errors.append(result.error)
        form.password.data = ""
    return render_template("auth/sign_in.html", form=form)


def _second_step() -> tuple[Any, str] | None:
    """The staff member whose password was just given in this browser, and where they were going."""
    pending = sessions.second_step_user_id()
    if pending is None:
        return None
    user = accounts.active_user(db.session, pending[0])
    return (user, pending[1]) if user is not None else None


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def enter_code():
    """Staff's second step: the code from their authenticator app (or a recovery code)."""
    pending = _second_step()
    if pending is None or not pending[0].totp_enabled_dt:
        flash("Sign in again: it has been more than 10 minutes", "info")
        return redirect(url_for("auth.sign_in"))
    user, target = pending
    form = CodeForm()
    if form.validate_on_submit():
        wait = attempts.wait_before_trying(user.email)
        if wait:
            form.code.errors.append(f"There have been too many attempts. Wait {attempts.in_words(wait)}, then try again")
            return render_template("auth/enter_code.html", form=form), 429
        try:
            two_factor.check(db.session, user, form.code.data, clock.now())
        except DomainError as error:
            attempts.failed(user.email)
            show_error(form, error)
            form.code.data = ""
        else:
            sessions.sign_in(user)
            left = two_factor.recovery_codes_left(db.session, user)
            if left < 3:
                flash(f"You have {left} recovery code{'s' if left != 1 else ''} left. Ask your network admin to "
                      "reset your two-factor sign-in to get new ones", "info")
            return redirect(target or home_url_for(user))
    return render_template("auth/enter_code.html", form=form)


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_up_code():
    """A staff member's first sign-in: scan a QR code into an authenticator app, prove it with a code."""
    pending = _second_step()
    if pending is None or pending[0].totp_enabled_dt:
        flash("Sign in again: it has been more than 10 minutes", "info")
        return redirect(url_for("auth.sign_in"))
    user, target = pending
    secret = session.setdefault("two_factor_secret", two_factor.new_secret())
    form = SetUpCodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.set_up(db.session, user, secret, form.code.data, clock.now())
        except DomainError as error:
            show_error(form, error)
            form.code.data = ""
        else:
            sessions.sign_in(user)
            return render_template("auth/recovery_codes.html", codes=codes, target=target or home_url_for(user))
    return render_template("auth/set_up_code.html", form=form, secret=secret,
                           qr_code=two_factor.qr_code_svg(user, secret))


@bp.route("/confirm-it-is-you", methods=["GET", "POST"])
@roles_required(Role.PARENT, Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN)
@limiter.limit(_sign_in_limit, methods=["POST"])
def confirm_it_is_you():
    """Before a sensitive action, more than 15 minutes after signing in: the password (and code) again."""
    user = current_user._get_current_object()
    target = request.args.get("next")
    target = target if is_safe_next(target) else home_url_for(user)
    form = ConfirmItIsYouForm()
    staff = two_factor.required(user)
    if form.validate_on_submit():
        try:
            accounts.confirm_password(db.session, user, form.password.data, clock.now())
            if staff:
                two_factor.check(db.session, user, form.code.data or "", clock.now())
        except DomainError as error:
            attempts.failed(user.email)
            show_error(form, error)
        else:
            sessions.confirm()
            return redirect(target)
        form.password.data = ""
        form.code.data = ""
    return render_template("auth/confirm_it_is_you.html", form=form, staff=staff)


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
        sessions.sign_out()
        flash("You have signed out", "success")
        response = redirect(url_for("auth.sign_in"))
        # What this browser kept of the service goes too (not the new session's cookie: the header
        # clears cookies before it is set, so the message above still shows).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return redirect(url_for("auth.sign_in"))


def _registration_links(token: str | None) -> dict[str, str]:
    links = {"sign_in": url_for("auth.sign_in", _external=True),
             "reset": url_for("auth.forgotten_password", _external=True)}
    if token is not None:
        links["confirm"] = url_for("auth.finish_registration", token=token, _external=True)
    return links


def _register(role: Role, form: ParentRegistrationForm | VolunteerRegistrationForm, template: str):
    """Both registration pages: the same answer whether or not the address has an account (accounts.py says why)."""
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    if form.validate_on_submit():
        accounts.start_registration(db.session, current_app.config, role=role, email=form.email.data,
                                    display_name=form.display_name.data, password=form.password.data,
                                    links=_registration_links, now=clock.now())
        return redirect(url_for("auth.check_your_email"))
    return render_template(template, form=form)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register_parent():
    """A parent creates an account before asking for support."""
    return _register(Role.PARENT, ParentRegistrationForm(), "auth/register_parent.html")


@bp.route("/volunteer/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register_volunteer():
    """Someone with lived experience creates an account to apply as a volunteer advocate."""
    return _register(Role.VOLUNTEER, VolunteerRegistrationForm(), "auth/register_volunteer.html")


@bp.get("/register/check-your-email")
@public
def check_your_email():
    return render_template("auth/check_your_email.html")


@bp.get("/register/finish/<token>")
@public
def finish_registration(token: str):
    """The link in the registration email: the account is made, and the person goes straight on."""
    from peermatch.web.errors import render_error

    try:
        user = accounts.finish_registration(db.session, token, clock.now())
    except DomainError as error:
        return render_error(400, "This link cannot be used", str(error))
    sessions.sign_in(user)
    return redirect(url_for("parents.ask") if user.role == Role.PARENT else home_url_for(user))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_password(token: str):
    """The page an invitation email links to."""
    return _password_from_link(token, reset=False, heading="Set your password",
                               done="Your password is set. You can now sign in")


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def forgotten_password():
    """Ask for a link to choose a new password. The answer never says whether the address has an account."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        accounts.ask_to_reset_password(
            db.session, current_app.config, form.email.data,
            lambda user: url_for("auth.reset_password", token=invitations.make_token(
                current_app.config["SECRET_KEY"], user, reset=True), _external=True),
            clock.now())
        return redirect(url_for("auth.reset_link_sent"))
    return render_template("auth/forgotten_password.html", form=form)


@bp.get("/forgotten-password/sent")
@public
def reset_link_sent():
    return render_template("auth/reset_link_sent.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(token: str):
    """The page a forgotten-password email links to; using it ends every session of the account."""
    return _password_from_link(token, reset=True, heading="Choose a new password",
                               done="Your password has been changed. Sign in with your new password")


def _password_from_link(token: str, *, reset: bool, heading: str, done: str):
    """An emailed link (invitation or reset): choose a password; every session of the account ends."""
    from peermatch.web.errors import render_error

    try:
        user = invitations.user_for_token(db.session, current_app.config["SECRET_KEY"], token, reset=reset)
    except DomainError as error:
        return render_error(400, "This link cannot be used", str(error))
    form = SetPasswordForm()
    form.known_words = [user.email, user.display_name]
    if form.validate_on_submit():
        accounts.set_password(db.session, user, form.password.data, clock.now())
        sessions.sign_out()
        flash(done, "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/set_password.html", form=form, user=user, heading=heading)


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(Role.PARENT, Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN)
def change_password():
    """Change your password with the current one; every other session of yours ends."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.known_words = [user.email, user.display_name]
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, user, form.current_password.data, form.password.data, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            sessions.sign_in(user)  # this browser carries on in a new session; every other one has ended
            flash("Your password has been changed. You have been signed out everywhere else", "success")
            return redirect(home_url_for(user))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/notifications", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN)
def notification_settings():
    """How a volunteer or a member of staff is told things (parents choose per request, when it is safe)."""
    user = current_user._get_current_object()
    form = NotificationSettingsForm()
    if form.validate_on_submit():
        chosen = set(form.channels.data or [])
        try:
            accounts.set_notification_preferences(
                db.session, user, by_email="email" in chosen, by_text="text" in chosen, phone=form.phone.data,
                daily_digest=form.how_often.data == "digest", now=clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your notification settings have been saved", "success")
            return redirect(home_url_for(user))
    elif not form.is_submitted():
        form.channels.data = [c for c, on in (("email", user.notify_by_email), ("text", user.notify_by_text)) if on]
        form.phone.data = user.phone
        form.how_often.data = "digest" if user.daily_digest else "each"
    return render_template("auth/notifications.html", form=form, user=user)
