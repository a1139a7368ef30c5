"""WSGI entry point for gunicorn: ``gunicorn -c config/gunicorn.conf.py peermatch.wsgi:app``."""

from __future__ import annotations

import gc
import logging
import time

from flask import Flask

from peermatch import create_app

app = create_app()


def warm(application: Flask = app) -> None:
    """Load the matching snapshot before this worker takes a request (gunicorn's ``post_worker_init``).

    Without it the first candidate page a new worker serves waits about a second while the
    advocates load. A database that cannot be read yet (not migrated) only logs a warning:
    the first ranking then loads the snapshot itself.

    The snapshot is a couple of hundred thousand long-lived objects; a full garbage collection
    walks them all (about 80 ms at 10,000 advocates), stalling whatever page is being served.
    ``gc.freeze()`` sets everything loaded so far aside from the collector for good.
    """
    from peermatch.extensions import db
    from peermatch.services.matching import prepare

    started = time.perf_counter()
    with application.app_context():
        try:
            advocates = prepare(db.session)
        except Exception:  # noqa: BLE001 - a worker must still start; the page will load it instead
            logging.getLogger(__name__).warning("Could not load the matching snapshot at start", exc_info=True)
            return
        finally:
            db.session.remove()
    gc.collect()
    gc.freeze()
    logging.getLogger(__name__).info("Matching snapshot of %d advocates loaded in %.2f s", advocates,
                                     time.perf_counter() - started)
