"""A receipt's signed download link, and the receipt attached to an email (the one that stands now)."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from crm.extensions import db
from crm.links import site_url
from crm.mail.services.attachments import register_attachment
from crm.payments.models import Receipt

TOKEN_SALT = "receipt-download"  # noqa: S105  (a salt that separates link kinds, not a secret)


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def make_receipt_token(receipt):
    """Return the signed token of a receipt's download link."""
    return _serializer().dumps(receipt.id)


def receipt_from_token(token):
    """Return the receipt a download token names, or None for a bad or tampered token."""
    try:
        receipt_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(receipt_id, int) or isinstance(receipt_id, bool):
        return None
    return db.session.get(Receipt, receipt_id)


def receipt_download_url(receipt, external=True):
    """Return the signed link to download this receipt's frozen PDF (no login needed)."""
    return site_url("payments.receipt_download", external=external, token=make_receipt_token(receipt))


def receipt_email_context(receipt):
    """Return what an email needs to carry this receipt: the PDF attached, its serial and its link."""
    return {
        "attachments": ["receipt_pdf"],
        "receipt_id": receipt.id,
        "receipt_serial": receipt.serial,
        "receipt_url": receipt_download_url(receipt),
    }


def receipt_filename(receipt):
    """Return the download's file name, in the receipt's language."""
    return f"{'recu' if receipt.language == 'fr' else 'receipt'}-{receipt.serial}.pdf"


def latest_version(receipt):
    """Return the receipt that stands for this one now: itself, or the replacement of its replacement..."""
    while receipt is not None and receipt.status == "cancelled":
        receipt = db.session.scalar(db.select(Receipt).filter_by(replaces_id=receipt.id))
    return receipt


def _receipt_attachment(email):
    # A receipt replaced before the email went out: attach the one that stands now, if any.
    receipt = latest_version(db.session.get(Receipt, (email.context or {}).get("receipt_id")))
    if receipt is None:
        return None
    return receipt_filename(receipt), receipt.pdf, "application", "pdf"


register_attachment("receipt_pdf", _receipt_attachment)
