"""Every naughty string as an honouree's name and message: safe on the page, in both email parts, in the PDF."""

import io
from html.parser import HTMLParser

import pypdf
import pytest
from markupsafe import escape

from crm.catalog.models import Order
from crm.catalog.services.cart import read_cart
from crm.catalog.services.checkout import CardRequest, CheckoutRequest, card_dates, place_order
from crm.extensions import db
from crm.forms import clean_line, clean_text
from crm.mail.services.delivery import send_due
from tests.blns import STRINGS
from tests.payments.helpers import card_token

PER_ORDER = 130
EMAIL_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "p", "br", "a"}


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def flat(text):
    return " ".join(text.split())


def naughty_cards():
    """Return (name, message) pairs as the checkout form would keep them (control characters dropped)."""
    pairs = []
    for n, value in enumerate(STRINGS):
        name = clean_line(value)[:200] or f"Person {n}"
        pairs.append((name, clean_text(value) or ""))
    return pairs


def place(app, localstripe, item_id, cards, n):
    with app.test_request_context("/catalog/checkout"):
        today = card_dates()[0]
        cart = read_cart({str(item_id): {"q": 1, "p": 2500}})
        request = CheckoutRequest(
            email=f"buyer{n}@example.org",
            card_token=card_token(localstripe),
            donor={"first_name": "Élise", "last_name": "Côté", "language": "fr" if n % 2 else "en"},
            cards=[
                CardRequest(name, "email", today, honouree_email=f"h{n}-{k}@example.org", message=message)
                for k, (name, message) in enumerate(cards)
            ],
        )
        started = place_order(cart, request)
        db.session.commit()
        assert started.order.status == "paid"
        return started.order.token


def test_every_naughty_string_is_safe_on_the_page_in_the_email_and_in_the_pdf(
    app, client, localstripe, smtp_sink, make_item
):
    with app.app_context():
        item = make_item("a-night-of-shelter", 2500)
        db.session.commit()
        item_id = item.id
    pairs = naughty_cards()
    batches = [pairs[start : start + PER_ORDER] for start in range(0, len(pairs), PER_ORDER)]
    tokens = [place(app, localstripe, item_id, batch, n) for n, batch in enumerate(batches)]

    for token, batch in zip(tokens, batches, strict=True):
        response = client.get(f"/catalog/orders/{token}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        for name, message in batch:
            assert str(escape(name)) in page
            assert str(escape(message)) in page
        pdf = client.get(f"/catalog/orders/{token}/cards.pdf")
        assert pdf.status_code == 200
        assert len(pypdf.PdfReader(io.BytesIO(pdf.data)).pages) >= len(batch)

    with app.app_context():
        while send_due(limit=200).sent:
            pass
        assert db.session.scalar(db.select(db.func.count()).select_from(Order).filter_by(status="paid")) == len(tokens)
    messages = smtp_sink.parsed()
    assert len(messages) == len(pairs) + len(tokens)
    ecards = {m["To"].addresses[0].addr_spec: m for m in messages if m["To"].addresses[0].addr_spec.startswith("h")}
    for n, batch in enumerate(batches):
        for k, (name, message) in enumerate(batch):
            ecard = ecards[f"h{n}-{k}@example.org"]
            text = flat(ecard.get_body(("plain",)).get_content())
            assert flat(name) in text and flat(message) in text
            parser = Tags()
            parser.feed(ecard.get_body(("html",)).get_content())
            assert parser.tags <= EMAIL_TAGS, (name, parser.tags - EMAIL_TAGS)
