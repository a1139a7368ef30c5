"""PeerMatch: matches parents who ask for support with volunteer peer advocates.

The package root stays import-light on purpose: ``peermatch.matching`` must be
importable without Flask or SQLAlchemy, so the app factory is only imported when
``create_app`` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> "Flask":
    """Build the Flask application (see :func:`peermatch.app.create_app`)."""
    from peermatch.app import create_app as _create_app

    return _create_app(config)
