"""Pages that load Stripe.js (the gift form, a new card for a monthly gift, the catalog checkout, 3-D
Secure): the policy that lets them, the settings their script reads, and the step after a payment.

Their templates put `{% include "payments/_stripe.html" %}` in their head block.
"""

from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template

from crm.extensions import db
from crm.payments.services.amounts import amount_rules


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def allow_stripe():
    """Let this page load Stripe.js and talk to the Stripe API (and nothing else from outside)."""
    config = current_app.config
    origins = sorted(o for o in {_origin(config["STRIPE_JS_URL"]), _origin(config["STRIPE_API_BASE"])} if o)
    origins = origins or ["https://js.stripe.com"]
    api = _origin(config["STRIPE_API_BASE"]) or "https://api.stripe.com"
    g.csp_extra = {"script-src": origins, "frame-src": origins, "connect-src": sorted({*origins, api})}


def stripe_settings():
    """What payments.js reads from the page: the publishable key, Stripe.js, and the fee to cover."""
    config = current_app.config
    return {
        "publishable_key": config["STRIPE_PUBLISHABLE_KEY"],
        "js_url": config["STRIPE_JS_URL"],
        "fee_percent": str(amount_rules().fee_percent),
        "fee_fixed": config["STRIPE_FEE_FIXED_CENTS"],
    }


def render_stripe_page(template, status=200, **context):
    """Render a page that loads Stripe.js, with its policy and settings."""
    allow_stripe()
    return render_template(template, stripe=stripe_settings(), **context), status


def continue_payment(status, client_secret, done):
    """Send the payer to `done`, or first to 3-D Secure when the card asks for it (gift form and catalog)."""
    if status == "requires_action":
        return render_stripe_page("payments/confirm.html", client_secret=client_secret, thanks=done)
    return redirect(done)


def start_once(key, resume, start, retry_on, declined):
    """Start a payment form's gift or order, or answer with what an earlier post of the same rendered form started.

    `resume(key)` finds that earlier start (None when there is none); `start()` starts a new one.
    A `retry_on` error other than `declined` may mean a twin post got there first (its unique
    token, or the last of something it took while this one waited): the transaction is rolled
    back and the twin's answer given, or the error raised again when there is no twin.
    """
    started = resume(key)
    if started is not None:
        return started
    try:
        return start()
    except declined:
        raise
    except retry_on:
        db.session.rollback()
        started = resume(key)
        if started is None:
            raise
        return started
