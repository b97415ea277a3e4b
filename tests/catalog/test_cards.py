"""Honour cards: due on their date in the charity's calendar, sent again by staff, printed in the buyer's language."""

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest

from crm.catalog.models import HonourCard, Order
from crm.catalog.services import CatalogError
from crm.catalog.services.cards import build_cards_pdf, due_at, resend_card, sync_card_status
from crm.catalog.services.cart import read_cart
from crm.catalog.services.checkout import CardRequest, CheckoutRequest, card_dates, place_order
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from tests import factories
from tests.payments.helpers import card_token


@pytest.fixture
def app(make_app):
    return make_app(MAIL_RATE_PER_MINUTE=0)


def paid_order(app, localstripe, cards, language="en"):
    """Pay an order of one item with these cards through the checkout service; return its id."""
    with app.test_request_context("/catalog/checkout"):
        item = factories.item("school-kit", 3500, name_fr="Trousse scolaire")
        today = card_dates()[0]
        request = CheckoutRequest(
            email="buyer@example.org",
            card_token=card_token(localstripe),
            donor={"first_name": "Élise", "last_name": "Côté", "language": language},
            cards=[CardRequest(deliver_on=today + timedelta(days=days), **card) for days, card in cards],
        )
        order = place_order(read_cart({str(item.id): {"q": 2, "p": 3500}}), request).order
        db.session.commit()
        return order.id


def test_an_ecard_is_due_at_the_start_of_its_day_in_the_charitys_time_zone(app):
    with app.app_context():
        card = HonourCard(deliver_on=date(2026, 7, 1))
        early = datetime(2026, 6, 1, tzinfo=UTC)
        assert due_at(card, early) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # midnight in Toronto (EDT)
        late = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
        assert due_at(card, late) == late


def test_resend_queues_the_card_again_and_refuses_printed_or_cancelled_cards(app, localstripe, smtp_sink):
    order_id = paid_order(
        app,
        localstripe,
        [
            (0, {"honouree_name": "Ana", "delivery": "email", "honouree_email": "ana@example.org"}),
            (0, {"honouree_name": "Bo", "delivery": "print"}),
            (30, {"honouree_name": "Cy", "delivery": "email", "honouree_email": "cy@example.org"}),
        ],
    )
    with app.app_context():
        ana, bo, cy = db.session.get(Order, order_id).cards
        assert send_due().sent == 2  # the confirmation and Ana's card; Cy's waits for its day
        sync_card_status(db.session.get(Order, order_id))
        assert (ana.status, ana.sent_at is not None, cy.status) == ("sent", True, "scheduled")
        first = ana.email_id
        again = resend_card(ana)
        assert again.id != first and again.status == "queued" and ana.email_id == again.id
        # Not sent yet: sending it again moves it to now rather than queueing it twice.
        waiting = db.session.get(OutboundEmail, cy.email_id)
        assert resend_card(cy).id == waiting.id and waiting.due_at <= datetime.now(UTC)
        with pytest.raises(CatalogError):
            resend_card(bo)
        cy.status = "cancelled"
        with pytest.raises(CatalogError):
            resend_card(cy)
        db.session.commit()
        assert send_due().sent == 2
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_sink.parsed()) == [
        "ana@example.org",
        "ana@example.org",
        "buyer@example.org",
        "cy@example.org",
    ]


def test_the_printable_cards_are_in_the_buyers_language_without_prices(app, localstripe):
    order_id = paid_order(
        app,
        localstripe,
        [(0, {"honouree_name": "Zoé", "delivery": "print", "message": "Pour toi, avec amour"})],
        language="fr",
    )
    with app.app_context():
        pdf = build_cards_pdf(db.session.get(Order, order_id))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Un don en votre honneur" in text and "Zoé" in text and "Trousse scolaire" in text
    assert "Pour toi, avec amour" in text and "$" not in text and "35" not in text
