"""An organiser's pages. Everything is scoped to the organiser's own organisation."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from peermatch import clock
from peermatch.extensions import db
from peermatch.models import Role
from peermatch.reads import organisers as reads
from peermatch.web.access import roles_required
from peermatch.web.wording import REQUEST_STATUS_FOR_STAFF

bp = Blueprint("organisers", __name__, url_prefix="/organiser", template_folder="templates")


@bp.get("/")
@roles_required(Role.ORGANISER)
def home():
    summary = reads.organiser_summary(db.session, current_user, clock.today())
    return render_template("organisers/home.html", summary=summary, status_words=REQUEST_STATUS_FOR_STAFF)
