"""Every view declares who may use it: :func:`public` or :func:`roles_required`.

A test walks the URL map and fails if any endpoint declares nothing, so a new view
cannot be reachable by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user

from peermatch.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "peermatch_access"

HOME_ENDPOINTS = {
    Role.PARENT: "parents.home",
    Role.VOLUNTEER: "volunteers.home",
    Role.ORGANISER: "organisers.home",
    Role.ADMIN: "admin.home",
}


def public(view: F) -> F:
    """Anyone may use this view, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, ("public",))
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only signed-in users with one of ``roles``: others get 403, anonymous users sign in first."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from peermatch.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, tuple(str(r) for r in roles))
        return wrapper  # type: ignore[return-value]

    return decorate


def recent_sign_in_required(back: Callable[..., str] | None = None, *, on_get: bool = True) -> Callable[[F], F]:
    """Sensitive staff actions need a sign-in within 15 minutes; otherwise confirm it is you, then come back.

    A GET comes back to itself (``on_get=False``: a GET is only a read, asked nothing). A form posted without a recent sign-in is not acted on: the
    person confirms and returns to ``back(**view_args)`` (the page the form is on) to send it
    again. (Browsers send no Referer here: the Referrer-Policy is no-referrer.)
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from peermatch import sessions

            if sessions.recently_signed_in() or (request.method == "GET" and not on_get):
                return view(*args, **kwargs)
            if request.method == "GET":
                target = request.full_path.rstrip("?")
            else:
                target = back(**kwargs) if back is not None else home_url_for(current_user)
            return redirect(url_for("auth.confirm_it_is_you", next=target))

        return wrapper  # type: ignore[return-value]

    return decorate


def home_url_for(user: Any) -> str:
    """The page a user lands on after signing in."""
    return url_for(HOME_ENDPOINTS[Role(user.role)])


def is_safe_next(target: str | None) -> bool:
    """True only for a relative path on this site: ``next`` must never leave PeerMatch."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    host_url = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    return resolved.scheme in ("http", "https") and resolved.netloc == host_url.netloc
