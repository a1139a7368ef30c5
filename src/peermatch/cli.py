"""Command-line tasks: ``peermatch create-admin``, ``peermatch seed``, ``peermatch demo``.

Each command is a transaction boundary: it commits once at the end, or not at all.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from peermatch.extensions import db
from peermatch.models import Role


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", default="Network admin", show_default=True)
@click.password_option()
@with_appcontext
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create the first network admin (or another one)."""
    from peermatch.services import accounts

    if len(password) < 10:
        raise click.ClickException("Password must be 10 characters or more")
    try:
        accounts.create_user(db.session, email=email, password=password, role=Role.ADMIN, display_name=display_name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created admin {email}")


@click.command("seed")
@with_appcontext
def seed() -> None:
    """Add the seeded issue types (safe to run again)."""
    from peermatch.services.reference_data import seed_issue_types

    added = seed_issue_types(db.session)
    db.session.commit()
    click.echo(f"Issue types added: {added}")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Fill the database with the demo network (once) and print the demo sign-ins."""
    from peermatch.services.demo import DEMO_PASSWORD, load_demo_data

    click.echo("Loading demo data…")
    result = load_demo_data(db.session)
    db.session.commit()
    if result.created:
        click.echo("Demo data loaded: " + ", ".join(f"{n} {name}" for name, n in result.counts.items()))
    else:
        click.echo("Demo data is already loaded; nothing added.")
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for sign_in in result.sign_ins:
        click.echo(f"  {sign_in.role:<10} {sign_in.email:<38} {sign_in.organisation}")


def register(app: Flask) -> None:
    for command in (create_admin, seed, demo):
        app.cli.add_command(command)


def main() -> None:
    """The ``peermatch`` console script: Flask's CLI bound to our factory."""
    from peermatch import create_app

    FlaskGroup(create_app=lambda: create_app(), help="PeerMatch management commands.")()
