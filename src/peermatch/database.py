"""Engine behaviour the embedded database needs to act like the production one.

SQLite does not enforce foreign keys unless asked, and Python's sqlite3 driver
manages transactions in a way that breaks SAVEPOINT; both are corrected here for
every SQLite connection (the listeners are no-ops on PostgreSQL).

SQLite also has no ``SELECT … FOR UPDATE``. A transaction that read first and writes
later (every signed-in page does: it records who looked) fails at once with "database is
locked" when another connection is writing, because waiting could deadlock. So every
transaction begins ``IMMEDIATE``: it takes SQLite's one write lock up front, waiting up to
``busy_timeout`` for it, and transactions run one after another, which is what
``requests.lock`` asks for. WAL lets readers outside a transaction carry on meanwhile.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


@sa.event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@sa.event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
