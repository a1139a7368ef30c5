"""``peermatch lapse-offers``: run from cron (every 15 minutes, say) to lapse offers nobody answered in time."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from peermatch.extensions import db
from peermatch.models import now_utc


@click.command("lapse-offers")
@with_appcontext
def lapse_offers() -> None:
    """Lapse offers whose time to answer has passed; they go back to the organisers."""
    from peermatch.services.offers import lapse_due_offers

    lapsed = lapse_due_offers(db.session, now_utc())
    db.session.commit()
    click.echo(f"Offers lapsed: {len(lapsed)}")
