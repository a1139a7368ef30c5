"""A parent's pages. Every page here shows personal data, so none is ever cached."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from peermatch.extensions import db
from peermatch.models import Role
from peermatch.services import dashboards
from peermatch.web.access import roles_required
from peermatch.web.wording import REQUEST_STATUS_FOR_PARENTS

bp = Blueprint("parents", __name__, url_prefix="/your-requests", template_folder="templates")


@bp.get("/")
@roles_required(Role.PARENT)
def home():
    requests = dashboards.parent_requests(db.session, current_user)
    return render_template("parents/home.html", requests=requests, wording=REQUEST_STATUS_FOR_PARENTS)
