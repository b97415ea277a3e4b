"""Payments services: plain functions that add and flush, never commit."""

import functools
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from crm.errors import UserError
from crm.payments import gateway


class DonationError(UserError):
    """An expected problem with a gift; `str(error)` is safe to show to the donor."""


class PaymentsUnavailable(UserError):
    """Stripe could not be reached, or refused a request for a reason that is not the card: try later."""

    status = 503
    title = _l("Payments are unavailable")


class WebhookRefused(UserError):
    """A webhook whose signature, timestamp or body does not check out (never from Stripe)."""


def translate_gateway_errors(function):
    """Make a service that talks to Stripe raise only UserErrors: views never catch a gateway error.

    A declined card becomes a DonationError (its message is for the donor), anything else from the
    gateway PaymentsUnavailable (503). Put it on the services views call.
    """

    @functools.wraps(function)
    def translated(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except gateway.PaymentError as error:
            raise DonationError(str(error)) from error
        except gateway.GatewayError as error:
            raise PaymentsUnavailable(str(error)) from error
        except gateway.SignatureError as error:
            raise WebhookRefused(str(error)) from error

    return translated


class GiftAlreadyStarted(DonationError):
    """This gift form was posted before (a double click, the back button): its gift exists already.

    Raised when two posts race to the same token; the caller rolls back and answers as the first
    post did (payments.services.donations.resume_gift).
    """

    status = 409

    def __init__(self):
        super().__init__(str(_l("This gift was already sent: it is on its way.")))


class PaymentUnanswered(DonationError):
    """Stripe did not answer a payment call (a timeout, a dropped connection): it may have done it.

    The form keeps its key (`holds_key`: the view must not renew it). Sent again, the same calls go
    with the same idempotency keys: Stripe does them if it never did, or gives back what it did, so
    trying again, as the message asks, can never charge a second time.
    """

    holds_key = True


class SubmissionConflict(DonationError):
    """Stripe did this form's payment calls before, with other details (an edited form sent again).

    That first payment may have gone through: nothing was charged now, and the form keeps its key
    (the view must not renew it), so sending it again can never charge a second time.
    """

    status = 409
    holds_key = True

    def __init__(self):
        super().__init__(
            str(
                _l(
                    "This form was already sent with other details, and that payment may have gone through. "
                    "To keep you from paying twice, nothing was charged now. Please check your email for a "
                    "receipt before you give again with a new form."
                )
            )
        )


class DonationDeclined(DonationError):
    """The card was declined: the Donation is kept, marked failed (the caller commits it)."""

    def __init__(self, message, donation):
        super().__init__(message)
        self.donation = donation


@dataclass
class GiftRequest:
    """What the donation form gave: amounts in cents (checked again here), the donor, the card token."""

    email: str
    gift_cents: int
    cover_fee: bool
    card_token: str
    kind: str = "one_time"  # or "monthly": a Subscription instead of a PaymentIntent
    donor: dict = field(default_factory=dict)
    gift: dict = field(default_factory=dict)
    attribution: dict = field(default_factory=dict)
    # A one-time payment that is not (only) a gift, such as a catalog order: what the giver receives
    # (the receipt's advantage), the part that buys something and is never receipted, the lowest
    # amount allowed (None: DONATION_MIN_CENTS), and what to note on the PaymentIntent.
    advantage_cents: int = 0
    advantage_description: str = ""
    non_receiptable_cents: int = 0
    minimum_cents: int | None = None
    metadata: dict = field(default_factory=dict)
    # Who emails the giver once it is paid (see THANKED_BY): "catalog" for an order's confirmation.
    thanked_by: str = "payments"
    # The key of the form as it was rendered (services.submissions): posted again, it is the same
    # gift. "" (a client that sends none): a new gift each time.
    submission_key: str = ""


@dataclass
class GiftStarted:
    donation: object  # the Donation (of the first invoice, for a monthly gift)
    status: str  # the PaymentIntent's: "succeeded", "requires_action", "processing", ...
    client_secret: str = ""
