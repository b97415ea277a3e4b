"""Cards in someone's honour: the e-card emailed on its date, the printable PDF, sending one again.

A card shows the gift and the buyer's message, never the price.
"""

from datetime import UTC, datetime, time

from babel.dates import format_date
from flask import current_app
from flask_babel import gettext as _
from fpdf.enums import XPos, YPos

from crm.catalog.services import CatalogError
from crm.extensions import db
from crm.i18n import money_locale
from crm.mail.models import OutboundEmail
from crm.mail.services.outbox import enqueue_email
from crm.payments.services.receipts import receipt_zone
from crm.pdf import new_document, printable
from crm.utc import utcnow

# The printed card's words are data, like the receipt's: fixed per language.
TEXT = {
    "en": {
        "title": "A gift in your honour",
        "for": "For {name}",
        "given": "{buyer} has made a gift to {charity} in your honour:",
        "given_anonymous": "A gift has been made to {charity} in your honour:",
        "message": "Their message:",
        "date": "{date}",
        "thanks": "This gift helps protect children from exploitation.",
    },
    "fr": {
        "title": "Un don en votre honneur",
        "for": "Pour {name}",
        "given": "{buyer} a fait un don à {charity} en votre honneur :",
        "given_anonymous": "Un don a été fait à {charity} en votre honneur :",
        "message": "Son message :",
        "date": "{date}",
        "thanks": "Ce don aide à protéger les enfants contre l'exploitation.",
    },
}


def _language(order):
    return "fr" if order.language == "fr" else "en"


def card_gifts(card):
    """Return what the card honours, one line per item, without any price."""
    lines = [card.line] if card.line is not None else list(card.order.lines)
    return "\n".join(f"{line.quantity} × {line.name}" for line in lines)


def due_at(card, now):
    """Return when the e-card is due: the start of its delivery day in the charity's time zone, or now."""
    start = datetime.combine(card.deliver_on, time(), tzinfo=receipt_zone()).astimezone(UTC)
    return max(start, now)


def _ecard_context(card):
    order = card.order
    return {
        "honouree_name": card.honouree_name,
        "buyer_name": order.buyer_name,
        "message": card.message,
        "gifts": card_gifts(card),
    }


def _queue_ecard(card, dedupe_key, due, now):
    email = enqueue_email(
        dedupe_key,
        "honour_ecard",
        card.honouree_email,
        to_name=card.honouree_name,
        language=card.order.language,
        purpose="transactional",
        context=_ecard_context(card),
        due_at=due,
        now=now,
    )
    card.email_id = email.id
    return email


def schedule_cards(order, now=None):
    """Queue the order's e-cards, each due on its delivery date (printed cards need nothing)."""
    now = now or utcnow()
    for card in order.cards:
        if card.delivery == "email" and card.status == "scheduled" and card.email_id is None:
            _queue_ecard(card, f"honour-ecard:card:{card.id}", due_at(card, now), now)
    db.session.flush()


def resend_card(card, now=None):
    """Queue the e-card again, due now (a lost or deleted email); return the outbox row."""
    now = now or utcnow()
    if card.delivery != "email" or not card.honouree_email:
        raise CatalogError(_("This card is printed by the buyer: there is no email to send."))
    if card.status == "cancelled" or not card.order.is_paid:
        raise CatalogError(_("This card was cancelled with its order: it cannot be sent."))
    previous = db.session.get(OutboundEmail, card.email_id) if card.email_id else None
    if previous is not None and previous.status == "queued":
        previous.due_at = now  # not sent yet: send it now rather than twice
        return previous
    email = _queue_ecard(card, f"honour-ecard:card:{card.id}:again:{now.isoformat()}", now, now)
    card.status = "scheduled"
    db.session.flush()
    return email


def sync_card_status(order):
    """Mark the order's e-cards whose email has left as sent."""
    for card in order.cards:
        if card.status == "scheduled" and card.email_id:
            email = db.session.get(OutboundEmail, card.email_id)
            if email is not None and email.status == "sent":
                card.status = "sent"
                card.sent_at = email.sent_at or utcnow()


def build_cards_pdf(order):
    """Return the order's cards as PDF bytes, one page each, in the buyer's language."""
    language = _language(order)
    text = TEXT[language]
    charity = current_app.config["CHARITY_NAME"]
    locale = money_locale(language)
    lang = "fr-CA" if language == "fr" else "en-CA"
    created = order.paid_at or order.created_at
    pdf = new_document(text["title"], lang, charity, created=created, margins=(25, 25, 25))

    def line(value, size=12, bold=False, gap=7, align="C"):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, gap, printable(value), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for card in order.cards:
        pdf.add_page()
        pdf.set_draw_color(29, 78, 137)
        pdf.set_line_width(1.2)
        pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
        pdf.set_text_color(29, 78, 137)
        pdf.ln(10)
        line(text["title"], size=26, bold=True, gap=13)
        pdf.ln(6)
        pdf.set_text_color(27, 31, 36)
        line(text["for"].format(name=card.honouree_name), size=18, bold=True, gap=10)
        pdf.ln(8)
        buyer = order.buyer_name
        given = text["given"].format(buyer=buyer, charity=charity) if buyer else None
        line(given or text["given_anonymous"].format(charity=charity), size=13)
        pdf.ln(3)
        line(card_gifts(card), size=14, bold=True, gap=8)
        if card.message:
            pdf.ln(8)
            line(text["message"], size=11)
            line(card.message, size=13, gap=7)
        pdf.ln(10)
        line(text["date"].format(date=format_date(card.deliver_on, format="long", locale=locale)), size=11)
        pdf.ln(4)
        line(text["thanks"], size=11)
    return bytes(pdf.output())
