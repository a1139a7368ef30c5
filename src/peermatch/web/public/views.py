"""Public pages. The exit route ends the session before leaving for a neutral site."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template
from flask_login import current_user

from peermatch import clock, sessions
from peermatch.extensions import db
from peermatch.services import accounts
from peermatch.web.access import public

bp = Blueprint("public", __name__, template_folder="templates")


@bp.get("/")
@public
def start():
    return render_template("public/start.html")


@bp.route("/exit", methods=["GET", "POST"])
@public
def exit():
    """Quick exit: sign out everywhere on this browser, clear what we can, leave for a neutral site."""
    if current_user.is_authenticated:
        accounts.end_all_sessions(db.session, current_user._get_current_object(), clock.now())
    sessions.sign_out()
    response = redirect(current_app.config["EXIT_URL"])
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.get("/privacy")
@public
def privacy():
    return render_template("public/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"])


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/staying-safe-online")
@public
def staying_safe():
    return render_template("public/staying_safe.html")
