"""The payments feature's tables in the personal-data registry (see crm.personal).

Gifts, monthly gifts and refunds keep their amounts, dates and Stripe ids for the books and
lose the donor's name, address and words. Official receipts are kept as issued: the Canada
Revenue Agency requires a copy of each for two years after the end of the calendar year of
the gift it covers.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import or_, select, union

from crm.payments import gateway
from crm.payments.models import Donation, Receipt, RecurringGift, Refund, StripeEvent
from crm.payments.services import DonationError
from crm.personal import PersonalData, blank, child_rows, plain_row, register, scrub_strings
from crm.supporters.visits import ATTRIBUTION_FIELDS

CONTACT_FIELDS = ("first_name", "last_name", "email", "address_line1", "city", "region", "postal_code")
DONOR_TEXT = ("wall_name", "message", "tribute_name", "tribute_notify_email", "tribute_note")


def _at_stripe(work):
    """Run `work` at Stripe before anything is erased: an unreachable Stripe refuses the erasure."""
    try:
        work()
    except gateway.GatewayError as error:
        raise DonationError(str(error)) from error


def _forget_customers(rows, person):
    """Blank the donor's name and email on their Stripe Customers."""
    customers = sorted({row.stripe_customer_id for row in rows} - {""})
    _at_stripe(lambda: [gateway.forget_customer(customer_id) for customer_id in customers])


def _gather_donors(rows, person, kind):
    for row in rows:
        person.add_emails(row.email)
        person.add_secrets(*(getattr(row, name) for name in (*CONTACT_FIELDS, "wall_name", "tribute_name")))
        person.add_secrets(row.full_name, row.tribute_notify_email)  # someone else's address: scrubbed, not suppressed
        person.subjects.add(f"{kind}:{row.id}")


def _erase_donors(rows, person):
    for row in rows:
        blank(row, (*CONTACT_FIELDS, *DONOR_TEXT))
        row.show_on_wall = False
        row.tribute_kind = ""
        blank(row, (*ATTRIBUTION_FIELDS, "failure_message"), person.scrub)


def _gather_donations(donations, person):
    _gather_donors(donations, person, "donation")
    for donation in donations:
        # An imported gift's soft credit names someone else: scrubbed with the gift, never suppressed.
        person.add_secrets(donation.offline_reference, donation.soft_credit_name, donation.soft_credit_email)


def _erase_donations(donations, person):
    _erase_donors(donations, person)
    for donation in donations:
        donation.advantage_description = person.scrub(donation.advantage_description)
        donation.offline_reference = person.scrub(donation.offline_reference)
        blank(donation, ("soft_credit_name", "soft_credit_email"))


def _export_donations(donations):
    return [{**plain_row(donation), "refunds": [plain_row(r) for r in donation.refunds]} for donation in donations]


register(
    PersonalData(
        "donations",
        Donation,
        gather=_gather_donations,
        before_erase=_forget_customers,
        erase=_erase_donations,
        export=_export_donations,
        kept="Amount, currency, status, dates and Stripe ids, for the books; no name, address or message.",
        label=_l("Gifts: %(n)d"),
        erasing=lambda n: ngettext(
            "remove the name, address, message and tribute from %(num)d gift, keeping its amount for the books;",
            "remove the name, address, message and tribute from %(num)d gifts, keeping their amounts for the books;",
            n,
        ),
    )
)


def _erase_refunds(refunds, person):
    for refund in refunds:
        refund.reason = person.scrub(refund.reason)


register(
    PersonalData(
        "refunds",
        Refund,
        rows=child_rows(Refund, Donation, Refund.donation_id),
        merge="follows",
        erase=_erase_refunds,
        exported=False,  # inside their gift
        kept="Amount, status, dates and Stripe ids, for the books; the reason's personal words are scrubbed.",
    )
)


def _gather_plans(gifts, person):
    _gather_donors(gifts, person, "recurring")


def _stop_charging(gifts, person):
    """Cancel every open monthly gift at Stripe, then blank its Customer."""
    open_plans = [gift.stripe_subscription_id for gift in gifts if not gift.is_cancelled]
    _at_stripe(lambda: [gateway.cancel_subscription(plan) for plan in open_plans if plan])
    _forget_customers(gifts, person)


def _erase_plans(gifts, person):
    _erase_donors(gifts, person)
    for gift in gifts:
        if not gift.is_cancelled:
            gift.cancel(person.now)


register(
    PersonalData(
        "recurring_gifts",
        RecurringGift,
        gather=_gather_plans,
        before_erase=_stop_charging,
        erase=_erase_plans,
        kept="Amount and dates; the plan is cancelled at Stripe first, so nothing more is charged.",
        label=_l("Monthly gifts: %(n)d"),
        erasing=lambda n: ngettext(
            "cancel %(num)d monthly gift at Stripe, so nothing more is charged;",
            "cancel %(num)d monthly gifts at Stripe, so nothing more is charged;",
            n,
        ),
    )
)


register(
    PersonalData(
        "receipts",
        Receipt,
        export=lambda receipts: [plain_row(receipt, skip=("pdf",)) for receipt in receipts],
        kept="Kept as issued, name and address included: the CRA requires a copy of each official receipt "
        "for two years after the end of the calendar year of the gift.",
        label=_l("Official receipts: %(n)d"),
        erasing=lambda n: ngettext(
            "keep %(num)d official receipt as issued, as the Canada Revenue Agency requires;",
            "keep %(num)d official receipts as issued, as the Canada Revenue Agency requires;",
            n,
        ),
    )
)


def _stripe_ids(person):
    """The Stripe ids of the person's gifts and plans: what their webhook events are about."""
    columns = (
        (Donation, Donation.stripe_payment_intent_id),
        (Donation, Donation.stripe_invoice_id),
        (Donation, Donation.stripe_charge_id),
        (Donation, Donation.stripe_customer_id),
        (RecurringGift, RecurringGift.stripe_subscription_id),
        (RecurringGift, RecurringGift.stripe_customer_id),
    )
    return union(
        *(
            select(column).where(model.supporter_id.in_(person.ids), column.is_not(None), column != "")
            for model, column in columns
        )
    )


def _event_rows(person):
    known = select(_stripe_ids(person).subquery().c[0])
    return (
        select(StripeEvent)
        .where(or_(StripeEvent.payment_intent_id.in_(known), StripeEvent.object_id.in_(known)))
        .order_by(StripeEvent.id)
    )


def _erase_events(events, person):
    for event in events:
        event.payload = scrub_strings(event.payload or {}, person.scrub)


register(
    PersonalData(
        "stripe_events",
        StripeEvent,
        rows=_event_rows,
        merge="none",
        erase=_erase_events,
        exported=False,  # Stripe's own notices: the gifts they recorded are in the export
        kept="Stripe's notices stay for reconciliation, with the person's name and address scrubbed out.",
    )
)
