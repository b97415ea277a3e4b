"""Insert-once: the database's unique keys decide which of several concurrent writers wins."""

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
