"""A savepoint is part of its transaction on both databases: rolling back the whole undoes it."""

from crm.extensions import db
from crm.supporters.models import Tag


def test_rolling_back_undoes_work_done_inside_a_savepoint(app):
    with app.app_context():
        with db.session.begin_nested():  # first statement of the transaction (pysqlite's trap)
            db.session.add(Tag(name="kept-only-if-committed"))
        db.session.add(Tag(name="after-the-savepoint"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(Tag)) == 0
