"""Official donation receipts: serials without gaps, frozen PDFs, cancel-and-replace.

(Stub with the agreed interface: the receipts slice fills these in.)
"""


class ReceiptError(Exception):
    """A receipt cannot be issued or changed; `str(error)` is safe to show to staff."""


def issue_receipt(donations, now=None, replaces=None, kind="single"):
    """Issue one receipt for these succeeded gifts (one donor) and return it, or None where none is due.

    None when the gifts are not receiptable: advantage over 80%, nothing eligible left, or (by
    configuration) a monthly gift that waits for the annual receipt. Allocates the next serial of
    the year in the caller's transaction, renders and stores the frozen PDF. Flushes, never commits.
    """
    return None


def current_receipt(donation):
    """Return the issued (not cancelled) receipt that covers this gift, or None."""
    return None


def cancel_receipt(receipt, reason, now=None):
    """Mark the receipt cancelled (kept, never deleted); return it."""
    return receipt


def replace_receipt(receipt, reason, now=None):
    """Cancel the receipt and issue a new one for its gifts as they are now, citing the old serial.

    Return the new Receipt, or None when nothing is left to receipt (a full refund).
    """
    return None


def adjust_after_refund(donation, now=None):
    """After a refund of this gift: cancel its receipt, and replace it for what is left (partial refund)."""


def issue_annual_receipts(year, now=None):
    """Issue one consolidated receipt per monthly donor for the year's unreceipted gifts; return them."""
    return []


def receipt_download_url(receipt, external=True):
    """Return the signed link to download this receipt's frozen PDF (no login needed)."""
    return ""
