"""SQLite settings for every connection: enforce foreign keys, and cheap commits (WAL)."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # Like PostgreSQL: a row cannot point at a missing row, and ON DELETE rules apply.
    cursor.execute("PRAGMA foreign_keys = ON")
    # Readers do not block the writer, and a commit needs no full sync: the mail worker
    # commits after every message, the web app writes at the same time.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _begin_before_savepoint(conn, name):
    # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT that comes
    # first opens one of its own, and its RELEASE commits everything: a webhook's event row would
    # be committed even when the work after it is rolled back. Open the real transaction first.
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")
