"""A receipt that would lack an element CRA requires is refused, and spends no serial."""

from datetime import UTC, datetime

import pytest

from crm.extensions import db
from crm.payments.models import Donation, Receipt, ReceiptCounter
from crm.payments.services.receipts import ReceiptError, issue_receipt
from crm.supporters.services.intake import find_or_create_supporter

NOW = datetime(2026, 11, 29, 15, tzinfo=UTC)


def _gift():
    supporter, _, _ = find_or_create_supporter("ana@example.org", first_name="Ana", now=NOW)
    gift = Donation(
        supporter_id=supporter.id,
        amount_cents=5000,
        currency="cad",
        status="succeeded",
        first_name="Ana",
        last_name="Lima",
        address_line1="1 Main St",
        created_at=NOW,
        succeeded_at=NOW,
    )
    db.session.add(gift)
    db.session.flush()
    return gift


@pytest.mark.parametrize("setting", ["CHARITY_ADDRESS", "CHARITY_REGISTRATION_NUMBER", "RECEIPT_SIGNATORY"])
def test_missing_charity_settings_refuse_the_receipt(make_app, setting):
    app = make_app(**{setting: "  "})
    with app.app_context():
        gift = _gift()
        with pytest.raises(ReceiptError, match=setting):
            issue_receipt([gift], now=NOW)
        assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(ReceiptCounter)) == 0


def test_development_defaults_make_a_complete_receipt(app):
    with app.app_context():
        receipt = issue_receipt([_gift()], now=NOW)
        assert receipt.serial == "2026-000001"
