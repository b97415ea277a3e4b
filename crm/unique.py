"""Insert-once and take-turns: the database decides which of several concurrent writers goes first."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from crm.extensions import db


def add_once(row):
    """Add and flush `row` in a savepoint; return False, adding nothing, when a unique key already holds it.

    The caller's transaction goes on either way; on False, read the row that won.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def lock_row(row, column):
    """Lock `row`'s database row until the caller commits, so writers about it take turns; return it re-read.

    A no-op UPDATE (`column` set to itself) rather than SELECT ... FOR UPDATE: it locks the row on
    PostgreSQL, and on SQLite it takes the write lock before anything is read, so the turn-taking
    holds there too. The row is read again after the lock: what the one before us committed.
    """
    model = type(row)
    db.session.execute(
        update(model)
        .where(model.id == row.id)
        .values({column: getattr(model, column)})
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(select(model).where(model.id == row.id).execution_options(populate_existing=True))
