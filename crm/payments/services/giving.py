"""The donation form's one use case: the gift, and the news the donor asked for with it."""

from crm.payments.services.donations import start_donation
from crm.supporters.services.signups import sign_up_for_newsletter


def give(request, visit, newsletter_consent=None, now=None):
    """Start the gift; sign the donor up for news when they ticked the box (kept even if the card fails).

    Return a GiftStarted; raise what start_donation raises.
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
    return start_donation(request, now=now)
