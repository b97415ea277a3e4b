"""Steps anchored on an event: the migration that brings them keeps everyone where they were, and the
database refuses a step timed before a start."""

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, insert, text
from sqlalchemy.exc import IntegrityError

from crm import create_app
from crm.config import TestConfig
from crm.extensions import db
from crm.mail.models import Sequence, SequenceStep
from crm.mail.services.sequences import advance_sequences, event_step_plan
from tests.test_migrations import _filled

BEFORE = "2dfca8f81d8e"  # the last revision without event steps


def test_the_migration_adds_the_event_steps_and_keeps_enrolments_going(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade(revision=BEFORE)
        tables = MetaData()
        tables.reflect(db.engine, only=["supporters", "sequences", "sequence_enrolments"])
        supporters, enrolments = tables.tables["supporters"], tables.tables["sequence_enrolments"]
        started = datetime(2026, 12, 1, 12, tzinfo=UTC)
        with db.engine.begin() as conn:
            sequence_id = conn.execute(text("SELECT id FROM sequences WHERE key = 'fundraiser_page_coaching'")).scalar()
            conn.execute(insert(supporters).values(_filled(supporters, id=1, email="fay@example.org", language="en")))
            row = _filled(
                enrolments, id=1, sequence_id=sequence_id, supporter_id=1, state="active", next_position=2,
                next_step_at=started, started_at=started, updated_at=started,
            )  # fmt: skip
            conn.execute(insert(enrolments).values(row))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT position, delay_hours, template, anchor FROM sequence_steps "
                    "WHERE sequence_id = :id ORDER BY position"
                ),
                {"id": sequence_id},
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, 0, "fundraiser_coaching_welcome", "start"),
            (2, 72, "fundraiser_coaching_first_gift", "start"),
            (3, 168, "fundraiser_coaching_share", "start"),
            (4, -168, "fundraiser_event_soon", "event"),
            (5, 24, "fundraiser_event_after", "event"),
        ]
        # The enrolment carries on: day 3, day 7, then done (the event steps are the page's to plan).
        with app.test_request_context("/"):
            later = datetime(2026, 12, 20, tzinfo=UTC)
            assert advance_sequences(now=later) == 1
            state = "SELECT state, next_position FROM sequence_enrolments"
            assert tuple(db.session.execute(text(state)).one()) == ("active", 3)
            assert advance_sequences(now=later) == 1
            db.session.commit()
            assert db.session.execute(text(state)).one()[0] == "completed"
            db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT count(*) FROM sequence_steps WHERE sequence_id = :id"), {"id": sequence_id}
                ).scalar()
                == 3
            )
            assert conn.execute(text("SELECT state FROM sequence_enrolments")).scalar() == "completed"
        db.engine.dispose()


def test_only_an_event_step_may_come_before_its_anchor(app):
    with app.app_context():
        sequence = db.session.scalar(db.select(Sequence).filter_by(key="fundraiser_page_coaching"))
        at = datetime(2027, 2, 13, 14, tzinfo=UTC)
        assert [(step.template, due.day) for step, due in event_step_plan(sequence.key, at)] == [
            ("fundraiser_event_soon", 6),
            ("fundraiser_event_after", 14),
        ]
        assert event_step_plan("no_such_sequence", at) == []
        db.session.add(
            SequenceStep(sequence_id=sequence.id, position=9, delay_hours=-1, template="t", purpose="fundraiser_tips")
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
