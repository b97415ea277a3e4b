"""One-time gifts: start a gift, fulfil it exactly once, and record what Stripe tells us."""

import logging
from dataclasses import replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from crm.extensions import db
from crm.payments import gateway
from crm.payments.models import Donation
from crm.payments.models.donations import new_token
from crm.payments.services import (
    DonationDeclined,
    DonationError,
    GiftAlreadyStarted,
    GiftStarted,
    PaymentUnanswered,
    SubmissionConflict,
    subscriptions,
    translate_gateway_errors,
)
from crm.payments.services.amounts import amount_rules
from crm.payments.services.customers import customer_for
from crm.payments.services.gifts import complete_gift
from crm.payments.services.submissions import donation_token, idempotency_key
from crm.payments.signals import payment_failed
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.visits import supporter_source
from crm.unique import add_once
from crm.utc import utcnow

log = logging.getLogger(__name__)

DONOR_FIELDS = ("first_name", "last_name", "address_line1", "city", "region", "postal_code", "country", "language")
GIFT_FIELDS = (
    "designation",
    "show_on_wall",
    "wall_name",
    "message",
    "tribute_kind",
    "tribute_name",
    "tribute_notify_email",
    "tribute_note",
)


def start_donation(request, now=None):
    """Create a pending Donation for the amount computed here, and charge it through Stripe.

    Raise DonationError for a refused amount (nothing stored) or an unavailable gateway,
    DonationDeclined (the Donation kept, failed) for a declined card, GiftAlreadyStarted when
    another post of the same form holds the gift's token (nothing more charged), and
    SubmissionConflict when Stripe did this form's calls before with other details.

    Every parameter sent under the form's idempotency keys is the same when the form is sent again
    after its transaction was lost (no row id): Stripe then answers with what it did the first
    time (the same Customer, card and PaymentIntent, already paid), and that gift is recorded.
    """
    now = now or utcnow()
    rules = amount_rules()
    if request.minimum_cents is not None:
        rules = replace(rules, minimum=max(1, request.minimum_cents))
    gift_cents = rules.check(request.gift_cents)
    fee_cents = rules.fee_for(gift_cents) if request.cover_fee else 0
    if not request.card_token or not request.card_token.startswith("tok_"):
        raise DonationError("missing card token")
    if request.kind == "monthly":
        return subscriptions.start_monthly(request, gift_cents, fee_cents, now=now)
    _check_parts(request, gift_cents)
    supporter, _created, _conflicts = find_or_create_supporter(
        request.email, source=supporter_source(request.attribution), now=now, **request.donor
    )
    donation = Donation(
        token=donation_token(request.submission_key) or new_token(),
        supporter_id=supporter.id,
        amount_cents=gift_cents + fee_cents,
        fee_cents=fee_cents,
        currency=_currency(),
        status="pending",
        kind="one_time",
        email=supporter.email or request.email,
        created_at=now,
        advantage_cents=request.advantage_cents,
        advantage_description=request.advantage_description[:300],
        non_receiptable_cents=request.non_receiptable_cents,
        thanked_by=request.thanked_by,
        **request.donor,
        **request.gift,
        **request.attribution,
    )
    # The token is unique: a second post of the same form waits here for the first, then stops.
    if not add_once(donation):
        raise GiftAlreadyStarted()
    once = idempotency_key(request.submission_key)
    try:
        donation.stripe_customer_id = customer_for(donation, supporter, once)
        intent = gateway.create_payment_intent(
            amount_cents=donation.amount_cents,
            currency=donation.currency,
            customer_id=donation.stripe_customer_id,
            card_token=request.card_token,
            # Only what a resend of the same form sends again: Stripe refuses a key with other parameters.
            metadata={**request.metadata, "donation_token": donation.token},
            idempotency_key=once,
        )
    except gateway.IdempotencyConflict as error:
        raise SubmissionConflict() from error
    except gateway.PaymentError as error:
        donation.status = "failed"
        donation.failure_message = str(error)[:500]
        db.session.flush()
        raise DonationDeclined(str(error), donation) from error
    except gateway.GatewayError as error:
        raise PaymentUnanswered(str(error)) from error  # it may have charged: the form keeps its key
    donation.stripe_payment_intent_id = intent["id"]
    db.session.flush()
    if intent["status"] == "succeeded":
        fulfil(intent["id"], now=now)
    elif intent["status"] == "requires_payment_method":
        mark_failed(intent["id"], intent["error_message"])
        db.session.refresh(donation)
        raise DonationDeclined(declined_message(), donation)
    return GiftStarted(donation=donation, status=intent["status"], client_secret=intent["client_secret"] or "")


@translate_gateway_errors
def resume_gift(submission_key):
    """The gift an earlier post of this form started, as that post answered; None when there is none.

    Return a GiftStarted (a pending gift with the status and client secret of its PaymentIntent,
    so 3-D Secure is asked again); raise DonationDeclined when its card was declined.
    """
    token = donation_token(submission_key)
    donation = db.session.scalar(db.select(Donation).filter_by(token=token)) if token else None
    if donation is None:
        return None
    if donation.status == "failed":
        raise DonationDeclined(declined_message(), donation)
    if donation.status != "pending":
        return GiftStarted(donation=donation, status="succeeded")
    if not donation.stripe_payment_intent_id:
        return GiftStarted(donation=donation, status="processing")
    intent = gateway.retrieve_payment_intent(donation.stripe_payment_intent_id)
    return GiftStarted(donation=donation, status=intent["status"], client_secret=intent["client_secret"] or "")


def _check_parts(request, gift_cents):
    """Refuse an advantage or a non-receiptable part that is negative or more than the payment."""
    parts = (request.advantage_cents, request.non_receiptable_cents)
    if any(not isinstance(cents, int) or cents < 0 for cents in parts) or sum(parts) > gift_cents:
        raise DonationError(_("This payment cannot be taken: its parts do not add up."))


def declined_message():
    return _("Your card was declined. Please check the details or use another card.")


def _currency():
    return current_app.config["CURRENCY"]


def fulfil(payment_intent_id, now=None):
    """Mark the gift of this PaymentIntent succeeded, once, if Stripe says it is paid.

    Safe to call any number of times, from the return page and the webhook, even at once:
    the conditional UPDATE lets exactly one caller make the transition and its effects.
    Return the Donation (or None when no gift has this PaymentIntent).
    """
    now = now or utcnow()
    intent = gateway.retrieve_payment_intent(payment_intent_id)
    donation = db.session.scalar(db.select(Donation).filter_by(stripe_payment_intent_id=payment_intent_id))
    if donation is not None and donation.stripe_invoice_id:  # a monthly gift's: counted once, from its invoice
        return subscriptions.record_paid_invoice(donation.stripe_invoice_id, now=now) or donation
    if donation is None or intent["status"] != "succeeded":
        return donation
    if intent["amount"] != donation.amount_cents or (intent["currency"] or "").lower() != donation.currency:
        log.error("PaymentIntent %s amount differs from donation %s", payment_intent_id, donation.id)
        return donation
    result = db.session.execute(
        update(Donation)
        .where(Donation.id == donation.id, Donation.status.in_(("pending", "failed")))
        .values(status="succeeded", succeeded_at=now, failure_message="")
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(donation)
    if result.rowcount != 1:
        return donation
    complete_gift(donation, now=now)
    return donation


def mark_failed(payment_intent_id, message=""):
    """Mark a still-pending gift failed and announce it, once; return True if this call changed it."""
    result = db.session.execute(
        update(Donation)
        .where(Donation.stripe_payment_intent_id == payment_intent_id, Donation.status == "pending")
        .values(status="failed", failure_message=(message or "")[:500])
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    donation = db.session.scalar(db.select(Donation).filter_by(stripe_payment_intent_id=payment_intent_id))
    db.session.refresh(donation)
    payment_failed.send(donation=donation, supporter=donation.supporter)
    return True


def payment_metadata(donation):
    """The metadata a one-time gift's payment was started with; {} when it has none or Stripe cannot say."""
    if not donation.stripe_payment_intent_id:
        return {}
    try:
        return gateway.retrieve_payment_intent(donation.stripe_payment_intent_id)["metadata"] or {}
    except gateway.GatewayError:
        log.exception("cannot read the payment of donation %s", donation.id)
        return {}


@translate_gateway_errors
def check_donation(token, now=None):
    """For the thank-you page: return the Donation of this token, brought up to date with Stripe."""
    donation = db.session.scalar(db.select(Donation).filter_by(token=token))
    if donation is None:
        raise DonationError("no such gift")
    if donation.status == "pending" and donation.stripe_invoice_id:
        subscriptions.refresh_first_invoice(donation, now=now)
    elif donation.status == "pending" and donation.stripe_payment_intent_id:
        fulfil(donation.stripe_payment_intent_id, now=now)
        db.session.refresh(donation)
        if donation.status == "pending":
            intent = gateway.retrieve_payment_intent(donation.stripe_payment_intent_id)
            if intent["status"] in ("requires_payment_method", "canceled"):
                mark_failed(donation.stripe_payment_intent_id, intent["error_message"])
                db.session.refresh(donation)
    return donation


def on_payment_intent_succeeded(obj, now):
    """Webhook: a one-time gift's PaymentIntent is paid (an invoice's is counted from the invoice)."""
    intent_id = obj.get("id")
    if isinstance(intent_id, str) and intent_id.startswith("pi_") and not obj.get("invoice"):
        fulfil(intent_id, now=now)


def on_payment_intent_failed(obj, now):
    """Webhook: a one-time gift's card was refused after all (3-D Secure failed, for one)."""
    intent_id = obj.get("id")
    if isinstance(intent_id, str) and intent_id.startswith("pi_") and not obj.get("invoice"):
        error = obj.get("last_payment_error")
        mark_failed(intent_id, error.get("message", "") if isinstance(error, dict) else "")
