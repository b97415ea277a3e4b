"""An official donation receipt (CRA) as PDF bytes, in English or French.

The wording is data, not gettext strings: it is the legal text of the receipt, fixed per
language, and must not change with a translation catalog once a receipt is issued.
"""

from datetime import UTC

from babel.dates import format_date
from fpdf.enums import XPos, YPos

from crm.money import format_money
from crm.pdf import new_document

TEXT = {
    "en": {
        "title": "Official receipt for income tax purposes",
        "registration": "Charitable registration number: {number}",
        "serial": "Receipt no.: {serial}",
        "replaces": "This receipt replaces receipt no. {serial}, which is cancelled.",
        "location": "Place of issue: {location}",
        "issued": "Date of issue: {date}",
        "received": "Date the gift was received: {date}",
        "received_range": "Dates the gifts were received: {first} to {last}",
        "donor": "Donor",
        "amount": "Total amount of the gift: {amount}",
        "advantage": "Amount of the advantage: {amount}",
        "advantage_description": "Description of the advantage: {description}",
        "no_advantage": "none",
        "eligible": "Eligible amount of the gift for tax purposes: {amount}",
        "annual": "Annual receipt for the monthly gifts received in {year}.",
        "signature": "Authorized signature",
        "cra": "Canada Revenue Agency: canada.ca/charities-giving",
        "thanks": "Thank you for your generosity.",
    },
    "fr": {
        "title": "Reçu officiel aux fins de l'impôt sur le revenu",
        "registration": "Numéro d'enregistrement de l'organisme de bienfaisance : {number}",
        "serial": "Numéro de reçu : {serial}",
        "replaces": "Ce reçu remplace le reçu no {serial}, qui est annulé.",
        "location": "Lieu de délivrance : {location}",
        "issued": "Date de délivrance : {date}",
        "received": "Date de réception du don : {date}",
        "received_range": "Dates de réception des dons : du {first} au {last}",
        "donor": "Donateur",
        "amount": "Montant total du don : {amount}",
        "advantage": "Montant de l'avantage : {amount}",
        "advantage_description": "Description de l'avantage : {description}",
        "no_advantage": "aucun",
        "eligible": "Montant admissible du don aux fins de l'impôt : {amount}",
        "annual": "Reçu annuel pour les dons mensuels reçus en {year}.",
        "signature": "Signature autorisée",
        "cra": "Agence du revenu du Canada : canada.ca/organismes-bienfaisance-dons",
        "thanks": "Merci de votre générosité.",
    },
}


def receipt_text(language):
    """Return the receipt's wording in this language (English for any other)."""
    return TEXT.get(language, TEXT["en"])


def _locale(language, territory):
    return f"{'fr' if language == 'fr' else 'en'}_{territory}"


def build_receipt_pdf(receipt, charity, territory="CA", zone=UTC):
    """Return the receipt as PDF bytes; `charity` holds name, address, registration, location, signatory.

    Dates are those of `zone`, the charity's time zone.

    The same receipt and settings give the same bytes (the creation date is the date of issue).
    """
    text = receipt_text(receipt.language)
    locale = _locale(receipt.language, territory)

    def day(value):
        return format_date(value, format="long", locale=locale)

    def money(cents):
        return format_money(cents, receipt.currency, locale)

    issued_at = receipt.issued_at
    lang = "fr-CA" if receipt.language == "fr" else "en-CA"
    title = f"{text['title']} {receipt.serial}"
    pdf = new_document(title, lang, charity["name"], created=issued_at, margins=(20, 18, 20), bottom=18)
    pdf.add_page()

    def line(value, size=10.5, bold=False, gap=5.5):
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, gap, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_text_color(29, 78, 137)
    line(text["title"], size=16, bold=True, gap=8)
    pdf.set_text_color(27, 31, 36)
    pdf.ln(2)
    line(charity["name"], size=12, bold=True, gap=6)
    if charity["address"]:
        line(charity["address"])
    line(text["registration"].format(number=charity["registration"]))
    pdf.ln(4)

    line(text["serial"].format(serial=receipt.serial), size=12, bold=True, gap=6)
    if receipt.replaces is not None:
        line(text["replaces"].format(serial=receipt.replaces.serial), bold=True)
    line(text["location"].format(location=charity["location"]))
    line(text["issued"].format(date=day(issued_at.astimezone(zone).date())))
    if receipt.kind == "annual":
        line(text["annual"].format(year=receipt.received_on.year))
        first, last = day(receipt.received_on), day(receipt.received_until or receipt.received_on)
        line(text["received_range"].format(first=first, last=last))
    else:
        line(text["received"].format(date=day(receipt.received_on)))
    pdf.ln(4)

    line(text["donor"], bold=True)
    line(receipt.donor_name)
    if receipt.donor_address:
        line(receipt.donor_address)
    pdf.ln(4)

    line(text["amount"].format(amount=money(receipt.amount_cents)))
    line(text["advantage"].format(amount=money(receipt.advantage_cents)))
    description = receipt.advantage_description if receipt.advantage_cents else text["no_advantage"]
    line(text["advantage_description"].format(description=description or text["no_advantage"]))
    line(text["eligible"].format(amount=money(receipt.eligible_cents)), size=12, bold=True, gap=7)
    pdf.ln(10)

    # The authorised signature: the signatory's name above the line, as for an electronic receipt.
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(90, 7, charity["signatory"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 90, pdf.get_y())
    pdf.ln(1)
    line(text["signature"], size=9, gap=5)
    pdf.ln(8)

    line(text["cra"], size=10)
    pdf.ln(2)
    line(text["thanks"], size=10)
    return bytes(pdf.output())
