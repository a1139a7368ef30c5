"""Sending email over SMTP.

Subjects are deliberately bland ("A message from PeerMatch"): someone else may see
the inbox, so no subject ever names social care, abuse or court.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

NEUTRAL_SUBJECT = "A message from PeerMatch"


@dataclass(frozen=True)
class Mail:
    to: str
    body: str
    subject: str = NEUTRAL_SUBJECT


def send(config: Mapping[str, Any], mail: Mail) -> None:
    """Deliver one message through the configured SMTP server (raises on failure)."""
    if not config.get("MAIL_SERVER"):
        logger.info("No MAIL_SERVER configured; message to %s not sent:\n%s", mail.to, mail.body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="peermatch.invalid")
    message.set_content(mail.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


_QUEUE = "peermatch.mail_after_commit"


def send_after_commit(session: Session, config: Mapping[str, Any], mail: Mail) -> None:
    """Deliver ``mail`` once the change that caused it is committed, and never if it is rolled back.

    So a view never commits early to be sure an account exists before its invitation goes out.
    """
    settings = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME",
                                                 "MAIL_PASSWORD", "MAIL_SENDER")}
    session.info.setdefault(_QUEUE, []).append((settings, mail))


@sa.event.listens_for(Session, "after_commit")
def _deliver_queued(session: Session) -> None:
    for settings, mail in session.info.pop(_QUEUE, []):
        try:
            send(settings, mail)
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not send a message after the change was saved")


@sa.event.listens_for(Session, "after_rollback")
def _drop_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)
