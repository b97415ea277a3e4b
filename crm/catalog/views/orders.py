"""Staff screens for catalog orders: the list, sales by item, export, an order's page, refund, resending a card."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.access import editor_required, staff_required
from crm.catalog.forms.orders import (
    CARD_STATUS_LABELS,
    DELIVERY_LABELS,
    ORDER_STATUS_LABELS,
    OrderRefundForm,
    OrderSearchForm,
    ResendCardForm,
)
from crm.catalog.models import HonourCard, Order
from crm.catalog.services import CatalogError
from crm.catalog.services.cards import resend_card
from crm.catalog.services.staff_orders import (
    OrderFilter,
    export_orders_csv,
    list_orders,
    order_sources,
    refund_order,
    sales_by_item,
)
from crm.catalog.views import bp
from crm.downloads import csv_export
from crm.exports import audit_export
from crm.extensions import db
from crm.forms import filter_status
from crm.lists import page_number
from crm.payments.forms.staff import STATUS_LABELS as GIFT_STATUS_LABELS
from crm.payments.views.staff import refund_flow

LABELS = {
    "statuses": ORDER_STATUS_LABELS,
    "card_statuses": CARD_STATUS_LABELS,
    "deliveries": DELIVERY_LABELS,
    "gift_statuses": GIFT_STATUS_LABELS,
}


@bp.get("/staff/catalog/orders/")
@staff_required
def staff_orders():
    form = OrderSearchForm(formdata=request.args)
    form.offer("source", order_sources())
    status = filter_status(form, request.args)
    criteria = OrderFilter.from_args(request.args)
    page = list_orders(criteria, page_number(request.args))
    sales = sales_by_item(criteria)
    return render_template(
        "catalog/staff/orders.html", form=form, page=page, criteria=criteria, sales=sales, **LABELS
    ), status


@bp.get("/staff/catalog/orders/export.csv")
@staff_required
def staff_orders_export():
    criteria = OrderFilter.from_args(request.args)
    audit_export(current_user, "gift_order", criteria, request.remote_addr)
    db.session.commit()
    return csv_export(export_orders_csv(criteria), "gift-orders")


def _render_order(order_id, status=200, refund_form=None):
    order = db.get_or_404(Order, order_id)
    if refund_form is None and order.donation is not None:
        refund_form = OrderRefundForm(order.donation, formdata=None)
    return render_template(
        "catalog/staff/order.html", order=order, refund_form=refund_form, resend_form=ResendCardForm(), **LABELS
    ), status


@bp.get("/staff/catalog/orders/<int:order_id>")
@staff_required
def staff_order(order_id):
    return _render_order(order_id)


@bp.post("/staff/catalog/orders/<int:order_id>/refund")
@editor_required
def staff_order_refund(order_id):
    order = db.get_or_404(Order, order_id)
    if order.donation is None:
        abort(404)  # no payment: the page offers no refund form
    return refund_flow(
        OrderRefundForm(order.donation),
        lambda form: refund_order(order, *form.refund_args(), actor=current_user),
        lambda status, form: _render_order(order.id, status, refund_form=form),
        url_for(".staff_order", order_id=order.id, _anchor="refund"),
        _("The order was refunded."),
    )


@bp.post("/staff/catalog/orders/<int:order_id>/cards/<int:card_id>/resend")
@editor_required
def staff_card_resend(order_id, card_id):
    card = db.session.get(HonourCard, card_id)
    if card is None or card.order_id != order_id:
        abort(404)
    if not ResendCardForm().validate_on_submit():
        abort(400)
    try:
        resend_card(card)
    except CatalogError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_order(order_id, 400)
    db.session.commit()
    flash(_("The card to %(name)s will be sent again.", name=card.honouree_name), "success")
    return redirect(url_for(".staff_order", order_id=order_id, _anchor="cards"))
