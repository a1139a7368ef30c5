"""WSGI entry point for gunicorn: ``gunicorn -c config/gunicorn.conf.py peermatch.wsgi:app``."""

from peermatch import create_app

app = create_app()
