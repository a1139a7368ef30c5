"""Migrations build the whole schema, go all the way down and back up, and agree with the models."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from peermatch.extensions import db
from peermatch.models import Base

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_down_to_empty_and_back_up_to_head(app: Flask) -> None:
    with app.app_context():
        assert table_names() == set(Base.metadata.tables)
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == set(Base.metadata.tables)
        from peermatch.services.reference_data import seed_issue_types

        seed_issue_types(db.session)  # the rest of the suite expects the seeded list
        db.session.commit()


def test_models_and_migrations_agree(app: Flask) -> None:
    """Autogenerate against a migrated database finds nothing to do."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_revision_is_named_dated_and_reversible() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    assert files
    for path in files:
        assert re.fullmatch(r"20\d{6}_\d{4}_[a-z0-9_]+\.py", path.name), path.name
        text = path.read_text()
        assert re.search(r'^"""\S.+', text), f"{path.name} has no message"
        downgrade_body = text.split("def downgrade() -> None:", 1)[1]
        assert "pass" != downgrade_body.strip(), f"{path.name} has an empty downgrade"
        assert "op." in downgrade_body
