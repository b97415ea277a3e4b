"""The catalog's tables in the personal-data registry (see crm.personal).

An order keeps its lines, amounts and dates for the books; the buyer's name and address, the
honourees' names and addresses and the card messages go, and cards not yet sent are cancelled.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from crm.catalog.models import HonourCard, Order
from crm.catalog.services.cards import sync_card_status
from crm.payments.personal import CONTACT_FIELDS
from crm.personal import ERASED, PersonalData, blank, child_rows, plain_row, register
from crm.supporters.visits import ATTRIBUTION_FIELDS

# RFC 2606 reserves .invalid: no mail can ever reach it.
ERASED_ADDRESS = "erased@erased.invalid"


def _gather_orders(orders, person):
    for order in orders:
        person.add_emails(order.email)
        person.add_secrets(*(getattr(order, name) for name in CONTACT_FIELDS), order.full_name)
        person.subjects.add(f"order:{order.id}")


def _erase_orders(orders, person):
    for order in orders:
        blank(order, CONTACT_FIELDS)
        blank(order, (*ATTRIBUTION_FIELDS, "failure_message"), person.scrub)


def _export_orders(orders):
    return [
        {
            **plain_row(order),
            "lines": [plain_row(line) for line in order.lines],
            "cards": [plain_row(card) for card in order.cards],
        }
        for order in orders
    ]


register(
    PersonalData(
        "gift_orders",
        Order,
        gather=_gather_orders,
        erase=_erase_orders,
        export=_export_orders,
        kept="What was bought, the amounts and dates, for the books; no name or address.",
        label=_l("Catalog orders: %(n)d"),
        erasing=lambda n: ngettext(
            "remove the name and address from %(num)d catalog order, and the honourees and messages of its cards;",
            "remove the name and address from %(num)d catalog orders, and the honourees and messages of their cards;",
            n,
        ),
    )
)


def _gather_cards(cards, person):
    for card in cards:
        # The honouree is someone else: their name and address are scrubbed, not suppressed.
        person.add_secrets(card.honouree_name, card.honouree_email)
        person.subjects.add(f"card:{card.id}")


def _erase_cards(cards, person):
    for order in {card.order for card in cards}:
        sync_card_status(order)  # a card whose email has left was sent, not cancelled
    for card in cards:
        card.honouree_name = ERASED
        card.message = ERASED
        if card.honouree_email:
            card.honouree_email = ERASED_ADDRESS  # an e-card must keep an address (a reserved, dead one)
        if card.status == "scheduled":
            card.status = "cancelled"


register(
    PersonalData(
        "honour_cards",
        HonourCard,
        rows=child_rows(HonourCard, Order, HonourCard.order_id),
        merge="follows",
        gather=_gather_cards,
        erase=_erase_cards,
        exported=False,  # inside their order
        kept="That a card was sent, and when; cards not yet sent are cancelled.",
    )
)
