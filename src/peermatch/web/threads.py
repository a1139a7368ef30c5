"""Writing in a parent's and an advocate's thread: the one flow both sides' views use.

A closed thread (not yet introduced, or the support has ended) is refused with a message on
the page the thread sits on; a valid message is sent by ``services/messages.py`` and the person
goes back to the thread; anything else is shown again on that page with its error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_login import current_user

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.extensions import db
from peermatch.models import Match, MessageSender
from peermatch.services import messages
from peermatch.web.forms import MessageForm, show_error


def send_from(match: Match, sender: MessageSender, page_url: str, valid: Callable[[MessageForm], bool],
              page_again: Callable[[MessageForm], Any]) -> Any:
    """Handle a post to a thread: ``page_url`` is where the thread is shown; ``page_again`` draws it with errors."""
    if not messages.thread_open(match):
        flash(messages.CLOSED if match.ended_dt else messages.NOT_YET, "info")
        return redirect(page_url)
    form = MessageForm()
    if valid(form):
        try:
            messages.send(db.session, match, current_user, sender, form.body.data, form.asks_for_help,
                          clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your message has been sent" + (". The organisers have been asked to help" if form.asks_for_help
                                                  else ""), "success")
            return redirect(page_url + "#messages")
    return page_again(form)
