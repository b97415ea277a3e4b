"""Fundraising follows payments: a paid gift (or a monthly gift's invoice) given on a page is credited to it."""

from crm.fundraising.services.credits import announce, credit_for
from crm.payments.signals import payment_succeeded


def on_payment_succeeded(sender=None, donation=None, **extra):
    gift = credit_for(donation)
    if gift is not None:
        announce(gift, donation.succeeded_at)


def connect():
    payment_succeeded.connect(on_payment_succeeded)
