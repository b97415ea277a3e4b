"""Migrations build the schema the models describe, and can be undone."""

from datetime import UTC, date, datetime

from flask_migrate import check, downgrade, upgrade
from sqlalchemy import MetaData, insert, inspect, text

from crm import create_app
from crm.config import TestConfig
from crm.extensions import db


def test_models_and_migrations_agree(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade()
        check()  # exits non-zero (failing this test) if autogenerate would write anything
        assert {"users", "supporters", "alembic_version"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_upgrade_again(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _filled(table, **values):
    """A row for a reflected table: the given values, and a plain value for every other required column."""
    now = datetime.now(UTC)
    plain = {int: 0, str: "", bool: False, datetime: now, date: now.date(), dict: {}, list: []}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        try:
            values[column.name] = plain[column.type.python_type]
        except (NotImplementedError, KeyError):
            values[column.name] = {}  # a JSON column has no python_type
    return values


def test_monthly_gifts_cancelled_before_the_respelling_stay_cancelled(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade(revision="39f19ab82704")
        tables = MetaData()
        tables.reflect(db.engine, only=["supporters", "recurring_gifts"])
        supporters, gifts = tables.tables["supporters"], tables.tables["recurring_gifts"]
        ended = datetime(2026, 3, 1, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(insert(supporters).values(_filled(supporters, id=1, email="a@example.org")))
            for number, status in ((1, "canceled"), (2, "active")):
                row = _filled(
                    gifts,
                    id=number,
                    supporter_id=1,
                    amount_cents=2000,
                    currency="CAD",
                    status=status,
                    interval="month",
                    canceled_at=ended if status == "canceled" else None,
                )
                conn.execute(insert(gifts).values(row))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT status, cancelled_at FROM recurring_gifts ORDER BY id")).all()
        assert [status for status, _ in rows] == ["cancelled", "active"]
        assert rows[0][1] is not None and rows[1][1] is None
        downgrade(revision="39f19ab82704")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT status FROM recurring_gifts ORDER BY id")).scalars().all() == [
                "canceled",
                "active",
            ]
        db.engine.dispose()


def test_gifts_that_paid_an_order_are_thanked_by_the_catalog(fresh_database):
    app = create_app(TestConfig(fresh_database))
    with app.app_context():
        upgrade(revision="8d2c4e1a7b90")
        tables = MetaData()
        tables.reflect(db.engine, only=["supporters", "donations", "gift_orders"])
        supporters, donations, orders = (tables.tables[name] for name in ("supporters", "donations", "gift_orders"))
        with db.engine.begin() as conn:
            conn.execute(insert(supporters).values(_filled(supporters, id=1, email="a@example.org")))
            for number in (1, 2):
                conn.execute(
                    insert(donations).values(
                        _filled(
                            donations,
                            id=number,
                            token=f"d{number}",
                            supporter_id=1,
                            amount_cents=2500,
                            currency="CAD",
                            status="succeeded",
                            kind="one_time",
                            method="card",
                            tribute_kind="",
                        )
                    )
                )
            conn.execute(
                insert(orders).values(
                    _filled(
                        orders,
                        id=1,
                        supporter_id=1,
                        donation_id=2,
                        total_cents=2500,
                        currency="CAD",
                        status="paid",
                        token="t",
                    )
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT thanked_by FROM donations ORDER BY id")).scalars().all()
        assert rows == ["payments", "catalog"]
        db.engine.dispose()
