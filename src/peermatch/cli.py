"""Command-line tasks: ``create-admin``, ``seed``, ``demo``, ``lapse-offers``, ``purge-sessions``, ``worker``,
``deliver-notifications``, ``purge``, ``batch`` and ``model …``.

Each command is a transaction boundary: it commits once at the end, or not at all.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from peermatch import clock
from peermatch.errors import DomainError
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
    except DomainError as error:
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
    from peermatch.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo_data

    click.echo("Loading demo data…")
    result = load_demo_data(db.session, clock.now())
    db.session.commit()
    if result.created:
        click.echo("Demo data loaded: " + ", ".join(f"{n} {name}" for name, n in result.counts.items()))
    else:
        click.echo("Demo data is already loaded; nothing added.")
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for sign_in in result.sign_ins:
        click.echo(f"  {sign_in.role:<10} {sign_in.email:<38} {sign_in.organisation}")
    click.echo(f"Staff then give a code: run 'peermatch demo-code', or add the key {DEMO_TOTP_SECRET} to an "
               "authenticator app.")


@click.command("demo-code")
@with_appcontext
def demo_code() -> None:
    """The code demo staff accounts take now (development only: the demo's key is published)."""
    import pyotp
    from flask import current_app

    from peermatch.services.demo import DEMO_TOTP_SECRET

    if current_app.config["ENV"] == "production":
        raise click.ClickException("There is no demo in production")
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    now = clock.now()
    click.echo(f"{totp.at(now)}  (for demo staff; a new code every 30 seconds, each taken once)")


@click.group("model")
def model() -> None:
    """Scoring models: train, evaluate, activate, list."""


@model.command("list")
@with_appcontext
def model_list() -> None:
    """Every stored version, newest first, with its held-out figures; * marks the active one."""
    from peermatch.services import scoring_models

    rows = scoring_models.list_models(db.session)
    active = next((r.version for r in rows if r.active), "default-1")
    click.echo(f"{'*' if active == 'default-1' else ' '} default-1   hand-set default weights")
    for row in rows:
        metrics = row.metrics or {}
        click.echo(f"{'*' if row.active else ' '} {row.version}   trained {row.trained_dt:%Y-%m-%d %H:%M} UTC   "
                   f"AUC {metrics.get('auc')}   precision@3 {metrics.get('precision_at_3')}   "
                   f"(defaults: AUC {metrics.get('default_auc')}, precision@3 {metrics.get('default_precision_at_3')})")


@model.command("train")
@click.option("--min-examples", default=None, type=int, help="Fewest decided offers to train on (default 200).")
@with_appcontext
def model_train(min_examples: int | None) -> None:
    """Train on history so far and store a new version. It is NOT used until someone activates it."""
    from peermatch import matching
    from peermatch.services import scoring_models

    try:
        row = scoring_models.train_model(db.session, clock.now(),
                                         min_examples=min_examples or matching.MIN_TRAINING_EXAMPLES)
    except matching.NotEnoughHistory as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    m = row.metrics
    click.echo(f"Trained {row.version} on {row.parameters.get('n_examples')} decided offers.")
    click.echo(f"Held-out AUC {m.get('auc')} (default weights {m.get('default_auc')}); "
               f"precision@3 {m.get('precision_at_3')} (default weights {m.get('default_precision_at_3')}).")
    click.echo(f"Not active yet. To use it: peermatch model activate {row.version}")


@model.command("evaluate")
@click.argument("version", default="default-1")
@with_appcontext
def model_evaluate(version: str) -> None:
    """How VERSION (default: the hand-set weights) ranks the history so far."""
    from peermatch.services import scoring_models

    try:
        result = scoring_models.evaluate_version(db.session, version, clock.today())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{key} {value}" for key, value in result.items()))


@model.command("activate")
@click.argument("version")
@with_appcontext
def model_activate(version: str) -> None:
    """Score new offers with VERSION; activate an older version (or default-1) to roll back."""
    from peermatch.services import scoring_models

    try:
        scoring_models.activate_model(db.session, version, None, clock.now())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{version} now scores new offers.")


@click.command("lapse-offers")
@with_appcontext
def lapse_offers() -> None:
    """Lapse offers whose time to answer has passed; they go back to the organisers."""
    from peermatch.services import offers

    lapsed = offers.lapse_due(db.session, clock.now())
    db.session.commit()
    click.echo(f"Offers lapsed: {len(lapsed)}")


@click.command("purge-sessions")
@with_appcontext
def purge_sessions() -> None:
    """Delete sessions that can no longer be used (idle over an hour or past their lifetime)."""
    from flask import current_app

    from peermatch import sessions

    gone = sessions.purge_expired(db.session, current_app, clock.now())
    db.session.commit()
    click.echo(f"Sessions deleted: {gone}")


@click.command("worker")
@click.option("--threads", type=int, default=None, help="Jobs run at once (default PEERMATCH_JOBS_WORKERS, 2).")
@with_appcontext
def worker(threads: int | None) -> None:
    """Run the job queue: deliver notifications, lapse offers, reminders, digests (until Ctrl-C)."""
    from flask import current_app

    import logging

    from peermatch import jobs

    # What the worker did, on its standard error (and, with no mail server or text provider, what it sent).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [worker] %(name)s: %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.run_worker(app, threads or int(app.config["JOBS_WORKERS"]))


@click.command("deliver-notifications")
@with_appcontext
def deliver_notifications() -> None:
    """Deliver every notification whose time has come, once, here (what the worker does every minute)."""
    from flask import current_app

    from peermatch import jobs

    outcomes = jobs.deliver_due(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(", ".join(f"{what}: {count}" for what, count in sorted(outcomes.items())) or "Nothing was due")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased; change nothing.")
@with_appcontext
def purge(dry_run: bool) -> None:
    """Erase what has been kept longer than the retention period (the worker does this nightly)."""
    from flask import current_app

    from peermatch.services import retention

    done = retention.purge_now(db.session, current_app.config, clock.now(), dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"{verb}, finished before {clock.local(done.cutoff):%-d %B %Y}: {done.requests} requests, "
               f"{done.drafts} unsent drafts, {done.volunteers} volunteers who left, {done.accounts} accounts nobody uses")


@click.command("batch")
@click.option("--organisation", "slug", default=None, help="The organisation's short name (slug); the whole network "
              "if left out.")
@click.option("--most-matches", is_flag=True, help="Match as many parents as possible first, then by score.")
@with_appcontext
def batch(slug: str | None, most_matches: bool) -> None:
    """Propose offers for every open request at once and print them (nothing is sent)."""
    import sqlalchemy as sa

    from peermatch.models import Organisation
    from peermatch.services import matching as matching_service

    organisation = None
    if slug is not None:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if organisation is None:
            raise click.ClickException(f"There is no organisation called {slug!r}")
    state: dict[str, object] = {}

    def progress(total: int | None, step: int | None) -> None:
        if total is not None:
            state["bar"] = click.progressbar(length=total, label="Ranking open requests", file=None)
            state["bar"].__enter__()  # type: ignore[attr-defined]
        elif step:
            state["bar"].update(step)  # type: ignore[attr-defined]

    try:
        proposals = matching_service.propose_batch_for(db.session, organisation.id if organisation else None,
                                                       clock.today(), maximise_matches=most_matches, progress=progress)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)  # type: ignore[attr-defined]
    references = {str(r.id): r.reference for r in proposals.requests}
    for assignment in proposals.result.assignments:
        click.echo(f"{references[assignment.request_id]}  →  advocate {assignment.volunteer_id}  "
                   f"score {assignment.score:.3f}")
    click.echo(f"Proposed {proposals.result.matched_count} of {len(proposals.requests)} requests "
               f"({proposals.result.method}); none sent. Organisers send them from the Batch page.")


def register(app: Flask) -> None:
    for command in (create_admin, seed, demo, demo_code, lapse_offers, purge_sessions, worker,
                    deliver_notifications, purge, batch, model):
        app.cli.add_command(command)


def main() -> None:
    """The ``peermatch`` console script: Flask's CLI bound to our factory."""
    from peermatch import create_app

    FlaskGroup(create_app=lambda: create_app(), help="PeerMatch management commands.")()
