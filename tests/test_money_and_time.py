"""Integer cents and aware UTC times, on the real database."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crm.accounts.models import User
from crm.extensions import db
from crm.money import MoneyError, format_money, from_cents, to_cents
from crm.utc import utcnow


@pytest.mark.parametrize(
    ("given", "cents"),
    [("25", 2500), ("25.5", 2550), ("1,234.56", 123456), (Decimal("0.005"), 1), (Decimal("19.99"), 1999), (7, 700)],
)
def test_to_cents(given, cents):
    assert to_cents(given) == cents


@pytest.mark.parametrize("given", [0.1, "abc", "NaN", "Infinity", "", True, "1E+1000", Decimal("9E+999")])
def test_to_cents_refuses_floats_and_non_numbers(given):
    with pytest.raises(MoneyError):
        to_cents(given)


def test_from_cents_is_exact():
    assert from_cents(1999) == Decimal("19.99")
    with pytest.raises(MoneyError):
        from_cents(19.99)


def test_format_money_by_locale():
    assert format_money(250000, "cad", "en_CA") == "$2,500.00"
    assert format_money(250000, "cad", "fr_CA") == "2\xa0500,00\xa0$"
    assert format_money(995, "usd", "en_CA") == "US$9.95"


def test_utcnow_is_aware():
    assert utcnow().tzinfo is UTC


def test_times_come_back_from_the_database_aware_and_in_utc(app, make_user):
    user = make_user()
    eastern = timezone(timedelta(hours=-5))
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.last_login_at = datetime(2026, 11, 29, 9, 30, tzinfo=eastern)
        db.session.commit()
        db.session.expire_all()
        again = db.session.get(User, user.id)
        assert again.last_login_at == datetime(2026, 11, 29, 14, 30, tzinfo=UTC)
        assert again.last_login_at.tzinfo is not None
        assert again.created_at.tzinfo is not None


def test_naive_times_are_refused(app, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.last_login_at = datetime(2026, 11, 29, 9, 30)  # noqa: DTZ001 (the point of the test)
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
