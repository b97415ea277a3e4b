"""The Stripe webhook: verified on the raw body, each event stored once."""

import logging

from flask import request

from crm.accounts.access import public
from crm.extensions import csrf, db
from crm.payments.services import PaymentsUnavailable, WebhookRefused
from crm.payments.services.events import receive_stripe_event
from crm.payments.views import bp

log = logging.getLogger(__name__)


@bp.route("/payments/stripe/webhook", methods=["POST"])
@csrf.exempt
@public
def stripe_webhook():
    try:
        receive_stripe_event(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except WebhookRefused as error:
        log.warning("refused a Stripe webhook from %s: %s", request.remote_addr, error)
        return {"error": "invalid signature"}, 400
    except PaymentsUnavailable:
        db.session.rollback()
        return {"error": "try again"}, 503  # Stripe retries; nothing was stored
    db.session.commit()
    return {"received": True}, 200
