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
