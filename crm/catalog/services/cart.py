"""The cart, kept in the session as item ids and quantities; every amount is computed from the database.

The session holds {"cart": {"<item id>": {"q": quantity, "p": unit price in cents when added}}}:
the price seen is kept only to tell the buyer when it has changed, never to charge it.
"""

import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from crm.catalog.models import Item
from crm.catalog.services import CatalogError
from crm.extensions import db

SESSION_KEY = "cart"
MAX_QUANTITY = 100  # per item
# The session is a signed cookie (about 4 KB in all, shared with attribution and login): keep the cart small.
MAX_LINES = 20
# Nine digits at most: an id the database's 32-bit integer column can hold.
_ID = re.compile(r"^[0-9]{1,9}$", re.ASCII)


@dataclass
class CartLine:
    item: object  # the Item, as it is now
    quantity: int
    unit_price_cents: int  # the current price
    seen_price_cents: int  # the price when it was added (a change is announced)

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity

    @property
    def price_changed(self):
        return self.seen_price_cents != self.unit_price_cents


@dataclass
class Cart:
    lines: list = field(default_factory=list)
    currency: str = "cad"
    # Items that were in the session but are gone (inactive, deleted): named so the buyer is told.
    # Each is the item's name in the visitor's language, or "" for an item deleted from the database.
    removed: list = field(default_factory=list)

    @property
    def total_cents(self):
        return sum(line.total_cents for line in self.lines)

    @property
    def price_changed(self):
        return any(line.price_changed for line in self.lines)

    @property
    def quantity(self):
        return sum(line.quantity for line in self.lines)


def _whole(value):
    """Return `value` as an int when it is one (never a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _entries(stored):
    """Return the well-formed {id string: {"q", "p"}} entries of a stored dict, in order; drop anything else."""
    if not isinstance(stored, dict):
        return {}
    entries = {}
    for key, entry in stored.items():
        if not isinstance(key, str) or not _ID.match(key) or not isinstance(entry, dict):
            continue
        quantity, seen = _whole(entry.get("q")), _whole(entry.get("p"))
        if quantity is None or quantity < 1:
            continue
        entries[str(int(key))] = {"q": min(quantity, MAX_QUANTITY), "p": seen if seen is not None else 0}
    return dict(list(entries.items())[:MAX_LINES])


def _currency():
    return current_app.config["CURRENCY"]


def _item_key(item_id):
    """Return the stored key of an item id (int or string); CatalogError when it cannot be one."""
    text = str(item_id) if _whole(item_id) is not None or isinstance(item_id, str) else ""
    if not _ID.match(text):
        raise CatalogError(_("That item is not in our catalog."))
    return str(int(text))


def _offered_item(key):
    """Return the active item for a stored key; CatalogError when it is unknown or no longer offered."""
    item = db.session.get(Item, int(key))
    if item is None or item.currency != _currency():
        raise CatalogError(_("That item is not in our catalog."))
    if not item.active:
        raise CatalogError(_("That item is no longer offered."))
    return item


def _check_quantity(item, quantity):
    """Return a valid quantity of this item; CatalogError for one out of bounds or beyond what is left."""
    if _whole(quantity) is None or not 1 <= quantity <= MAX_QUANTITY:
        raise CatalogError(_("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
    remaining = item.remaining
    language = str(get_locale())
    if remaining is not None and remaining <= 0:
        raise CatalogError(_("%(name)s is gone: every one has been given.", name=item.text("name", language)))
    if remaining is not None and quantity > remaining:
        name = item.text("name", language)
        raise CatalogError(
            ngettext("Only %(num)d of %(name)s remains.", "Only %(num)d of %(name)s remain.", remaining, name=name)
        )
    return quantity


def read_cart(stored, language=None):
    """Return the Cart for the session's stored dict: current items and prices from the database."""
    language = language or str(get_locale())
    entries = _entries(stored)
    ids = [int(key) for key in entries]
    items = {item.id: item for item in db.session.scalars(db.select(Item).where(Item.id.in_(ids)))} if ids else {}
    cart = Cart(currency=_currency())
    for key, entry in entries.items():
        item = items.get(int(key))
        if item is None or not item.active or item.currency != cart.currency:
            cart.removed.append(item.text("name", language) if item is not None else "")
            continue
        seen = entry["p"] or item.price_cents
        cart.lines.append(CartLine(item, entry["q"], item.price_cents, seen))
    return cart


def to_stored(cart):
    """Return the stored dict of a read cart: the lines still offered, with the prices they were seen at."""
    return {str(line.item.id): {"q": line.quantity, "p": line.seen_price_cents} for line in cart.lines}


def add_item(stored, item_id, quantity=1):
    """Add units of an active item (CatalogError for a foreign item id or a bad quantity); return the new dict."""
    entries = _entries(stored)
    key = _item_key(item_id)
    item = _offered_item(key)
    if _whole(quantity) is None or not 1 <= quantity <= MAX_QUANTITY:
        raise CatalogError(_("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
    held = entries.get(key)
    if held is None and len(entries) >= MAX_LINES:
        raise CatalogError(_("Your cart can hold %(most)d different items at most.", most=MAX_LINES))
    total = quantity + (held["q"] if held else 0)
    if total > MAX_QUANTITY:
        raise CatalogError(_("You can give at most %(most)d of one item.", most=MAX_QUANTITY))
    _check_quantity(item, total)
    # A price seen earlier is kept: the change stays announced until the buyer proceeds.
    entries[key] = {"q": total, "p": held["p"] if held and held["p"] else item.price_cents}
    return entries


def set_quantity(stored, item_id, quantity):
    """Set an item's quantity (0 removes it); CatalogError for a bad quantity; return the new dict."""
    entries = _entries(stored)
    key = _item_key(item_id)
    if key not in entries:
        raise CatalogError(_("That item is not in your cart."))
    if _whole(quantity) is not None and quantity == 0:
        del entries[key]
        return entries
    entries[key] = {"q": _check_quantity(_offered_item(key), quantity), "p": entries[key]["p"]}
    return entries


def remove_item(stored, item_id):
    """Remove an item; return the new dict."""
    entries = _entries(stored)
    key = _item_key(item_id)
    if key not in entries:
        raise CatalogError(_("That item is not in your cart."))
    del entries[key]
    return entries


def acknowledge_prices(stored, cart):
    """Record the current prices as seen (after the buyer was told); return the new dict."""
    entries = _entries(stored)
    # Items gone from the cart were announced too: they leave the session with the old prices.
    return {
        str(line.item.id): {"q": entries[str(line.item.id)]["q"], "p": line.unit_price_cents}
        for line in cart.lines
        if str(line.item.id) in entries
    }


def units_in(stored):
    """Return how many units the stored dict holds (for a "your cart" link; no database read)."""
    return sum(entry["q"] for entry in _entries(stored).values())
