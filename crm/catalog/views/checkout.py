"""Checkout (buyer, cards, card payment), the 3-D Secure step, the confirmation page and the printable cards."""

from flask import Response, abort, render_template, request, session, url_for

from crm.accounts.access import public
from crm.catalog.forms.checkout import CheckoutForm
from crm.catalog.models import Order
from crm.catalog.services import CatalogError
from crm.catalog.services.cards import build_cards_pdf, sync_card_status
from crm.catalog.services.cart import SESSION_KEY, acknowledge_prices, read_cart
from crm.catalog.services.checkout import OrderDeclined, place_order, resume_order
from crm.catalog.services.orders import check_order
from crm.catalog.views import bp
from crm.extensions import db
from crm.payments.services import DonationError
from crm.payments.services.donations import declined_message
from crm.payments.services.receipt_links import receipt_download_url
from crm.payments.services.receipts import current_receipt
from crm.payments.views.stripe import continue_payment, render_stripe_page, start_once
from crm.supporters.attribution import current_attribution, current_visit
from crm.supporters.spam import public_form_limit

ORDER_KEY = "cart_order"  # the token of the order the session's cart is being paid by


def _show(form, cart, status):
    # The buyer has now seen every current price: a later change is announced again.
    session[SESSION_KEY] = acknowledge_prices(session.get(SESSION_KEY), cart)
    form.show_cart(cart)
    form.renew_submission_key()  # each showing of the form pays once, however often it is sent
    return render_stripe_page("catalog/checkout.html", status, form=form, cart=cart)


@bp.route("/catalog/checkout", methods=["GET", "POST"])
@public_form_limit
@public
def checkout():
    cart = read_cart(session.get(SESSION_KEY))
    form = CheckoutForm()
    if request.method == "GET":
        form.offer_cards(cart)
        return _show(form, cart, 200)
    if form.website.data:
        form.form_errors.append(declined_message())  # a bot: answered like a refused card, nothing stored
        return _show(form, cart, 400)
    if not form.validate_on_submit():
        hidden = [form.submission_key, form.lines, form.expected_total, form.card_token]
        hidden += [entry.form.item for entry in form.cards]
        form.form_errors.extend(dict.fromkeys(str(error) for f in hidden for error in f.errors))
        return _show(form, cart, 400)
    started = _place(form, cart)
    return _next_step(started) if started else _show(form, read_cart(session.get(SESSION_KEY)), 400)


def _place(form, cart):
    """Place the order and commit; return the OrderStarted, or None with the reason added to the form."""
    try:
        started = start_once(
            form.posted_submission_key,
            resume_order,
            lambda: place_order(
                cart, form.checkout_request(current_attribution()), current_visit(), form.shown_wording()
            ),
            (CatalogError, DonationError),
            OrderDeclined,
        )
    except OrderDeclined as declined:
        db.session.commit()  # keep the failed order and gift, with the reason, for staff
        form.form_errors.append(str(declined))
        return None
    except (CatalogError, DonationError) as error:
        db.session.rollback()
        if getattr(error, "holds_key", False):
            form.hold_submission_key()  # that payment may have been taken: never a second one
        form.form_errors.append(str(error))
        return None
    db.session.commit()
    session[ORDER_KEY] = started.order.token
    return started


def _next_step(started):
    return continue_payment(started.status, started.client_secret, url_for(".order", token=started.order.token))


@bp.route("/catalog/orders/<token>")
@public
def order(token):
    try:
        found = check_order(token[:64])
    except DonationError:
        abort(404)  # PaymentsUnavailable is not one: it becomes the 503 page with its message
    sync_card_status(found)
    db.session.commit()
    if found.status == "paid" and session.get(ORDER_KEY) == found.token:
        session.pop(SESSION_KEY, None)  # the cart is paid: empty it (once; a new cart is left alone)
        session.pop(ORDER_KEY, None)
    receipt = current_receipt(found.donation) if found.donation is not None else None
    receipt_url = receipt_download_url(receipt, external=False) if receipt is not None else None
    return render_template("catalog/order.html", order=found, receipt=receipt, receipt_url=receipt_url)


@bp.route("/catalog/orders/<token>/cards.pdf")
@public
def order_cards(token):
    found = db.session.scalar(db.select(Order).filter_by(token=token[:64]))
    if found is None or not found.is_paid or not found.cards:
        abort(404)
    filename = "cartes.pdf" if found.language == "fr" else "cards.pdf"
    return Response(
        build_cards_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
