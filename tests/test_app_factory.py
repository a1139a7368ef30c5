"""The factory only wires; configuration comes from code, a file and PEERMATCH_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from peermatch import create_app
from peermatch.config import ConfigurationError
from peermatch.web.access import ACCESS_ATTRIBUTE


def test_the_factory_registers_one_blueprint_per_audience(app: Flask) -> None:
    assert {"public", "auth", "parents", "volunteers", "organisers", "admin"} <= set(app.blueprints)
    for extension in ("sqlalchemy", "migrate", "csrf", "limiter"):
        assert extension in app.extensions
    assert app.login_manager.login_view == "auth.sign_in"  # type: ignore[attr-defined]


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None)
    ]
    assert undeclared == []


def test_the_factory_touches_no_database(tmp_path: Path) -> None:
    """Building the app must not connect: an unreachable database is only noticed when used."""
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("127.0.0.1:1/none")


def test_sqlite_in_the_instance_folder_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/peermatch.sqlite3"
    assert not (tmp_path / "peermatch.sqlite3").exists()


def test_environment_variables_win_over_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = tmp_path / "settings.py"
    config_file.write_text('SERVICE_NAME = "From the file"\nOFFER_LAPSE_HOURS = 24\nEXIT_URL = "https://file.example/"\n')
    monkeypatch.setenv("PEERMATCH_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("PEERMATCH_SERVICE_NAME", "From the environment")
    monkeypatch.setenv("PEERMATCH_OFFER_LAPSE_HOURS", "36")
    monkeypatch.setenv("PEERMATCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    app = create_app({"SECRET_KEY": "k", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SERVICE_NAME"] == "From the environment"
    assert app.config["OFFER_LAPSE_HOURS"] == 36
    assert app.config["EXIT_URL"] == "https://file.example/"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERMATCH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="PEERMATCH_SECRET_KEY must be set"):
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_rate_limits_kept_in_each_workers_memory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PEERMATCH_REDIS_URL must be set"):
        create_app({"ENV": "production", "SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path)})
    app = create_app({"ENV": "production", "SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path),
                      "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_without_redis_a_developer_machine_counts_in_memory(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    app = create_app({"ENV": "production", "SECRET_KEY": "k" * 64, "INSTANCE_PATH": str(tmp_path),
                      "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_keeps_a_generated_secret_key_in_the_instance_folder(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEERMATCH_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) == 64


def test_the_matching_engine_imports_neither_flask_nor_sqlalchemy() -> None:
    import subprocess
    import sys

    code = ("import sys, peermatch.matching; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


