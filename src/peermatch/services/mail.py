"""Sending email over SMTP.

Subjects are deliberately bland ("A message from PeerMatch"): someone else may see
the inbox, so no subject ever names social care, abuse or court.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
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


def _message(config: Mapping[str, Any], mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="peermatch.invalid")
    message.set_content(mail.body)
    return message


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _only_to_the_log(config: Mapping[str, Any]) -> bool:
    """No mail server: a developer's machine writes the message to the log. Production never does
    (an address and a one-time link in a log is a way into an account), so there it is refused."""
    if config.get("MAIL_SERVER"):
        return False
    if config.get("ENV") == "production":
        raise smtplib.SMTPException("No mail server is configured (PEERMATCH_MAIL_SERVER)")
    return True


def send(config: Mapping[str, Any], mail: Mail) -> None:
    """Deliver one message through the configured SMTP server (raises on failure)."""
    if _only_to_the_log(config):
        logger.info("No MAIL_SERVER configured; message to %s not sent:\n%s", mail.to, mail.body)
        return
    with _connect(config) as smtp:
        smtp.send_message(_message(config, mail))


class AfterHandOver(Exception):
    """The SMTP conversation broke after the message's final dot was sent: it may have been delivered."""


def send_handing_over(config: Mapping[str, Any], mail: Mail, handing_over: Callable[[], None]) -> None:
    """Deliver ``mail``, calling ``handing_over`` at the last moment nothing has been delivered yet.

    The SMTP server takes a message only at the final dot of DATA. Everything before it can
    fail and be tried again safely; ``handing_over`` runs just before the dot (the outbox
    records that from here on the message must never be sent again). A refusal the server
    answers after the dot raises ``SMTPResponseException`` (nothing delivered); a broken
    connection then raises :class:`AfterHandOver`.
    """
    if _only_to_the_log(config):
        handing_over()
        logger.info("No MAIL_SERVER configured; message to %s written here instead:\nSubject: %s\n\n%s",
                    mail.to, mail.subject, mail.body)
        return
    message = _message(config, mail)
    data = message.as_bytes(policy=SMTP_POLICY)
    data = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    with _connect(config) as smtp:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(config["MAIL_SENDER"])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, config["MAIL_SENDER"])
        code, reply = smtp.rcpt(mail.to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({mail.to: (code, reply)})
        code, reply = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        smtp.send(data)
        handing_over()
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as broken:
            raise AfterHandOver(str(broken)) from broken
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)


_QUEUE = "peermatch.mail_after_commit"


def send_after_commit(session: Session, config: Mapping[str, Any], mail: Mail) -> None:
    """Deliver ``mail`` once the change that caused it is committed, and never if it is rolled back.

    So a view never commits early to be sure an account exists before its invitation goes out.
    """
    settings = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME",
                                                 "MAIL_PASSWORD", "MAIL_SENDER", "ENV")}
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
