"""The public catalog: the grid, an item's page, the cart, and the items' images."""

from flask import abort, current_app, flash, redirect, render_template, request, send_from_directory, session, url_for
from flask_babel import gettext as _

from crm.accounts.access import public
from crm.catalog.forms.cart import CartItemForm, CartQuantityForm
from crm.catalog.services import CatalogError
from crm.catalog.services.browse import (
    active_items,
    categories_in_use,
    find_active_item,
    find_category,
    group_by_category,
)
from crm.catalog.services.cart import (
    MAX_QUANTITY,
    SESSION_KEY,
    add_item,
    read_cart,
    remove_item,
    set_quantity,
    to_stored,
    units_in,
)
from crm.catalog.services.items import IMAGE_FOLDER
from crm.catalog.views import bp
from crm.images import IMAGE_NAME, image_folder


@bp.get("/catalog/images/<name>")
@public
def image(name):
    if not IMAGE_NAME.match(name):
        abort(404)
    return send_from_directory(image_folder(current_app.config["MEDIA_ROOT"], IMAGE_FOLDER), name, max_age=86400)


@bp.get("/catalog")
@public
def index():
    slug = request.args.get("category")
    category = find_category(slug) if slug else None
    if slug and category is None:
        abort(404)
    groups = group_by_category(active_items(category))
    return render_template(
        "catalog/index.html",
        groups=groups,
        categories=categories_in_use(),
        category=category,
        cart_units=units_in(session.get(SESSION_KEY)),
    )


@bp.get("/catalog/<slug>")
@public
def item(slug):
    found = find_active_item(slug)
    if found is None:
        abort(404)
    form = CartQuantityForm(item_id=str(found.id), quantity="1")
    cart_units = units_in(session.get(SESSION_KEY))
    return render_template("catalog/item.html", item=found, form=form, most=MAX_QUANTITY, cart_units=cart_units)


@bp.get("/catalog/cart")
@public
def cart():
    return _cart_page()


@bp.post("/catalog/cart/add")
@public
def cart_add():
    return _change(CartQuantityForm(), add_item, _("Added to your cart."))


@bp.post("/catalog/cart/quantity")
@public
def cart_quantity():
    return _change(CartQuantityForm(), set_quantity, _("Your cart is updated."))


@bp.post("/catalog/cart/remove")
@public
def cart_remove():
    return _change(CartItemForm(), remove_item, _("Removed from your cart."))


def _change(form, change, done):
    """Apply a change to the cart, or refuse it with the reason and a 400, the cart as it was."""
    if not form.validate_on_submit():
        return _cart_page(form.messages(), 400)
    try:
        stored = change(session.get(SESSION_KEY), *form.arguments())
    except CatalogError as error:
        return _cart_page([str(error)], 400)
    session[SESSION_KEY] = stored
    flash(done, "success")
    return redirect(url_for(".cart"))


def _cart_page(errors=(), status=200):
    found = read_cart(session.get(SESSION_KEY))
    if found.removed:
        session[SESSION_KEY] = to_stored(found)  # the buyer is told once; the gone items leave the session
    checkout_url = url_for(".checkout")
    page = render_template("catalog/cart.html", cart=found, errors=errors, most=MAX_QUANTITY, checkout_url=checkout_url)
    return page, status
