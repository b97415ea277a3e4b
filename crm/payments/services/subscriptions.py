"""Monthly gifts: a Plan per amount, a Subscription per donor; each paid invoice is one gift.

A paid invoice becomes exactly one succeeded Donation, however often and in whatever order the
webhook, the thank-you page and the starting request see it: the Donation is got-or-created by its
(unique) invoice id, then one conditional UPDATE lets a single caller make the transition.
"""

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.i18n import money_in
from crm.mail.services.outbox import enqueue_email
from crm.payments import gateway
from crm.payments.models import Donation, RecurringGift
from crm.payments.services import (
    DonationDeclined,
    DonationError,
    GiftAlreadyStarted,
    GiftStarted,
    PaymentUnanswered,
    SubmissionConflict,
)
from crm.payments.services.customers import customer_for
from crm.payments.services.gifts import complete_gift
from crm.payments.services.plan_links import manage_url
from crm.payments.services.submissions import donation_token, idempotency_key
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.visits import ATTRIBUTION_FIELDS, supporter_source
from crm.unique import add_once
from crm.utc import utcnow

log = logging.getLogger(__name__)

# What each month's gift repeats from the plan (the message and the tribute belong to the first gift).
RENEWAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "designation",
    "show_on_wall",
    "wall_name",
    *ATTRIBUTION_FIELDS,
)


# --- starting a monthly gift -----------------------------------------------------------------


def start_monthly(request, gift_cents, fee_cents, now=None):
    """Start a monthly gift of gift_cents + fee_cents (already checked) for this GiftRequest.

    Return a donations.GiftStarted for the first invoice's Donation (status and client_secret of
    its PaymentIntent, as for a one-time gift); raise DonationError / DonationDeclined likewise.
    """
    now = now or utcnow()
    supporter, _created, _conflicts = find_or_create_supporter(
        request.email, source=supporter_source(request.attribution), now=now, **request.donor
    )
    values = {
        "supporter_id": supporter.id,
        "amount_cents": gift_cents + fee_cents,
        "fee_cents": fee_cents,
        "currency": current_app.config["CURRENCY"],
        "email": supporter.email or request.email,
        "created_at": now,
        **request.donor,
        **request.gift,
        **request.attribution,
    }
    gift, donation = _add_plan_and_first_gift(values, donation_token(request.submission_key))
    once = idempotency_key(request.submission_key)
    try:
        gift.stripe_customer_id = customer_for(gift, supporter, once)
        donation.stripe_customer_id = gift.stripe_customer_id
        gift.stripe_plan_id = gateway.find_or_create_plan(
            amount_cents=gift.amount_cents, currency=gift.currency, interval=gift.interval
        )
        subscription = gateway.create_subscription(
            customer_id=gift.stripe_customer_id,
            plan_id=gift.stripe_plan_id,
            card_token=request.card_token,
            # The first gift's token, not a row id: a resend of the form sends the same parameters.
            metadata={"donation_token": donation.token},
            idempotency_key=once,
        )
    except gateway.IdempotencyConflict as error:
        raise SubmissionConflict() from error
    except gateway.PaymentError as error:
        _give_up(gift, donation, str(error), now)
        raise DonationDeclined(str(error), donation) from error
    except gateway.GatewayError as error:
        raise PaymentUnanswered(str(error)) from error  # it may have started the plan: the form keeps its key
    gift.stripe_subscription_id = subscription["id"]
    db.session.flush()
    try:
        invoice = gateway.retrieve_invoice(subscription["latest_invoice"])
        intent = gateway.retrieve_payment_intent(invoice["payment_intent"]) if invoice["payment_intent"] else None
    except gateway.GatewayError as error:
        _cancel_quietly(subscription["id"])  # the view rolls back: leave no plan charging unseen
        raise DonationError(str(error)) from error
    donation.stripe_invoice_id = invoice["id"]
    donation.stripe_payment_intent_id = invoice["payment_intent"]
    db.session.flush()
    status = intent["status"] if intent else ("succeeded" if invoice["status"] == "paid" else "processing")
    if invoice["status"] == "paid":
        record_invoice(invoice, now)
    elif status in ("requires_payment_method", "canceled"):
        _give_up(gift, donation, intent["error_message"], now)
        raise DonationDeclined(_("Your card was declined. Please check the details or use another card."), donation)
    return GiftStarted(donation=donation, status=status, client_secret=(intent or {}).get("client_secret") or "")


def _add_plan_and_first_gift(values, token):
    """Add the plan and its first gift; raise GiftAlreadyStarted, adding neither, when the token is taken.

    The token is unique: a second post of the same form waits here for the first, then stops.
    """
    try:
        with db.session.begin_nested():
            gift = RecurringGift(status="incomplete", interval="month", **values)
            db.session.add(gift)
            db.session.flush()
            donation = Donation(status="pending", kind="monthly", recurring_gift_id=gift.id, **values)
            if token:
                donation.token = token
            db.session.add(donation)
            db.session.flush()
    except IntegrityError:
        raise GiftAlreadyStarted() from None
    return gift, donation


def _cancel_quietly(subscription_id):
    try:
        gateway.cancel_subscription(subscription_id)
    except gateway.GatewayError:
        log.exception("could not cancel subscription %s", subscription_id)


def _give_up(gift, donation, message, now):
    """The first payment failed: the gift and its plan end here (the donor may simply try again)."""
    message = (message or "")[:500]
    db.session.execute(
        update(Donation)
        .where(Donation.id == donation.id, Donation.status == "pending")
        .values(status="failed", failure_message=message)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(donation)
    gift.cancel(now)
    gift.failure_message, gift.last_failure_at = message, now
    if gift.stripe_subscription_id:
        _cancel_quietly(gift.stripe_subscription_id)
    db.session.flush()


# --- paid invoices -----------------------------------------------------------------------------


def _gift_of(subscription_id):
    if not subscription_id:
        return None
    return db.session.scalar(db.select(RecurringGift).filter_by(stripe_subscription_id=subscription_id))


def _invoice_donation(gift, invoice, now):
    """Return the Donation of this invoice, created (pending) if it has none yet; safe against a race."""
    query = db.select(Donation).filter_by(stripe_invoice_id=invoice["id"])
    donation = db.session.scalar(query)
    if donation is not None:
        return donation
    amount = invoice["amount_paid"]
    donation = Donation(
        supporter_id=gift.supporter_id,
        amount_cents=amount,
        fee_cents=gift.fee_cents if amount == gift.amount_cents else 0,
        currency=gift.currency,
        status="pending",
        kind="monthly",
        recurring_gift_id=gift.id,
        stripe_customer_id=gift.stripe_customer_id,
        stripe_invoice_id=invoice["id"],
        stripe_payment_intent_id=invoice["payment_intent"],
        created_at=now,
        **{name: getattr(gift, name) for name in RENEWAL_FIELDS},
    )
    if not add_once(donation):
        # Another delivery of this invoice created it first: theirs stands.
        donation = db.session.scalar(query)
        if donation is None:
            raise DonationError(f"invoice {invoice['id']} could not be recorded")
    return donation


def record_invoice(invoice, now):
    if invoice["status"] != "paid" or invoice["amount_paid"] <= 0:
        return None
    gift = _gift_of(invoice["subscription"])
    if gift is None:
        # Not a monthly gift of ours, or the request starting it has not committed yet (it records it).
        log.info("paid invoice %s names no monthly gift (yet)", invoice["id"])
        return None
    if (invoice["currency"] or "").lower() != gift.currency:
        log.error("invoice %s currency differs from monthly gift %s", invoice["id"], gift.id)
        return None
    donation = _invoice_donation(gift, invoice, now)
    result = db.session.execute(
        update(Donation)
        .where(Donation.id == donation.id, Donation.status.in_(("pending", "failed")))
        .values(status="succeeded", succeeded_at=now, failure_message="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(RecurringGift)
        .where(RecurringGift.id == gift.id, RecurringGift.status.in_(("incomplete", "past_due")))
        .values(status="active", failure_message="")
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(donation)
    db.session.refresh(gift)
    if result.rowcount == 1:
        complete_gift(donation, now=now)
    return donation


def record_paid_invoice(invoice_id, now=None):
    """Record the invoice, as Stripe has it now, as one succeeded gift if it is paid; return its Donation."""
    return record_invoice(gateway.retrieve_invoice(invoice_id), now or utcnow())


def refresh_first_invoice(donation, now=None):
    """For the thank-you page: bring a monthly gift's pending Donation up to date with its invoice."""
    now = now or utcnow()
    record_paid_invoice(donation.stripe_invoice_id, now=now)
    db.session.refresh(donation)
    if donation.status != "pending" or not donation.stripe_payment_intent_id:
        return donation
    intent = gateway.retrieve_payment_intent(donation.stripe_payment_intent_id)
    if intent["status"] in ("requires_payment_method", "canceled") and donation.recurring_gift.status == "incomplete":
        _give_up(donation.recurring_gift, donation, intent["error_message"], now)
    return donation


def _invoice_id(obj):
    invoice_id = obj.get("id")
    return invoice_id if isinstance(invoice_id, str) and invoice_id.startswith("in_") else None


def on_invoice_paid(obj, now):
    """Webhook invoice.payment_succeeded: record the paid invoice as one gift, once."""
    if invoice_id := _invoice_id(obj):
        record_paid_invoice(invoice_id, now=now)


def on_invoice_failed(obj, now):
    """Webhook invoice.payment_failed: mark the plan past due and email the donor the card link."""
    invoice_id = _invoice_id(obj)
    if invoice_id is None:
        return
    invoice = gateway.retrieve_invoice(invoice_id)
    gift = _gift_of(invoice["subscription"])
    if invoice["status"] in ("paid", "void") or gift is None or gift.is_cancelled:
        return
    intent = gateway.retrieve_payment_intent(invoice["payment_intent"]) if invoice["payment_intent"] else {}
    message = intent.get("error_message", "")
    if gift.status == "incomplete":
        # The first payment (3-D Secure failed, say): the donor sees it on the thank-you page.
        donation = db.session.scalar(db.select(Donation).filter_by(stripe_invoice_id=invoice_id))
        if donation is not None:
            _give_up(gift, donation, message, now)
        return
    gift.status, gift.last_failure_at, gift.failure_message = "past_due", now, message[:500]
    db.session.flush()
    _queue_email(gift, f"gift-payment-failed:invoice:{invoice_id}", "gift_payment_failed", manage=True)


# --- the subscription itself ---------------------------------------------------------------------


def mark_cancelled(gift, now):
    before = gift.status
    result = db.session.execute(
        update(RecurringGift)
        .where(RecurringGift.id == gift.id, RecurringGift.status != "cancelled")
        .values(status="cancelled", cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(gift)
    if result.rowcount == 1 and before in ("active", "past_due"):
        _queue_email(gift, f"plan-cancelled:recurring:{gift.id}", "plan_cancelled")


def on_subscription_changed(obj, now):
    """Webhook customer.subscription.updated/deleted: bring the RecurringGift in line with Stripe."""
    subscription_id = obj.get("id")
    if not isinstance(subscription_id, str) or not subscription_id.startswith("sub_"):
        return
    gift = _gift_of(subscription_id)
    if gift is None or gift.is_cancelled:
        return
    subscription = gateway.retrieve_subscription(subscription_id)
    status = subscription["status"]
    if status in ("canceled", "incomplete_expired"):
        mark_cancelled(gift, now)
        return
    if subscription["plan_id"] and subscription["plan_id"] != gift.stripe_plan_id and subscription["amount"]:
        # Changed elsewhere (the Stripe dashboard): the plan's amount is what is charged now.
        gift.fee_cents = gift.fee_cents if subscription["amount"] == gift.amount_cents else 0
        gift.stripe_plan_id, gift.amount_cents = subscription["plan_id"], subscription["amount"]
    if status in ("active", "trialing") and gift.status != "active" and subscription["latest_invoice"]:
        record_paid_invoice(subscription["latest_invoice"], now=now)
    elif status in ("past_due", "unpaid") and gift.status == "active":
        gift.status = "past_due"
    db.session.flush()


def _queue_email(gift, dedupe_key, template, manage=False):
    context = {"first_name": gift.first_name, "amount": money_in(gift.amount_cents, gift.currency, gift.language)}
    if manage:
        context["manage_url"] = manage_url(gift)
    return enqueue_email(
        dedupe_key,
        template,
        gift.email or gift.supporter.email,
        to_name=gift.donor_name,
        supporter=gift.supporter,
        language=gift.language,
        purpose="transactional",
        context=context,
    )
