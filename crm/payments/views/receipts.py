"""Receipts for donors: the signed download link of a receipt's frozen PDF (no login needed)."""

from flask import abort
from flask_babel import gettext as _

from crm.accounts.access import public
from crm.errors import render_error
from crm.i18n import speak_to
from crm.payments.services.receipt_links import receipt_download_url, receipt_filename, receipt_from_token
from crm.payments.services.receipts import current_receipt
from crm.payments.views import bp


@bp.route("/receipts/<token>")
@public
def receipt_download(token):
    receipt = receipt_from_token(token[:200])
    if receipt is None:
        abort(404)
    speak_to(receipt.supporter.language, receipt.language)  # the donor's language, not their browser's
    if receipt.status != "issued":
        return render_error(
            410, _("Receipt cancelled"), _("This receipt was cancelled. Use the receipt that replaces it.")
        )
    headers = {
        "Content-Disposition": f'attachment; filename="{receipt_filename(receipt)}"',
        # A personal document: browsers keep it, shared caches do not.
        "Cache-Control": "private, max-age=3600",
        "X-Robots-Tag": "noindex",
    }
    return receipt.pdf, 200, {**headers, "Content-Type": "application/pdf"}


@bp.app_template_global("receipt_link")
def receipt_link(donation):
    """Return the download link of the gift's current receipt, or "" (for the thank-you page)."""
    receipt = current_receipt(donation)
    return receipt_download_url(receipt, external=False) if receipt is not None else ""
