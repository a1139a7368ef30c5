"""Searches for a person's name or email are posted and kept in the session, never put in a URL.

A URL such as ``?q=Kim`` stays in the browser's history, in bookmarks and in any proxy's log.
So the boxes that take a name or an email post it; the view keeps it in this browser's
session (a row in the database, ``peermatch.sessions``) and redirects to the page with only
``search=1`` in its address, which shows the kept text. Without ``search=1`` (a link, "Clear
filters") the page shows no search, so an old kept name never surprises anyone.
"""

from __future__ import annotations

from flask import request, session

MARK = "search"


def remember(key: str, text: str) -> dict[str, str]:
    """Keep ``text`` for the page ``key``; returns the query arguments that show it."""
    session[f"search:{key}"] = text.strip()[:254]
    return {MARK: "1"} if text.strip() else {}


def recall(key: str) -> str:
    """The text kept for ``key``, if this address asks for it."""
    if request.args.get(MARK) != "1":
        return ""
    return str(session.get(f"search:{key}", ""))
