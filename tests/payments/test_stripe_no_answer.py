"""Stripe did a payment call but its answer never came (a timeout, a dropped connection).

The donor reads that the payment service is unavailable and to try again; the form keeps its key,
so trying again sends the same idempotency keys: Stripe gives back what it did, and the card is
charged once. (With a new key, as the form had after any error, the second try charged again.)
"""

import html

import pytest

from crm.payments.models import RecurringGift
from tests.fundraising.test_give import GIVE, make_page
from tests.payments.helpers import count, donations
from tests.payments.test_double_submit import DONATE, at_stripe, filled, hidden_fields, new_email, rendered


def _unanswered(app, stripe_calls, localstripe, kind):
    """Post a gift form whose creating Stripe call is done but never answered; (client, data, page, charged)."""
    url = GIVE if kind == "page" else DONATE
    if kind == "page":
        make_page(app)
    fields = {"frequency": "monthly"} if kind == "monthly" else {"amount": "4000"} if kind == "page" else {}
    stripe_calls.unanswered.append(CREATING[kind])
    client = app.test_client()
    hidden = rendered(client, url)
    data = filled(hidden, localstripe, new_email(), **fields)
    answer = client.post(url, data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, page
    assert "payment service is unavailable" in html.unescape(page)
    assert hidden_fields(page)["submission_key"] == hidden["submission_key"], "the same payment, not a new one"
    charged = at_stripe(localstripe, data["email"])
    assert len(charged[2] if kind == "monthly" else charged[1]) == 1, "Stripe did it"
    return client, url, data, page, charged


CREATING = {"one_time": "/v1/payment_intents", "monthly": "/v1/subscriptions", "page": "/v1/payment_intents"}


@pytest.mark.parametrize("kind", ["one_time", "monthly", "page"])
def test_a_payment_stripe_did_without_answering_is_charged_once_when_the_form_is_sent_again(
    behind_stripe, stripe_calls, localstripe, kind
):
    client, url, data, page, charged = _unanswered(behind_stripe, stripe_calls, localstripe, kind)
    again = client.post(url, data={**data, **hidden_fields(page)})  # sent again as it was
    assert again.status_code == 302, again.get_data(as_text=True)
    assert at_stripe(localstripe, data["email"]) == charged, "nothing more charged"
    assert CREATING[kind] in {path for path, _key in stripe_calls.replayed}, "Stripe's saved answer"
    [donation] = [d for d in donations(behind_stripe) if d.email == data["email"]]
    assert donation.status == "succeeded"
    if kind == "monthly":
        assert count(behind_stripe, RecurringGift, email=data["email"], status="active") == 1


def test_with_the_card_typed_again_it_is_refused_as_a_payment_that_may_have_gone_through(
    behind_stripe, stripe_calls, localstripe
):
    client, url, data, page, charged = _unanswered(behind_stripe, stripe_calls, localstripe, "one_time")
    retyped = filled(hidden_fields(page), localstripe, data["email"])  # a new card token: other parameters
    answer = client.post(url, data=retyped)
    assert answer.status_code == 400
    assert "that payment may have gone through" in html.unescape(answer.get_data(as_text=True))
    assert at_stripe(localstripe, data["email"]) == charged, "never a second charge"
