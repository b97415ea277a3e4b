"""Helpers for checkout tests: a cart in the session, the checkout form as the page shows it, orders."""

import re
from html import unescape

from crm.catalog.models import Item, Order
from crm.extensions import db
from crm.payments.models import Donation
from tests.helpers import CSRF_RE

CHECKOUT = "/catalog/checkout"
HIDDEN_RE = re.compile(r'<input[^>]*?name="([^"]+)"[^>]*?type="hidden"[^>]*?value="([^"]*)"')
HIDDEN_RE_2 = re.compile(r'<input[^>]*?type="hidden"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"')


def fill_cart(app, client, quantities):
    """Put {item id: quantity} in the client's cart, at the items' current prices."""
    with app.app_context():
        prices = {item_id: db.session.get(Item, item_id).price_cents for item_id in quantities}
    with client.session_transaction() as session:
        session["cart"] = {str(item_id): {"q": q, "p": prices[item_id]} for item_id, q in quantities.items()}


def shown_form(client):
    """GET the checkout page; return (page text, its hidden fields)."""
    page = client.get(CHECKOUT, headers={"Accept-Language": "en"}).get_data(as_text=True)
    hidden = {name: unescape(value) for name, value in HIDDEN_RE.findall(page) + HIDDEN_RE_2.findall(page)}
    token = CSRF_RE.search(page)
    if token:
        hidden["csrf_token"] = token.group(1)
    return page, hidden


def buyer(token, **overrides):
    data = {
        "first_name": "Élise",
        "last_name": "Côté",
        "email": "elise@example.org",
        "address_line1": "1 rue Principale",
        "city": "Montréal",
        "region": "QC",
        "postal_code": "H2X 1Y4",
        "country": "CA",
        "language": "en",
        "card_token": token,
    }
    data.update(overrides)
    return data


def card_fields(index, name, delivery="email", email="", message="", date=""):
    prefix = f"cards-{index}-"
    return {
        f"{prefix}honouree_name": name,
        f"{prefix}delivery": delivery,
        f"{prefix}honouree_email": email,
        f"{prefix}message": message,
        f"{prefix}deliver_on": date,
    }


def check_out(client, token, cards=None, replace=None, **overrides):
    """Check out the client's cart as the page shows it, with `cards` fields; return the response."""
    _page, hidden = shown_form(client)
    data = {**hidden, **buyer(token, **overrides), **(cards or {})}
    data.update(replace or {})
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(CHECKOUT, data=data, headers={"Accept-Language": "en"})


def orders(app):
    with app.app_context():
        return db.session.scalars(db.select(Order).order_by(Order.id)).all()


def reserved(app, item_id):
    with app.app_context():
        return db.session.get(Item, item_id).reserved_count


def donation_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Donation))
