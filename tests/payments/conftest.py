"""Fixtures the payments tests share: the webhook secret and the gifts the payment_succeeded signal announced."""

import pytest

from crm.payments.signals import payment_succeeded
from tests.payments.stripe_passthrough import behind_stripe, stripe_calls  # noqa: F401 (fixtures shared here)


@pytest.fixture
def secret(app):
    return app.config["STRIPE_WEBHOOK_SECRET"]


@pytest.fixture
def received():
    """Collect the id of every donation that payment_succeeded announces during the test."""
    got = []

    def receiver(sender, **kwargs):
        got.append(kwargs["donation"].id)

    payment_succeeded.connect(receiver)
    yield got
    payment_succeeded.disconnect(receiver)
