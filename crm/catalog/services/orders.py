"""An order after checkout: paid exactly once (cards scheduled, confirmation queued), or failed and released."""

import logging

from babel.dates import format_date
from flask import has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import update

from crm.catalog.models import Item, Order
from crm.catalog.services.cards import schedule_cards
from crm.errors import UserError
from crm.extensions import db
from crm.i18n import money_in
from crm.links import site_url
from crm.mail.services.outbox import enqueue_email
from crm.payments.services import DonationError
from crm.payments.services.donations import check_donation, payment_metadata
from crm.payments.services.receipt_links import receipt_email_context
from crm.payments.services.refunds import refund_donation
from crm.utc import utcnow

log = logging.getLogger(__name__)

DESIGNATION = "gift-catalog"  # the designation of every Donation that pays an order


def order_language():
    """Return the language of the request being handled (English outside one)."""
    return str(get_locale()) if has_request_context() else "en"


def _release_line(line):
    db.session.execute(
        update(Item)
        .where(Item.id == line.item_id, Item.reserved_count >= line.quantity)
        .values(reserved_count=Item.reserved_count - line.quantity)
        .execution_options(synchronize_session=False)
    )


def release_units(order):
    """Give back the units the order held on capped items."""
    for line in order.lines:
        _release_line(line)


def _hold_again(order):
    """Hold the units of an order whose payment succeeded after it had failed; return False (none held) if gone."""
    held = []
    for line in sorted(order.lines, key=lambda line: line.item_id):
        done = db.session.execute(
            update(Item)
            .where(Item.id == line.item_id, Item.cap.is_(None) | (Item.reserved_count + line.quantity <= Item.cap))
            .values(reserved_count=Item.reserved_count + line.quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            for taken in held:
                _release_line(taken)
            return False
        held.append(line)
    return True


def _refund_gone(order, donation, now):
    """Give the money back for an order paid after its items went to others (its payment had looked failed)."""
    log.warning("order %s was paid after its items were gone: refunding it", order.id)
    # Refunded before the refund is made: it holds no units, so following the refund gives none back.
    order.status = "refunded"
    db.session.flush()
    try:
        refund_donation(donation, donation.amount_cents, "Catalog items gone", f"catalog-gone:{order.id}", now=now)
    except UserError:  # refused, or Stripe unavailable
        log.exception("order %s could not be refunded: staff must refund it", order.id)
        order.status = "paid"
        order.failure_message = "Paid after its items were gone: refund it."
    db.session.refresh(order)


def fail_order(order, message="", donation=None):
    """Mark a pending order failed and release its units, once; return True if this call changed it."""
    values = {"status": "failed", "failure_message": (message or "")[:500]}
    if donation is not None:
        values["donation_id"] = donation.id
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed == 1:
        release_units(order)
    db.session.flush()
    db.session.refresh(order)
    return changed == 1


def order_for_donation(donation):
    """Return the order this gift pays, or None (a gift that is not a catalog order's)."""
    if donation.designation != DESIGNATION:
        return None
    order = db.session.scalar(db.select(Order).where(Order.donation_id == donation.id))
    if order is not None:
        return order
    # Paid at once, inside checkout: the order is not linked yet; its token (its id, for a payment
    # made before the token was sent) is on the PaymentIntent.
    metadata = payment_metadata(donation)
    token, order_id = str(metadata.get("order_token") or ""), str(metadata.get("order_id") or "")
    if token:
        order = db.session.scalar(db.select(Order).filter_by(token=token[:64]))
    else:
        order = db.session.get(Order, int(order_id)) if order_id.isdigit() else None
    if order is None or order.donation_id not in (None, donation.id) or order.supporter_id != donation.supporter_id:
        return None
    return order


def mark_paid(order, donation, receipt=None, now=None):
    """Record, once, that the gift paid the order: status, e-cards scheduled, confirmation queued.

    Return True when this call made the transition.
    """
    now = now or utcnow()
    previous = order.status
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(("pending", "failed")))
        .values(status="paid", paid_at=now, donation_id=donation.id, failure_message="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if changed != 1:
        return False
    if previous == "failed" and not _hold_again(order):
        # Its units went to someone else while this payment looked failed: the money goes back,
        # and no card or confirmation follows (the order's page says it was refunded).
        _refund_gone(order, donation, now)
        return True
    schedule_cards(order, now=now)
    queue_confirmation(order, receipt)
    db.session.flush()
    return True


def check_order(token, now=None):
    """For the confirmation page: return the order of this token, brought up to date with Stripe."""
    order = db.session.scalar(db.select(Order).filter_by(token=token))
    if order is None:
        raise DonationError("no such order")
    if order.status == "pending" and order.donation is not None:
        donation = check_donation(order.donation.token, now=now)
        db.session.refresh(order)
        if order.status == "pending" and donation.status == "failed":
            fail_order(order, donation.failure_message)
    return order


def _money(cents, order):
    return money_in(cents, order.currency, order.language)


def order_summary(order):
    """Return the order's lines as text, one a line, with quantities and prices (for the buyer only)."""
    return "\n".join(f"{line.quantity} × {line.name}: {_money(line.total_cents, order)}" for line in order.lines)


def _cards_summary(order):
    with force_locale(order.language):
        lines = []
        for card in order.cards:
            if card.delivery == "email":
                lines.append(
                    _(
                        "A card in honour of %(name)s, emailed to %(email)s on %(date)s.",
                        name=card.honouree_name,
                        email=card.honouree_email,
                        date=format_date(card.deliver_on, format="long", locale=order.language),
                    )
                )
            else:
                lines.append(_("A card in honour of %(name)s, for you to print.", name=card.honouree_name))
        return "\n".join(lines)


def queue_confirmation(order, receipt=None):
    """Queue the order confirmation to the buyer, with the order's receipt attached (one email)."""
    context = {
        "first_name": order.first_name,
        "order_url": site_url("catalog.order", token=order.token),
        "total": _money(order.total_cents, order),
        "lines": order_summary(order),
        "cards": _cards_summary(order),
        "cards_url": site_url("catalog.order_cards", token=order.token) if order.cards else "",
    }
    if receipt is not None:
        context.update(receipt_email_context(receipt), eligible=_money(receipt.eligible_cents, order))
    return enqueue_email(
        f"order-confirmation:order:{order.id}",
        "order_confirmation",
        order.email,
        to_name=order.buyer_name,
        supporter=order.supporter,
        language=order.language,
        purpose="transactional",
        context=context,
    )
