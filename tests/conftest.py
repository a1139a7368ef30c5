"""Fixtures: the app, a database rolled back after each test, and a signed-in client per role.

The suite runs on SQLite by default and on PostgreSQL when ``PEERMATCH_TEST_DATABASE_URL``
is set. The schema is built by running the real migrations, once per session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id

from peermatch import clock, create_app
from peermatch.extensions import db
from peermatch.models import Organisation, Role, User
from peermatch.services.reference_data import ensure_area, seed_issue_types

pytest_plugins = ["browser_support"]  # live server and Chromium fixtures for browser tests

from demo_cast import cast  # noqa: F401  (the demo network's cast of visitors, a fixture)
from support import (  # noqa: F401
    _TEST_PASSWORD_HASH,
    PERSONAL_NAMES,
    TEST_TOTP_SECRET,
    code_for,
    mail_to_inbox,
    make_config,
    TEST_PASSWORD,
    FormClient,
    Inbox,
    error_messages,
    free_port,
)


@pytest.fixture(autouse=True)
def fresh_matching_snapshot(app: Flask) -> Iterator[None]:
    """Each test starts with no kept matching data.

    A test's rolled-back transaction can take the same version numbers as the next test's,
    which committed data never can; so the in-memory snapshot must not outlive a test.
    """
    from peermatch.services.matching import forget_snapshots

    forget_snapshots(app)
    yield
    forget_snapshots(app)


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    """Each test starts with no sign-in attempts counted (the limits key on address and account).

    Flask-Limiter keeps one storage per Limiter, not per app: a test that builds another app
    (with Redis, say) replaces it, so the suite's own app gets its memory storage back here.
    """
    from peermatch.extensions import limiter

    own = app.extensions.setdefault("peermatch.test_limiter", (limiter._storage, limiter._limiter))
    limiter._storage, limiter._limiter = own
    with app.app_context():
        limiter.storage.reset()
    yield


@pytest.fixture(autouse=True)
def names_saved_in_this_test() -> Iterator[set[str]]:
    """Collect every person's name saved during the test, so pages can be checked never to title them."""
    from peermatch.models import SafeContact

    def collect(session: Any, flush_context: Any) -> None:
        for row in session.new | session.dirty:
            name = row.display_name if isinstance(row, User) else (
                row.name_to_ask_for if isinstance(row, SafeContact) else None)
            if name and name.strip():
                PERSONAL_NAMES.add(name.strip())

    PERSONAL_NAMES.clear()
    sa.event.listen(sa.orm.Session, "after_flush", collect)
    try:
        yield PERSONAL_NAMES
    finally:
        sa.event.remove(sa.orm.Session, "after_flush", collect)
        PERSONAL_NAMES.clear()


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PEERMATCH_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def reset_database(url: str) -> None:
    """Start from an empty database (PostgreSQL keeps its schema between runs)."""
    engine = sa.create_engine(url if "+psycopg" in url or not url.startswith("postgresql") else
                              url.replace("postgresql://", "postgresql+psycopg://", 1))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = database_url(tmp_path_factory)
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(make_config(db_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = FormClient
    with app.app_context():
        upgrade()
        seed_issue_types(db.session)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def demo_database_url(url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A second database beside the tests' own, made empty, for the demo network."""
    if not url.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    base, name = url.rsplit("/", 1)
    demo = f"{name}_demo"
    server = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{demo}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{demo}"')
    server.dispose()
    return f"{base}/{demo}"


@pytest.fixture(scope="session")
def demo_app(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on its own database holding the demo network, loaded and committed once for the whole run.

    Modules whose every test works on the demo network use it as their ``app`` (a module
    fixture ``app`` that returns ``demo_app``), so the demo is built once instead of once a test (about
    30 seconds each on PostgreSQL). Each test still runs in a transaction that is rolled back,
    so none sees another's changes; and every name in the demo counts as a name saved in the
    test, so titles and addresses are checked against all of them.
    """
    from peermatch.models import SafeContact
    from peermatch.services.demo import load_demo_data

    demo = create_app(make_config(demo_database_url(db_url, tmp_path_factory), tmp_path_factory.mktemp("demo-app")))
    demo.test_client_class = FormClient
    with demo.app_context():
        upgrade()
        load_demo_data(db.session, clock.now())
        db.session.commit()
        names = {*db.session.scalars(sa.select(User.display_name)),
                 *db.session.scalars(sa.select(SafeContact.name_to_ask_for))}
        db.session.remove()
    demo.extensions["peermatch.test_personal_names"] = {name.strip() for name in names if name and name.strip()}
    yield demo
    with demo.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def demo_names_are_personal(app: Flask, names_saved_in_this_test: set[str]) -> None:
    names_saved_in_this_test.update(app.extensions.get("peermatch.test_personal_names", ()))


@pytest.fixture()
def session(app: Flask) -> Iterator[sa.orm.scoped_session[sa.orm.Session]]:
    """``db.session`` inside a transaction that is rolled back after the test.

    Commits made by views release a SAVEPOINT only, so nothing a test does survives it.
    """
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own ignores ``bind`` and would use the engine.
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture()
def client(app: Flask, session: Any) -> FormClient:
    return app.test_client()  # type: ignore[return-value]


@dataclass
class People:
    """Makes people and organisations for a test, inside its rolled-back transaction."""

    session: Any

    def organisation(self, name: str | None = None, county: str = "Cumbria") -> Organisation:
        name = name or f"Parents Together {uuid.uuid4().hex[:6]}"
        org = Organisation(name=name, slug=name.lower().replace(" ", "-"))
        self.session.add(org)
        self.session.flush()
        if county:
            area = ensure_area(self.session, county)
            if area.organisation_id is None:
                area.organisation_id = org.id
        self.session.flush()
        return org

    def user(self, role: Role, organisation: Organisation | None = None, email: str | None = None,
             name: str = "Sam") -> User:
        if role in (Role.ORGANISER, Role.VOLUNTEER) and organisation is None:
            organisation = self.organisation()
        staff = role in (Role.ORGANISER, Role.ADMIN)
        user = User(
            email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.org",
            password_hash=_TEST_PASSWORD_HASH, role=role, display_name=name,
            organisation_id=organisation.id if organisation else None,
            totp_secret=TEST_TOTP_SECRET if staff else None, totp_enabled_dt=clock.now() if staff else None,
        )
        self.session.add(user)
        self.session.flush()
        return user


@pytest.fixture()
def people(session: Any) -> People:
    return People(session)


@pytest.fixture()
def sign_in_as(app: Flask, people: People) -> Any:
    """``sign_in_as(Role.PARENT)`` → a client signed in through the real sign-in page, and its user."""

    def sign_in(role: Role, user: User | None = None) -> tuple[FormClient, User]:
        user = user or people.user(role)
        browser: FormClient = app.test_client()  # type: ignore[assignment]
        response = browser.submit("/sign-in", {"email": user.email, "password": TEST_PASSWORD})
        if response.headers.get("Location") == "/sign-in/code":  # staff: the code from their app
            people.session.refresh(user)
            response = browser.submit("/sign-in/code", {"code": code_for(user.totp_secret, user.totp_last_step)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser, user

    return sign_in


@pytest.fixture()
def parent_client(sign_in_as: Any) -> FormClient:
    return sign_in_as(Role.PARENT)[0]


@pytest.fixture()
def volunteer_client(sign_in_as: Any) -> FormClient:
    return sign_in_as(Role.VOLUNTEER)[0]


@pytest.fixture()
def organiser_client(sign_in_as: Any) -> FormClient:
    return sign_in_as(Role.ORGANISER)[0]


@pytest.fixture()
def admin_client(sign_in_as: Any) -> FormClient:
    return sign_in_as(Role.ADMIN)[0]


@pytest.fixture()
def inbox(app: Flask) -> Iterator[Inbox]:
    """Point the app's mail at an aiosmtpd server for this test: a real SMTP conversation."""
    with mail_to_inbox(app) as handler:
        yield handler
