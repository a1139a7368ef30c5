"""Configuration: defaults in code, deployment files in ``config/``, ``PEERMATCH_*`` env wins.

Order of precedence (last wins): :class:`Defaults`, a Python file named by
``PEERMATCH_CONFIG_FILE``, ``PEERMATCH_*`` environment variables, then the mapping
passed to ``create_app`` (tests). Production refuses to start without a secret key;
development keeps a generated one in the instance folder so sessions survive restarts.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "PEERMATCH_"


class ConfigurationError(RuntimeError):
    """The service cannot start safely with this configuration."""


class Defaults:
    """Settings that are safe for a developer's machine."""

    ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    # Sessions are kept in the database (peermatch.sessions). They end after an hour without a
    # request (a parent may share the device) and, however busy, 12 hours (staff) or 24 hours
    # after signing in. Production names the cookie "__Host-session" (Secure, whole site only).
    SESSION_COOKIE_NAME = "session"
    SESSION_IDLE_MINUTES = 60
    SESSION_HOURS_STAFF = 12
    SESSION_HOURS = 24
    # Production: browsers use only HTTPS for this site for a year (HSTS).
    HSTS_SECONDS = 365 * 24 * 3600
    # Shared state for every worker (rate-limit counters now). Without it each process keeps its
    # own counters, which is only right for one process on a developer's machine.
    REDIS_URL: str | None = None
    RATELIMIT_STORAGE_URI: str | None = None  # None: REDIS_URL, else this process's memory
    RATELIMIT_HEADERS_ENABLED = False
    SIGN_IN_RATE_LIMIT = "10 per minute;50 per hour"
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (ProxyFix). 0: none,
    # so such headers are ignored. Behind one nginx or Caddy: 1, else every client has its address.
    PROXY_COUNT = 0
    # Where "Exit this page" sends people: a neutral, everyday site.
    EXIT_URL = "https://www.bbc.co.uk/weather"
    SERVICE_NAME = "PeerMatch"
    PRIVACY_NOTICE_VERSION = "2026-11"
    # No server: messages are written to the log instead (development). Production sets one.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "PeerMatch <no-reply@peermatch.invalid>"
    OFFER_LAPSE_HOURS = 48
    # Where the links in notifications point (the worker has no web request to take it from).
    BASE_URL = "http://127.0.0.1:5000"
    # Text messages through GOV.UK Notify (services/texts.py). No key: texts are written to the log.
    NOTIFY_API_KEY: str | None = None
    NOTIFY_SMS_TEMPLATE_ID: str | None = None
    NOTIFY_BASE_URL: str | None = None
    # The job queue (peermatch.jobs): Redis when REDIS_URL is set, else SQLite in the instance
    # folder. A claim on a notification older than this is a worker that stopped mid-way.
    JOBS_WORKERS = 2
    NOTIFICATION_STALE_SECONDS = 300
    RETENTION_DAYS = 365
    PASSWORD_MIN_LENGTH = 10


def _coerce(raw: str) -> Any:
    """Environment values are strings; accept JSON so numbers and booleans keep their type."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Settings from ``PEERMATCH_*`` variables, with the prefix removed."""
    environ = os.environ if environ is None else environ
    return {
        key[len(ENV_PREFIX):]: _coerce(value)
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key != ENV_PREFIX + "CONFIG_FILE"
    }


def database_uri(settings: dict[str, Any], instance_path: str) -> str:
    """The SQLAlchemy URL: ``DATABASE_URL`` or SQLite in the instance folder."""
    url = settings.get("DATABASE_URL")
    if url:
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "peermatch.sqlite3")


def rate_limit_storage(settings: dict[str, Any]) -> str:
    """Where rate-limit counters live: ``RATELIMIT_STORAGE_URI``, else ``REDIS_URL``, else memory.

    Production refuses memory: each gunicorn worker would count on its own, so ten guesses a
    minute would become ten per worker, and a restart would forget them all.
    """
    storage = settings.get("RATELIMIT_STORAGE_URI") or settings.get("REDIS_URL") or "memory://"
    if settings.get("ENV") == "production" and storage.startswith("memory:"):
        raise ConfigurationError(
            "PEERMATCH_REDIS_URL must be set in production (for example redis://127.0.0.1:6379/0): "
            "rate limits kept in each worker's memory are not shared."
        )
    return str(storage)


def secret_key(settings: dict[str, Any], instance_path: str) -> str:
    """The configured secret key; in development, one generated into the instance folder."""
    key = settings.get("SECRET_KEY")
    if key:
        return str(key)
    if settings.get("ENV") == "production":
        raise ConfigurationError(
            "PEERMATCH_SECRET_KEY must be set in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
