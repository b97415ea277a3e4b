"""A fundraiser's printable poster: the page's title, what it raises for, and a QR code to give."""

import io

import segno
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf.enums import XPos, YPos

from crm.pdf import new_document, printable
from crm.utc import utcnow

BRAND = (29, 78, 137)
INK = (27, 31, 36)


def build_poster_pdf(page, url):
    """Return the page's poster as PDF bytes (one Letter page) in the page's language."""
    language = page.language if page.language in current_app.config["SUPPORTED_LOCALES"] else "en"
    charity = current_app.config["CHARITY_NAME"]
    with force_locale(language):
        words = {
            "support": _("Support my fundraiser for %(charity)s", charity=charity),
            "scan": _("Scan the code with your phone's camera to give, or open:"),
            "thanks": _("Every gift helps protect children from online sexual exploitation. Thank you!"),
        }
    pdf = new_document(page.title, "fr-CA" if language == "fr" else "en-CA", charity, created=utcnow())
    pdf.set_auto_page_break(False)  # one sheet: a poster never runs onto a second page
    pdf.add_page()

    def line(value, size, bold=False, gap=None, colour=INK):
        pdf.set_text_color(*colour)
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, gap or size * 0.5, printable(value), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.ln(8)
    line(words["support"], 16, colour=BRAND)
    pdf.ln(6)
    # Shorter type for a long title, so the poster stays one page whatever was typed.
    line(page.title, 30 if len(page.title) <= 50 else 22 if len(page.title) <= 90 else 15, bold=True)
    pdf.ln(8)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=12, border=2)
    size = 100
    pdf.image(qr, x=(pdf.w - size) / 2, y=pdf.get_y(), w=size, h=size, alt_text=words["scan"])
    pdf.set_y(pdf.get_y() + size + 6)
    line(words["scan"], 13)
    line(url, 13, bold=True, gap=8, colour=BRAND)
    pdf.ln(10)
    line(words["thanks"], 12)
    return bytes(pdf.output())
