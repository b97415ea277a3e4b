"""What follows a gift once the money is in, whatever brought it (card, monthly invoice, cheque)."""

from flask import current_app

from crm.mail.outbox import enqueue_email
from crm.money import format_money, from_cents
from crm.payments.signals import payment_succeeded
from crm.supporters.services.consent import record_implied_consent
from crm.supporters.services.intake import add_activity
from crm.utc import utcnow

KIND_SUMMARY = {"one_time": "One-time gift", "monthly": "Monthly gift"}


def complete_gift(donation, now=None):
    """Record the effects of a gift that has just succeeded: consent, timeline, receipt, emails, signal.

    Call it once per gift, from the caller that made the transition to succeeded.
    """
    now = now or utcnow()
    supporter = donation.supporter
    record_implied_consent(supporter, "implied_gift", given_at=now, reference=f"donation:{donation.id}")
    add_activity(
        supporter,
        "gift",
        summary=f"{KIND_SUMMARY[donation.kind]}: {from_cents(donation.amount_cents)} {donation.currency.upper()}",
        details={
            "donation_id": donation.id,
            "amount_cents": donation.amount_cents,
            "designation": donation.designation,
        },
        now=now,
    )
    queue_thanks(donation, supporter)
    payment_succeeded.send(donation=donation, supporter=supporter)


def queue_thanks(donation, supporter):
    """Queue the thank-you email in the same transaction as the gift."""
    locale = f"{donation.language}_{current_app.config['MONEY_TERRITORY']}"
    enqueue_email(
        f"gift-thanks:donation:{donation.id}",
        "gift_thanks",
        donation.email or supporter.email,
        to_name=donation.donor_name,
        supporter=supporter,
        language=donation.language,
        purpose="transactional",
        context={
            "first_name": donation.first_name,
            "amount": format_money(donation.amount_cents, donation.currency, locale),
        },
    )
