"""What follows a gift once the money is in, whatever brought it (card, monthly invoice, cheque)."""

import logging

from crm.i18n import money_in
from crm.mail.services.outbox import enqueue_email
from crm.money import from_cents
from crm.payments.services.plan_links import manage_url
from crm.payments.services.receipt_links import receipt_email_context
from crm.payments.services.receipts import ReceiptError, issue_receipt, received_date, waits_for_annual
from crm.payments.signals import payment_succeeded
from crm.supporters.services.consent import record_implied_consent
from crm.supporters.services.intake import add_activity
from crm.utc import utcnow

log = logging.getLogger(__name__)

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
    try:
        receipt = issue_receipt([donation], now=now)
    except ReceiptError:
        # The gift stands even when its receipt cannot be made; staff issue it from the gift's page.
        log.exception("no receipt for donation %s", donation.id)
        receipt = None
    payment_succeeded.send(donation=donation, supporter=supporter, receipt=receipt)
    if donation.thanked_by == "payments":  # else the feature the payment was for thanks the giver
        queue_thanks(donation, supporter, receipt)
    queue_tribute_note(donation)


def queue_thanks(donation, supporter, receipt=None):
    """Queue the thank-you email in the same transaction as the gift, with its receipt attached."""
    to_address = donation.email or supporter.email
    if not to_address:
        return None  # an offline gift from someone without an email address
    context = {
        "first_name": donation.first_name,
        "amount": money_in(donation.amount_cents, donation.currency, donation.language),
    }
    if receipt is not None:
        context.update(receipt_email_context(receipt))
    elif waits_for_annual(donation):
        context["annual_receipt_year"] = received_date(donation).year
    if donation.recurring_gift is not None:
        context["manage_url"] = manage_url(donation.recurring_gift)
    return enqueue_email(
        f"gift-thanks:donation:{donation.id}",
        "gift_thanks",
        to_address,
        to_name=donation.donor_name,
        supporter=supporter,
        language=donation.language,
        purpose="transactional",
        context=context,
    )


def queue_tribute_note(donation):
    """Tell the person the donor named that a gift was made in honour or memory of someone (never the amount)."""
    if not (donation.tribute_kind and donation.tribute_name and donation.tribute_notify_email):
        return None
    return enqueue_email(
        f"tribute-note:donation:{donation.id}",
        "tribute_note",
        donation.tribute_notify_email,
        language=donation.language,
        purpose="transactional",
        context={
            "donor_name": donation.donor_name,
            "tribute_name": donation.tribute_name,
            "in_memory": "yes" if donation.tribute_kind == "memory" else "",
            "tribute_note": donation.tribute_note,
        },
    )
