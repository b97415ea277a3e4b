"""Throwaway databases for tests and benchmarks: an SQLite file, or a new PostgreSQL database."""

import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from crm.config import database_url


@contextmanager
def temporary_database(folder, server_url="", prefix="crm_test"):
    """Yield the URL of a new empty database; a PostgreSQL one is dropped afterwards.

    With no `server_url` it is an SQLite file in `folder`; otherwise a database created on
    the PostgreSQL server `server_url` names (any database there serves to connect).
    """
    if not server_url:
        yield f"sqlite:///{folder / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    url = make_url(database_url(server_url, folder))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
