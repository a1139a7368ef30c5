"""The application factory. It only wires: no queries, no migrations, no network."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from govuk_frontend_wtf.main import WTFormsHelpers

from peermatch import config as config_module
from peermatch.extensions import csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parents[2] / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a PeerMatch app from defaults, the config file, ``PEERMATCH_*`` variables and ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    load_configuration(app, config)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` proxies, take the client's address, scheme and host from their headers.

    Without it every client has the proxy's address, so one person's ten bad sign-ins would
    block everyone's. With it, headers a client sends itself are still ignored beyond that count.
    """
    count = int(app.config["PROXY_COUNT"])
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def load_configuration(app: Flask, overrides: dict[str, Any] | None) -> None:
    settings: dict[str, Any] = {
        key: getattr(config_module.Defaults, key) for key in dir(config_module.Defaults) if key.isupper()
    }
    import os

    config_file = os.environ.get("PEERMATCH_CONFIG_FILE")
    if config_file:
        file_settings = Flask(__name__).config
        file_settings.from_pyfile(config_file)
        settings.update({k: v for k, v in file_settings.items() if k.isupper() and k in file_settings})
    settings.update(config_module.from_environment())
    settings.update(overrides or {})
    if settings.get("INSTANCE_PATH"):
        app.instance_path = str(settings["INSTANCE_PATH"])
    settings["SQLALCHEMY_DATABASE_URI"] = config_module.database_uri(settings, app.instance_path)
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and not settings.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings["SECRET_KEY"] = config_module.secret_key(settings, app.instance_path)
    if settings.get("ENV") == "production":
        settings["SESSION_COOKIE_SECURE"] = True
        # "__Host-": the browser takes it only over HTTPS, for this host and every path, never a parent domain.
        settings["SESSION_COOKIE_NAME"] = "__Host-" + settings.get("SESSION_COOKIE_NAME", "session").removeprefix(
            "__Host-")
        settings["SESSION_COOKIE_DOMAIN"] = None
    settings["RATELIMIT_STORAGE_URI"] = config_module.rate_limit_storage(settings)
    app.config.update(settings)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIRECTORY", MIGRATIONS_DIRECTORY)))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"
    # Strong: a session used from another address or browser is signed out. It stays strong because
    # sessions are never "permanent" (the cookie has no expiry date; the database times it out).
    login_manager.session_protection = "strong"
    from peermatch.sessions import DatabaseSessionInterface

    app.session_interface = DatabaseSessionInterface(db)

    @login_manager.user_loader
    def load_user(user_key: str) -> Any:
        from peermatch.services.accounts import load_user as load

        return load(db.session, user_key)


def register_templates(app: Flask) -> None:
    """Our templates first, then GOV.UK Frontend's two Jinja packages under their prefixes."""
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("peermatch", "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from peermatch.web import filters

    filters.register(app)
    from peermatch.web import reports as report_pages

    report_pages.register(app)


def register_blueprints(app: Flask) -> None:
    from peermatch.web.admin.views import bp as admin_bp
    from peermatch.web.auth.views import bp as auth_bp
    from peermatch.web.organisers.views import bp as organisers_bp
    from peermatch.web.parents.views import bp as parents_bp
    from peermatch.web.public.views import bp as public_bp
    from peermatch.web.volunteers.views import bp as volunteers_bp

    for blueprint in (public_bp, auth_bp, parents_bp, volunteers_bp, organisers_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> None:
        """No person types a NUL character, and PostgreSQL cannot store one in text: such a request
        gets the "problem with your request" page rather than a 500 (found by tests/test_every_form.py)."""
        from flask import abort

        for values in (request.args, request.form):
            if any("\x00" in value for listed in values.listvalues() for value in listed):
                abort(400)

    @app.before_request
    def make_csp_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def shell_context() -> dict[str, Any]:
        return {"cspNonce": g.get("csp_nonce", ""), "service_name": app.config["SERVICE_NAME"]}

    @app.after_request
    def commit_and_protect(response: Any) -> Any:
        """The request boundary commits once; every page gets safety headers."""
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        if request.endpoint != "static":
            # Personal data must never sit in a shared or back-button cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @app.teardown_request
    def rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    from peermatch.web import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from peermatch import cli, jobs  # noqa: F401  (jobs: a commit that wrote notifications asks a worker to send them)

    cli.register(app)
