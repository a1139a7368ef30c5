"""Text messages through a provider: GOV.UK Notify first, through its official client.

Configured by ``PEERMATCH_NOTIFY_API_KEY`` and ``PEERMATCH_NOTIFY_SMS_TEMPLATE_ID`` (a Notify
template whose whole text is ``((body))``); ``PEERMATCH_NOTIFY_BASE_URL`` points elsewhere only
for tests, which run a local server speaking Notify's send-SMS endpoint. With no key, texts
are written to the log, as emails are with no mail server.

Another provider is one more class with the same ``send`` method, chosen in :func:`provider`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

import requests
from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

logger = logging.getLogger(__name__)

NOTIFY_URL = "https://api.notifications.service.gov.uk"


class TextRefused(Exception):
    """The provider answered that it will not send this text (a bad number, say): trying again will not help."""


class TextNotSent(Exception):
    """The text did not reach the provider (it was down or busy): it can be tried again."""


class MaybeSent(Exception):
    """The provider may have the text but did not answer: it must not be sent again."""


class Provider(Protocol):
    def send(self, phone: str, body: str, reference: str, handing_over: Callable[[], None]) -> str | None: ...


@dataclass(frozen=True)
class LogOnly:
    """No provider configured (development): the text is written to the log."""

    def send(self, phone: str, body: str, reference: str, handing_over: Callable[[], None]) -> str | None:
        handing_over()
        logger.info("No text provider configured; text to %s written here instead:\n%s", phone, body)
        return None


@dataclass(frozen=True)
class Notify:
    """GOV.UK Notify's ``POST /v2/notifications/sms`` through ``notifications-python-client``."""

    api_key: str
    template_id: str
    base_url: str = NOTIFY_URL

    def send(self, phone: str, body: str, reference: str, handing_over: Callable[[], None]) -> str | None:
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=15)
        handing_over()
        try:
            answer = client.send_sms_notification(phone_number=phone, template_id=self.template_id,
                                                  personalisation={"body": body}, reference=reference)
        except HTTPError as error:
            cause = error.__cause__
            if isinstance(cause, (requests.ConnectionError, requests.ConnectTimeout)) and not isinstance(
                    cause, requests.ReadTimeout):
                raise TextNotSent(f"The text provider could not be reached ({type(cause).__name__})") from error
            if isinstance(cause, requests.Timeout):
                raise MaybeSent("The text provider did not answer in time") from error
            if error.status_code == 429 or error.status_code >= 500:
                raise TextNotSent(f"The text provider was busy or failing ({error.status_code})") from error
            raise TextRefused(f"The text provider refused the text ({error.status_code})") from error
        except APIError as error:
            raise MaybeSent(f"The text provider's answer could not be read ({error})") from error
        return str(answer.get("id")) if isinstance(answer, dict) else None


@dataclass(frozen=True)
class NotConfigured:
    """Production with no provider: a text is refused (the organisers see it failed), never logged with its number."""

    def send(self, phone: str, body: str, reference: str, handing_over: Callable[[], None]) -> str | None:
        raise TextRefused("No text provider is configured (PEERMATCH_NOTIFY_API_KEY)")


def provider(config: Mapping[str, Any]) -> Provider:
    """The configured text provider; with none, the log on a developer's machine and a refusal in production."""
    if config.get("NOTIFY_API_KEY"):
        return Notify(config["NOTIFY_API_KEY"], config.get("NOTIFY_SMS_TEMPLATE_ID") or "",
                      config.get("NOTIFY_BASE_URL") or NOTIFY_URL)
    return NotConfigured() if config.get("ENV") == "production" else LogOnly()
