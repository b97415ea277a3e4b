"""The gift form's one use case: the gift, and the news the donor asked for with it."""

from crm.payments.services.donations import start_donation
from crm.supporters.services.signups import sign_up_for_newsletter


def give(request, visit, newsletter_consent=None, now=None, on_started=None):
    """Start the gift; sign the donor up for news when they ticked the box (kept even if the card fails).

    `on_started(donation, now)` (now may be None) runs once the gift is started (paid, or waiting
    for 3-D Secure) in the same transaction, so what a higher feature records about it (a
    fundraiser page's credit) is committed with the gift or not at all; a declined card never
    starts. Return a GiftStarted;
    raise what start_donation raises.
    """
    if newsletter_consent is not None:
        sign_up_for_newsletter(
            visit,
            request.email,
            first_name=request.donor.get("first_name", ""),
            language=request.donor.get("language") or visit.language,
            consent=newsletter_consent,
            now=now,
        )
    started = start_donation(request, now=now)
    if on_started is not None:
        on_started(started.donation, now)
    return started
