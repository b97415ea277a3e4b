"""Telling the donor that their receipt changed: the replacement attached and linked, and why (a refund)."""

from crm.i18n import money_in
from crm.mail.services.outbox import enqueue_email
from crm.payments.services.receipt_links import receipt_email_context

TEMPLATE = "receipt_replaced"


def notice_key(old, new):
    """The outbox dedupe key of the notice: one per replacement receipt, or per receipt cancelled by a full refund."""
    return f"receipt-replaced:receipt:{new.id}" if new is not None else f"receipt-cancelled:receipt:{old.id}"


def queue_receipt_notice(old, new, refunded=None):
    """Queue, once, the email saying `old` is cancelled and `new` (None: nothing) stands; return it.

    `refunded`: the gift whose refund caused the change, so the email says what was given back.
    None when the donor has no email address (an offline gift).
    """
    donation = refunded or old.donations[-1]
    supporter = old.supporter
    to_address = donation.email or getattr(supporter, "email", "") or ""
    if not to_address:
        return None
    language = old.language
    context = {"first_name": donation.first_name, "old_serial": old.serial}
    if new is not None:
        context.update(receipt_email_context(new), eligible=money_in(new.eligible_cents, new.currency, language))
    if refunded is not None:
        context["refunded"] = money_in(refunded.refunded_cents, refunded.currency, language)
        context["amount"] = money_in(refunded.amount_cents, refunded.currency, language)
    return enqueue_email(
        notice_key(old, new),
        TEMPLATE,
        to_address,
        to_name=old.donor_name,
        supporter=supporter,
        language=language,
        purpose="transactional",
        context=context,
    )
