"""The cart, kept in the session as item ids and quantities; every amount is computed from the database.

(Stub with the agreed interface: the public-catalog slice fills it in.)

The session holds {"cart": {"<item id>": {"q": quantity, "p": unit price in cents when added}}}:
the price seen is kept only to tell the buyer when it has changed, never to charge it.
"""

from dataclasses import dataclass, field

SESSION_KEY = "cart"
MAX_QUANTITY = 100  # per item


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
    removed: list = field(default_factory=list)

    @property
    def total_cents(self):
        return sum(line.total_cents for line in self.lines)

    @property
    def price_changed(self):
        return any(line.price_changed for line in self.lines)


def read_cart(stored):
    """Return the Cart for the session's stored dict: current items and prices from the database."""
    raise NotImplementedError


def add_item(stored, item_id, quantity=1):
    """Add units of an active item (CatalogError for a foreign item id or a bad quantity); return the new dict."""
    raise NotImplementedError


def set_quantity(stored, item_id, quantity):
    """Set an item's quantity (0 removes it); CatalogError for a bad quantity; return the new dict."""
    raise NotImplementedError


def remove_item(stored, item_id):
    """Remove an item; return the new dict."""
    raise NotImplementedError


def acknowledge_prices(stored, cart):
    """Record the current prices as seen (after the buyer was told); return the new dict."""
    raise NotImplementedError
