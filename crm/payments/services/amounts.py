"""Gift amounts from configuration: presets, bounds, and the processing fee a donor may cover.

Everything is integer cents; the fee rate is a Decimal read from a string, never a float.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _

from crm.i18n import money_filter
from crm.payments.services import DonationError


@dataclass(frozen=True)
class AmountRules:
    presets: tuple
    minimum: int
    maximum: int
    fee_percent: Decimal
    fee_fixed: int

    def check(self, cents):
        """Return `cents` if it is an allowed gift, else raise DonationError."""
        if not isinstance(cents, int) or isinstance(cents, bool) or cents < self.minimum:
            raise DonationError(_("The smallest gift we can accept is %(amount)s.", amount=money_filter(self.minimum)))
        if cents > self.maximum:
            raise DonationError(
                _("The largest gift we can accept online is %(amount)s.", amount=money_filter(self.maximum))
            )
        return cents

    def fee_for(self, cents):
        """Return the extra that makes the charge cover Stripe's fee on the whole charge.

        Gross-up: total = (gift + fixed) / (1 - percent / 100), rounded up to the cent; the
        extra is total - gift.
        """
        rate = self.fee_percent / Decimal(100)
        total = ((Decimal(cents) + Decimal(self.fee_fixed)) / (Decimal(1) - rate)).to_integral_value(ROUND_CEILING)
        return int(total) - cents


def amount_rules():
    """Return the rules configured for this application (raise ValueError on a broken setting)."""
    config = current_app.config
    presets = tuple(int(part) for part in str(config["DONATION_PRESETS"]).split(",") if part.strip())
    try:
        percent = Decimal(str(config["STRIPE_FEE_PERCENT"]).strip())
    except InvalidOperation as exc:
        raise ValueError("STRIPE_FEE_PERCENT must be a decimal number") from exc
    if not percent.is_finite() or not Decimal(0) <= percent < Decimal(50):
        raise ValueError("STRIPE_FEE_PERCENT must be between 0 and 50")
    return AmountRules(
        presets=presets,
        minimum=int(config["DONATION_MIN_CENTS"]),
        maximum=int(config["DONATION_MAX_CENTS"]),
        fee_percent=percent,
        fee_fixed=int(config["STRIPE_FEE_FIXED_CENTS"]),
    )
