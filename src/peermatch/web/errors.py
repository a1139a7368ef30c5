"""Error pages in the service's own style, with no personal data and the quick exit."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from peermatch.errors import NotFound

PAGES = {
    400: ("There was a problem with your request", "Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, contact your organisation."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("There was a problem with your request", "Go back and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you sent has been lost."),
}


def render_error(status: int, heading: str | None = None, body: str | None = None) -> tuple[str, int]:
    default_heading, default_body = PAGES.get(status, PAGES[500])
    return (
        render_template("error.html", status=status, heading=heading or default_heading, body=body or default_body),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> Any:
        """Something looked up for this person is not theirs, or has gone: the same 404 either way."""
        return render_error(404)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render_error(
            400,
            "This form has expired",
            "For your security, forms expire after a while. Go back, refresh the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status not in PAGES:
            return error
        return render_error(status)

    @app.errorhandler(500)
    def server_error(error: Exception) -> Any:
        return render_error(500)
