"""Fixtures for telling people: a local server speaking GOV.UK Notify's send-SMS endpoint, and delivery.

The texts go through the real ``notifications-python-client``: only the far end is ours, and it
checks the client's signed token the way Notify does.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from notifications_python_client.authentication import decode_jwt_token

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"peermatch_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


@dataclass
class NotifyServer:
    """What the local Notify received, and how it should answer the next texts."""

    url: str = ""
    texts: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # status code to give a phone number (else 201)
    refused_tokens: int = 0


def _handler(server: NotifyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                decode_jwt_token(token, SECRET)
            except Exception:
                server.refused_tokens += 1
                return self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
            if self.path != "/v2/notifications/sms":
                return self._answer(404, {"errors": [{"error": "NotFound"}]})
            status = server.answers.get(data.get("phone_number", ""), 201)
            if status != 201:
                return self._answer(status, {"errors": [{"error": "Error", "message": f"status {status}"}]})
            if data.get("template_id") != TEMPLATE_ID or "body" not in data.get("personalisation", {}):
                return self._answer(400, {"errors": [{"error": "BadRequestError", "message": "template"}]})
            server.texts.append(data)
            self._answer(201, {"id": str(uuid.uuid4()), "reference": data.get("reference"),
                               "content": {"body": data["personalisation"]["body"]}})

    return Handler


@pytest.fixture()
def notify(app: Flask) -> Iterator[NotifyServer]:
    """A local Notify on loopback, and the app's texts pointed at it while the test runs."""
    record = NotifyServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(record))
    record.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config.get(key) for key in ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_BASE_URL")}
    app.config.update(NOTIFY_API_KEY=API_KEY, NOTIFY_SMS_TEMPLATE_ID=TEMPLATE_ID, NOTIFY_BASE_URL=record.url)
    try:
        yield record
    finally:
        app.config.update(saved)
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Any:
    """Advocates, requests and offers made the domain way (the volunteers' helper)."""
    from volunteers.conftest import Volunteering

    return Volunteering(session, people)
