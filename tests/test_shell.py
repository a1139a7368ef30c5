"""The service's shell: start page, quick exit, safety headers and error pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, abort

from peermatch.models import Role


def test_the_start_page_explains_the_service_in_plain_english(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Get support from a parent who has been there" in html
    assert "We never ask for your child's name" in html
    assert 'href="/register"' in html and "Ask for support" in html


def test_every_public_page_has_the_quick_exit_leaving_through_our_own_url(client: Any) -> None:
    for page in ["/", "/sign-in", "/register", "/volunteer/register", "/privacy", "/accessibility",
                 "/staying-safe-online", "/no-such-page"]:
        html = client.get(page).get_data(as_text=True)
        assert 'data-module="govuk-exit-this-page"' in html, page
        assert 'href="/exit"' in html, page
        assert 'href="#main-content"' in html, page  # skip link


def test_the_parents_pages_have_the_quick_exit(parent_client: Any) -> None:
    assert 'data-module="govuk-exit-this-page"' in parent_client.get("/your-requests/").get_data(as_text=True)


def test_the_quick_exit_ends_the_session_and_leaves_for_a_neutral_site(app: Flask, sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.PARENT)
    response = browser.get("/exit")
    assert response.status_code == 302
    assert response.headers["Location"] == app.config["EXIT_URL"]
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert browser.get("/your-requests/").status_code == 302  # signed out


def test_the_quick_exit_ends_the_session_everywhere_even_with_an_old_cookie(sign_in_as: Any, app: Flask) -> None:
    browser, user = sign_in_as(Role.PARENT)
    stolen = app.test_client()
    cookie = browser.get_cookie("session")
    stolen.set_cookie("session", cookie.value)
    assert stolen.get("/your-requests/").status_code == 200
    browser.get("/exit")
    assert stolen.get("/your-requests/").status_code == 302


def test_it_is_not_dressed_as_gov_uk(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header__logotype" not in html and "crown" not in html.lower()
    assert "GOV.UK" not in html and "Crown copyright" not in html
    assert 'class="govuk-generic-header' in html
    assert "<title>Get support from a parent who has been there – PeerMatch</title>" in html


def test_pages_are_never_cached_and_carry_safety_headers(parent_client: Any) -> None:
    response = parent_client.get("/your-requests/")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_script_runs_only_with_this_responses_nonce(client: Any) -> None:
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    assert html.count(f'nonce="{nonce}"') == 2  # the js-enabled class and the GOV.UK Frontend module
    assert client.get("/").headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "status, heading",
    [(400, "There was a problem with your request"), (403, "You do not have permission to see this page"),
     (404, "Page not found"), (429, "Too many attempts"), (500, "Sorry, there is a problem with the service")],
)
def test_error_pages_are_in_the_services_style(app: Flask, session: Any, status: int, heading: str) -> None:
    from peermatch import create_app
    from peermatch.web.access import public

    failing = create_app({**app.config, "PROPAGATE_EXCEPTIONS": False, "INSTANCE_PATH": app.instance_path})

    @public
    def fail() -> None:
        if status == 500:
            raise RuntimeError("boom")
        abort(status)

    failing.add_url_rule("/fail", "fail", fail)
    response = failing.test_client().get("/fail")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert heading in html
    assert 'data-module="govuk-exit-this-page"' in html
    assert "Traceback" not in html and "boom" not in html


def test_the_privacy_notice_shows_its_version(app: Flask, client: Any) -> None:
    html = client.get("/privacy").get_data(as_text=True)
    assert f"Version {app.config['PRIVACY_NOTICE_VERSION']}" in html


def test_the_safety_page_says_leaving_quickly_does_not_clear_the_history(client: Any) -> None:
    html = client.get("/staying-safe-online").get_data(as_text=True)
    assert "Leaving quickly does not clear your history" in html
    assert "clear your browsing history" in html and "A private window" in html


def test_a_nul_character_gets_the_problem_page_not_a_500(sign_in_as: Any) -> None:
    """PostgreSQL text cannot hold NUL; the form fuzzing found a 500 on the suspend reason."""
    browser, _ = sign_in_as(Role.PARENT)
    token = browser.csrf_token("/sign-out")
    assert browser.post("/sign-out", data={"csrf_token": token, "reason": "a\x00b"}).status_code == 400
    assert browser.get("/your-requests/?x=%00").status_code == 400
    assert browser.get("/your-requests/").status_code == 200  # still signed in
