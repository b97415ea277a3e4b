"""The migration that gives each fundraiser page its own coaching series: existing enrolments are tied to
the page they were started for and carry on, a second page then gets a series of its own, and going
back keeps each person's first enrolment."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, insert, text

from crm import create_app
from crm.config import TestConfig
from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import FundraiserPage
from crm.mail.models import Enrolment
from crm.mail.services.sequences import advance_sequences
from tests.test_migrations import _filled

BEFORE = "6daa7d8c3c34"  # the last revision with one enrolment per person and sequence
STARTED = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _fill(conn, tables):
    """Three fundraisers enrolled before the change, and one person in another sequence (ids clear of
    what PostgreSQL's id sequences hand out next)."""
    supporters, pages = tables.tables["supporters"], tables.tables["fundraising_pages"]
    campaigns, enrolments = tables.tables["fundraising_campaigns"], tables.tables["sequence_enrolments"]
    ids = dict(conn.execute(text("SELECT key, id FROM sequences")).all())
    coaching, follow_up = ids["fundraiser_page_coaching"], ids["fundraiser_follow_up"]
    for number in (1, 2, 3):
        row = _filled(supporters, id=number, email=f"p{number}@example.org", language="en")
        conn.execute(insert(supporters).values(row))
    conn.execute(insert(campaigns).values(_filled(campaigns, id=1, slug="diy", name_en="DIY", status="open")))
    for page_id, supporter_id, day in ((10, 1, 1), (11, 1, 2), (20, 2, 1), (21, 2, 3)):
        row = _filled(
            pages, id=page_id, campaign_id=1, supporter_id=supporter_id, slug=f"page-{page_id}",
            title=f"Page {page_id}", goal_cents=1000, currency="CAD", status="live", language="en",
            published_at=datetime(2026, 11, day, tzinfo=UTC),
        )  # fmt: skip
        conn.execute(insert(pages).values(row))
    for enrolment_id, sequence_id, supporter_id, context in (
        (901, coaching, 1, {"page_id": 11, "page_title": "Page 11", "occasion": "birthday"}),  # since event steps
        (902, coaching, 2, {}),  # older: no context, tied to the person's first page
        (903, coaching, 3, {}),  # no page at all
        (904, follow_up, 1, {}),
    ):
        row = _filled(
            enrolments, id=enrolment_id, sequence_id=sequence_id, supporter_id=supporter_id, state="active",
            next_position=2, next_step_at=STARTED, started_at=STARTED, updated_at=STARTED, context=context,
        )  # fmt: skip
        conn.execute(insert(enrolments).values(row))


def test_existing_enrolments_are_tied_to_their_page_and_carry_on(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade(revision=BEFORE)
        tables = MetaData()
        tables.reflect(
            db.engine, only=["supporters", "fundraising_campaigns", "fundraising_pages", "sequence_enrolments"]
        )
        with db.engine.begin() as conn:
            _fill(conn, tables)
        upgrade()
        subjects = "SELECT id, subject_key FROM sequence_enrolments ORDER BY id"
        with db.engine.connect() as conn:
            assert [tuple(row) for row in conn.execute(text(subjects))] == [
                (901, "fundraiser_page:11"),
                (902, "fundraiser_page:20"),
                (903, ""),
                (904, ""),
            ]
        with app.test_request_context("/"):
            assert advance_sequences(now=datetime(2026, 12, 20, tzinfo=UTC)) == 4, "every enrolment carries on"
            # Hiding the page an old series was for pauses it; the person's other page starts its own.
            page = db.session.get(FundraiserPage, 20)
            page.status = "hidden"
            signals.page_decided.send(page=page, decision="hidden", reason="check", now=datetime.now(UTC))
            assert db.session.get(Enrolment, 902).state == "paused"
            signals.page_published.send(page=db.session.get(FundraiserPage, 10), now=datetime.now(UTC))
            db.session.commit()
            series = db.session.scalars(db.select(Enrolment.subject_key).filter_by(supporter_id=1)).all()
            assert sorted(series) == ["", "fundraiser_page:10", "fundraiser_page:11"]
            db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT id FROM sequence_enrolments ORDER BY id")).scalars().all()
        assert kept == [901, 902, 903, 904], "the second page's series goes; the first ones stay"
        db.engine.dispose()
