"""A volunteer's pages."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from peermatch.extensions import db
from peermatch.models import Role
from peermatch.services import dashboards
from peermatch.web.access import roles_required
from peermatch.web.wording import VETTING_STATUS, VOLUNTEER_STATUS

bp = Blueprint("volunteers", __name__, url_prefix="/volunteer", template_folder="templates")


@bp.get("/")
@roles_required(Role.VOLUNTEER)
def home():
    summary = dashboards.volunteer_summary(db.session, current_user)
    return render_template(
        "volunteers/home.html", summary=summary, today=date.today(),
        volunteer_status=VOLUNTEER_STATUS, vetting_status=VETTING_STATUS,
    )
