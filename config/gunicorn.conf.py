"""Gunicorn settings for production: ``gunicorn -c config/gunicorn.conf.py peermatch.wsgi:app``.

Values can be overridden with GUNICORN_* style command-line flags; the defaults suit a
small 2-core server behind a TLS-terminating reverse proxy on the same host.
"""

import multiprocessing
import os

bind = os.environ.get("PEERMATCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PEERMATCH_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = 2
timeout = 30
graceful_timeout = 30
# Recycling a worker costs it a second reloading the matching snapshot: rarely, then.
max_requests = 20000
max_requests_jitter = 2000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# No query strings in the access log: they could carry tokens.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
errorlog = "-"
loglevel = "info"
preload_app = True


def post_worker_init(worker):  # noqa: ANN001, ANN201 - gunicorn's hook
    """Each worker loads the advocates' matching snapshot before it takes a request."""
    from peermatch.wsgi import warm

    warm(worker.wsgi)
