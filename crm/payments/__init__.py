"""Donations through Stripe: the gift form, fulfilment and webhooks."""
