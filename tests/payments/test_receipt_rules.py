"""Receipt rules: nothing issued without every CRA element, and only the part of a payment that is a gift."""

from datetime import UTC, datetime

import pytest

from crm.extensions import db
from crm.payments.models import Receipt, ReceiptCounter
from crm.payments.services.receipts import ReceiptError, issue_receipt
from tests import factories

NOW = datetime(2026, 11, 29, 15, tzinfo=UTC)


def _gift():
    return factories.gift(
        "ana@example.org",
        first_name="Ana",
        last_name="Lima",
        address_line1="1 Main St",
        created_at=NOW,
        succeeded_at=NOW,
    )


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


def test_the_part_of_a_payment_that_is_not_a_gift_is_not_receipted(app):
    with app.app_context():
        gift = _gift()  # 50.00 paid
        gift.non_receiptable_cents, gift.advantage_cents = 2000, 500  # 20.00 bought, 5.00 received back
        receipt = issue_receipt([gift], now=NOW)
        assert (receipt.amount_cents, receipt.advantage_cents, receipt.eligible_cents) == (3000, 500, 2500)
