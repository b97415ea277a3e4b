"""A gift form posted twice (double click, resent POST, back button) pays once, against the real localstripe.

Each rendering of /donate and of a fundraiser page's gift form carries a hidden `submission_key`:
the same rendered form posted again, one after the other or at the same moment, starts one Donation
and one PaymentIntent (or Subscription) and answers as the first post did; a freshly rendered form
is a new gift; a key that is not one we make is refused with a clear 400, and a form without one
(a page cached before the key existed) still gives, once per post.
"""

import html
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.fundraising.models import PageGift
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation, RecurringGift, receipt_donations
from crm.payments.services.reconcile import reconcile
from crm.payments.services.submissions import idempotency_key
from crm.supporters.models import Supporter
from tests.blns import SAMPLE
from tests.fundraising.test_give import GIVE, make_page
from tests.payments.helpers import (
    CARD_3DS,
    CARD_DECLINED,
    card_token,
    count,
    donations,
    fill_card,
    fill_donor,
    gift_form,
)

DONATE = "/donate"
HIDDEN_RE = re.compile(r'<input [^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')
EXPIRED = "This form has expired. Check your details and send it again."
SECRET_RE = re.compile(r'data-client-secret="([^"]+)"')


@pytest.fixture
def app(make_app, smtp_sink):
    # One visitor sends many forms here (the refused keys, the twins): the public forms' hourly
    # budget per address is tested elsewhere.
    return make_app(MAIL_RATE_PER_MINUTE=0, RATELIMIT_ENABLED=False)


def new_email():
    """A donor of this test only: localstripe keeps every test's Customers for the whole run."""
    return f"twice-{uuid.uuid4().hex[:12]}@example.org"


def rendered(client, url=DONATE):
    """GET the gift form as a browser shows it; return its hidden fields (CSRF token, submission key...)."""
    response = client.get(url)
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def hidden_fields(page):
    return {name: html.unescape(value) for name, value in HIDDEN_RE.findall(page)}


def filled(hidden, localstripe, email, number=None, **overrides):
    """The rendered form with the donor's fields and a card token from localstripe (as Stripe.js makes it)."""
    token = card_token(localstripe, number) if number else card_token(localstripe)
    return {**hidden, **gift_form(token, email=email, **overrides)}


# --- localstripe: what was made there for one donor --------------------------------------------


def _listed(localstripe, path, **params):
    """Every object of a localstripe list, page after page."""
    found, after = [], None
    while True:
        page = requests.get(
            f"{localstripe.url}/v1/{path}",
            params={"limit": 100, **params, **({"starting_after": after} if after else {})},
            auth=("sk_test_localstripe", ""),
            timeout=10,
        )
        page.raise_for_status()
        body = page.json()
        found += body["data"]
        if not body["has_more"] or not body["data"]:
            return found
        after = body["data"][-1]["id"]


def at_stripe(localstripe, email):
    """(Customers, PaymentIntents, Subscriptions) localstripe holds for the donor with this email."""
    customers = [customer["id"] for customer in _listed(localstripe, "customers", email=email)]
    intents = [intent["id"] for intent in _listed(localstripe, "payment_intents") if intent["customer"] in customers]
    subscriptions = [
        subscription["id"]
        for customer in customers
        for subscription in _listed(localstripe, "subscriptions", customer=customer, status="all")
    ]
    return customers, intents, subscriptions


def one_customer_and_intent(localstripe, email):
    customers, intents, _subscriptions = at_stripe(localstripe, email)
    assert len(customers) == 1, customers
    assert len(intents) == 1, intents
    return intents[0]


# --- the same rendered form, posted twice in a row ---------------------------------------------


def test_a_one_time_gift_form_posted_twice_gives_once_and_answers_the_same(app, client, localstripe, received):
    email = new_email()
    data = filled(rendered(client), localstripe, email)
    first = client.post(DONATE, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)
    thanks = first.headers["Location"]
    assert thanks.startswith("/donate/thanks/")
    assert client.get(thanks).status_code == 200  # the donor saw the thank-you page, then went back

    again = client.post(DONATE, data=data)
    assert again.status_code == 302, again.get_data(as_text=True)
    assert again.headers["Location"] == thanks

    [donation] = donations(app)
    assert (donation.status, donation.amount_cents, donation.email) == ("succeeded", 5000, email)
    assert one_customer_and_intent(localstripe, email) == donation.stripe_payment_intent_id
    assert received == [donation.id]  # thanked, receipted and counted once
    assert count(app, Supporter) == 1


def test_a_monthly_gift_form_posted_twice_starts_one_plan(app, client, localstripe):
    email = new_email()
    data = filled(rendered(client), localstripe, email, frequency="monthly")
    first = client.post(DONATE, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)
    again = client.post(DONATE, data=data)
    assert again.status_code == 302, again.get_data(as_text=True)
    assert again.headers["Location"] == first.headers["Location"]

    assert count(app, RecurringGift) == 1
    [donation] = donations(app)
    assert (donation.kind, donation.status) == ("monthly", "succeeded")
    customers, _intents, subscriptions = at_stripe(localstripe, email)
    assert len(customers) == 1 and len(subscriptions) == 1, (customers, subscriptions)


def test_a_fundraiser_page_gift_form_posted_twice_gives_and_credits_once(app, client, localstripe):
    make_page(app)
    email = new_email()
    data = filled(rendered(client, GIVE), localstripe, email, amount="4000")
    first = client.post(GIVE, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)
    thanks = first.headers["Location"]
    assert "/fundraisers/fay-dip/thanks/" in thanks
    again = client.post(GIVE, data=data)
    assert again.status_code == 302, again.get_data(as_text=True)
    assert again.headers["Location"] == thanks

    [donation] = donations(app)
    assert (donation.status, donation.amount_cents) == ("succeeded", 4000)
    assert count(app, PageGift) == 1  # the page counts it once
    assert one_customer_and_intent(localstripe, email) == donation.stripe_payment_intent_id


def test_a_form_posted_again_during_3d_secure_asks_for_the_same_payment(app, client, localstripe):
    email = new_email()
    data = filled(rendered(client), localstripe, email, number=CARD_3DS)
    first = client.post(DONATE, data=data)
    assert first.status_code == 200
    secret = SECRET_RE.search(first.get_data(as_text=True)).group(1)
    again = client.post(DONATE, data=data)
    assert again.status_code == 200
    assert SECRET_RE.search(again.get_data(as_text=True)).group(1) == secret  # the same PaymentIntent to confirm

    [donation] = donations(app)
    assert donation.status == "pending"
    assert one_customer_and_intent(localstripe, email) == donation.stripe_payment_intent_id
    assert secret.startswith(donation.stripe_payment_intent_id + "_secret_")


def test_a_declined_form_posted_again_is_declined_again_without_a_second_try(app, client, localstripe):
    email = new_email()
    hidden = rendered(client)
    data = filled(hidden, localstripe, email, number=CARD_DECLINED)
    answers = [client.post(DONATE, data=data) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 400
        page = answer.get_data(as_text=True)
        assert "Your card was declined" in page
        # Shown again, the form is a new attempt: it carries a new key.
        assert hidden_fields(page)["submission_key"] not in ("", hidden["submission_key"])
    [donation] = donations(app)
    assert donation.status == "failed"
    customers, intents, _subscriptions = at_stripe(localstripe, email)
    assert len(customers) == 1 and intents == []  # the card was tried once

    # The form as it came back, with another card: a new gift, paid.
    retry = filled(hidden_fields(answers[-1].get_data(as_text=True)), localstripe, email)
    paid = client.post(DONATE, data=retry)
    assert paid.status_code == 302, paid.get_data(as_text=True)
    assert [d.status for d in donations(app)] == ["failed", "succeeded"]


# --- a new rendering, no key, a key we never made ------------------------------------------------


def test_a_freshly_rendered_form_is_a_new_gift_for_the_same_donor_and_amount(app, client, localstripe):
    email = new_email()
    answers = [client.post(DONATE, data=filled(rendered(client), localstripe, email)) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0].headers["Location"] != answers[1].headers["Location"]
    first, second = donations(app)
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert first.amount_cents == second.amount_cents == 5000
    customers, intents, _subscriptions = at_stripe(localstripe, email)
    assert len(customers) == 1  # the donor's Customer is reused
    assert sorted(intents) == sorted([first.stripe_payment_intent_id, second.stripe_payment_intent_id])


def test_each_rendering_carries_a_new_well_formed_key(app, client):
    keys = {rendered(client)["submission_key"] for _ in range(3)}
    assert len(keys) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", key) for key in keys)


def test_a_form_without_a_key_still_gives_once_per_post(app, client, localstripe):
    """A page cached before the key existed, or a script: nothing tells two posts apart."""
    email = new_email()
    hidden = rendered(client)
    del hidden["submission_key"]
    answers = [client.post(DONATE, data=filled(hidden, localstripe, email)) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [302, 302], answers[0].get_data(as_text=True)
    assert [d.status for d in donations(app)] == ["succeeded", "succeeded"]
    assert len(at_stripe(localstripe, email)[1]) == 2


def _signed_elsewhere(key):
    """A well-formed key this app never made: the same random part, another signature."""
    flipped = "A" if key[-1] != "A" else "B"
    return key[:-1] + flipped


def malformed_keys(valid):
    """Keys a browser showing our form never sends: junk, too short, too long, forged."""
    junk = [s for s in SAMPLE if s.strip()]
    return [
        *junk,
        valid[:-1],  # too short
        valid + "A",  # too long
        valid * 40,
        valid + "\n",  # a line end after a good key
        " " + valid,
        _signed_elsewhere(valid),
        "A" * 32,  # the right shape, made up
    ]


@pytest.mark.parametrize("url", [DONATE, GIVE])
def test_a_key_we_did_not_make_is_refused_with_a_clear_message_and_nothing_kept(app, client, localstripe, url):
    make_page(app)
    email = new_email()
    valid = rendered(client, url)["submission_key"]
    data = filled(rendered(client, url), localstripe, email, amount="4000" if url == GIVE else "5000")
    for key in malformed_keys(valid):
        response = client.post(url, data={**data, "submission_key": key})
        assert response.status_code == 400, (key, response.status_code)
        page = response.get_data(as_text=True)
        assert EXPIRED in page, key
        fresh = hidden_fields(page)["submission_key"]
        assert fresh != key and re.fullmatch(r"[A-Za-z0-9_-]{32}", fresh)
    assert count(app, Donation) == 0 and count(app, Supporter) == 1  # the page's fundraiser only
    assert at_stripe(localstripe, email) == ([], [], [])

    # The form as it came back gives.
    response = client.post(url, data={**data, "submission_key": fresh})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(app, Donation) == 1


def test_the_expired_message_is_in_french_for_a_french_visitor(app, client, localstripe):
    data = filled(rendered(client), localstripe, new_email())
    response = client.post(DONATE, data={**data, "submission_key": "x"}, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "Ce formulaire a expiré" in response.get_data(as_text=True)


# --- the same rendered form, posted at the same moment -------------------------------------------

TWINS = 4  # a frantic double (quadruple) click, or a browser resending while the first post waits


def _post_at_once(live_server, url, data, cookies):
    """POST `data` TWINS times at the same moment, from one browser (one session cookie); return the answers."""
    start = threading.Barrier(TWINS)

    def post(_number):
        with requests.Session() as session:
            session.cookies.update(cookies)
            start.wait(timeout=60)
            response = session.post(live_server.url + url, data=data, allow_redirects=False, timeout=120)
            return response.status_code, response.headers.get("Location"), response.text

    with ThreadPoolExecutor(max_workers=TWINS) as pool:
        return list(pool.map(post, range(TWINS)))


@pytest.mark.parametrize("kind", ["one_time", "monthly", "page"])
def test_the_same_form_posted_at_the_same_moment_gives_once(app, localstripe, live_server, kind):
    url = GIVE if kind == "page" else DONATE
    if kind == "page":
        make_page(app)
    email = new_email()
    with requests.Session() as browser:
        form = browser.get(live_server.url + url, timeout=30).text
        cookies = browser.cookies.get_dict()
    extra = {"frequency": "monthly"} if kind == "monthly" else {}
    cents = 4000 if kind == "page" else 5000  # an amount the form offers
    data = filled(hidden_fields(form), localstripe, email, amount=str(cents), **extra)

    answers = _post_at_once(live_server, url, data, cookies)
    assert [status for status, _location, _text in answers] == [302] * TWINS, [a[:2] for a in answers]
    assert len({location for _status, location, _text in answers}) == 1  # all to the same thank-you page

    [donation] = donations(app)
    assert (donation.status, donation.amount_cents) == ("succeeded", cents)
    customers, intents, subscriptions = at_stripe(localstripe, email)
    assert len(customers) == 1, customers
    if kind == "monthly":
        assert len(subscriptions) == 1 and count(app, RecurringGift) == 1
    else:
        assert intents == [donation.stripe_payment_intent_id]
    if kind == "page":
        assert count(app, PageGift) == 1


@pytest.mark.parametrize("number", [CARD_3DS, CARD_DECLINED])
def test_twins_of_a_form_whose_card_needs_3d_secure_or_is_declined_answer_alike(app, localstripe, live_server, number):
    email = new_email()
    with requests.Session() as browser:
        form = browser.get(live_server.url + DONATE, timeout=30).text
        cookies = browser.cookies.get_dict()
    answers = _post_at_once(
        live_server, DONATE, filled(hidden_fields(form), localstripe, email, number=number), cookies
    )

    [donation] = donations(app)
    intents = at_stripe(localstripe, email)[1]
    if number == CARD_3DS:
        assert [status for status, _location, _text in answers] == [200] * TWINS
        assert {SECRET_RE.search(text).group(1).split("_secret_")[0] for _s, _l, text in answers} == {
            donation.stripe_payment_intent_id
        }
        assert intents == [donation.stripe_payment_intent_id]
    else:
        assert [status for status, _location, _text in answers] == [400] * TWINS
        assert all("Your card was declined" in text for _s, _l, text in answers)
        assert donation.status == "failed" and intents == []


# --- what Stripe is told -----------------------------------------------------------------------------


def _keys_sent(calls, since=0):
    """{path: Idempotency-Key} of the calls that create something (POSTs), from call number `since` on."""
    return {path: key for method, path, key in calls.seen[since:] if method == "POST"}


@pytest.mark.parametrize("frequency", ["one_time", "monthly"])
def test_stripe_is_asked_to_do_each_call_of_a_form_once(make_app, stripe_calls, localstripe, frequency):
    """Every creating call carries an idempotency key derived from the form's key, so a request
    retried after its answer was lost (the gift rolled back, the form sent again) is done once by Stripe."""
    app = make_app(STRIPE_API_BASE=stripe_calls.url, RATELIMIT_ENABLED=False)
    client = app.test_client()
    email = new_email()
    hidden = rendered(client)
    base = idempotency_key_of(app, hidden["submission_key"])
    response = client.post(DONATE, data=filled(hidden, localstripe, email, frequency=frequency))
    assert response.status_code == 302, response.get_data(as_text=True)
    sent = _keys_sent(stripe_calls)
    [customer] = at_stripe(localstripe, email)[0]
    last = ("/v1/subscriptions", "subscription") if frequency == "monthly" else ("/v1/payment_intents", "intent")
    creating = {
        "/v1/customers": f"{base}-customer",
        f"/v1/customers/{customer}/sources": f"{base}-card",
        last[0]: f"{base}-{last[1]}",
    }
    assert {path: sent.get(path) for path in creating} == creating

    # Another rendering of the form, for the same donor (whose Customer is reused): other keys.
    before = len(stripe_calls.seen)
    other = rendered(client)
    response = client.post(DONATE, data=filled(other, localstripe, email, frequency=frequency))
    assert response.status_code == 302, response.get_data(as_text=True)
    sent = _keys_sent(stripe_calls, before)
    other_base = idempotency_key_of(app, other["submission_key"])
    assert other_base != base
    creating = {f"/v1/customers/{customer}/sources": f"{other_base}-card", last[0]: f"{other_base}-{last[1]}"}
    assert {path: sent.get(path) for path in creating} == creating


def idempotency_key_of(app, submission_key):
    with app.test_request_context():
        return idempotency_key(submission_key)


# --- a post that reached Stripe and lost its transaction, sent again -------------------------------


@contextmanager
def the_commit_is_lost():
    """Make the first commit that records a gift's payment fail, as when the database drops right then.

    The Stripe calls are made (the card is charged), then the transaction rolls back: the request
    dies with the error and the browser never gets an answer. Yield the list the lost commit is noted in.
    """
    lost = []

    def before_commit(session):
        paid = [
            obj for obj in session.identity_map.values() if isinstance(obj, Donation) and obj.stripe_payment_intent_id
        ]
        if paid and not lost:
            lost.append(paid[0].stripe_payment_intent_id)
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))

    event.listen(Session, "before_commit", before_commit)
    try:
        yield lost
    finally:
        event.remove(Session, "before_commit", before_commit)


def lose_the_answer(client, url, data):
    """POST the form with its transaction lost after Stripe charged; return the PaymentIntent it paid."""
    with the_commit_is_lost() as lost, pytest.raises(OperationalError):
        client.post(url, data=data)
    assert len(lost) == 1
    return lost[0]


def meanwhile_another_donor_gives(app, localstripe, url=DONATE, **fields):
    """Another donor's gift, committed: the rows the lost transaction had numbered go to it."""
    client = app.test_client()
    response = client.post(url, data=filled(rendered(client, url), localstripe, new_email(), **fields))
    assert response.status_code == 302, response.get_data(as_text=True)


def receipts_of(app, donation):
    with app.app_context():
        query = db.select(db.func.count()).where(receipt_donations.c.donation_id == donation.id)
        return db.session.scalar(query)


def emails_to(app, address):
    with app.app_context():
        return db.session.scalars(db.select(OutboundEmail.template).filter_by(to_address=address)).all()


@pytest.mark.parametrize("kind", ["one_time", "monthly", "page"])
def test_a_gift_charged_whose_transaction_was_lost_is_recorded_once_when_the_form_is_sent_again(
    behind_stripe, stripe_calls, localstripe, kind
):
    app = behind_stripe
    url = GIVE if kind == "page" else DONATE
    if kind == "page":
        make_page(app)
    fields = {"frequency": "monthly"} if kind == "monthly" else {"amount": "4000"} if kind == "page" else {}
    client = app.test_client()
    email = new_email()
    data = filled(rendered(client, url), localstripe, email, **fields)
    paid = lose_the_answer(client, url, data)
    assert [d.email for d in donations(app)] == []  # nothing of it was kept here...
    customers, intents, subscriptions = at_stripe(localstripe, email)
    assert intents == [paid]  # ...but Stripe charged the card
    meanwhile_another_donor_gives(app, localstripe, url, **fields)

    again = client.post(url, data=data)  # the browser sends the form again
    assert again.status_code == 302, again.get_data(as_text=True)
    thanks = client.get(again.headers["Location"])
    assert thanks.status_code == 200 and "Thank you for your gift!" in thanks.get_data(as_text=True)

    [donation] = [d for d in donations(app) if d.email == email]
    assert (donation.status, donation.stripe_payment_intent_id) == ("succeeded", paid)
    assert at_stripe(localstripe, email) == (customers, intents, subscriptions)  # nothing more charged
    assert len(customers) == 1 and len(subscriptions) == (1 if kind == "monthly" else 0)
    assert stripe_calls.refused == []
    replayed = {path for path, _key in stripe_calls.replayed}
    assert ("/v1/subscriptions" if kind == "monthly" else "/v1/payment_intents") in replayed  # Stripe's saved answer
    assert emails_to(app, email) == ["gift_thanks"]
    if kind == "monthly":
        assert count(app, RecurringGift, email=email, status="active") == 1
    else:
        assert receipts_of(app, donation) == 1
    if kind == "page":
        with app.app_context():
            assert db.session.scalars(db.select(PageGift.donation_id)).all().count(donation.id) == 1


def test_a_lost_form_sent_again_with_other_details_is_refused_clearly_and_never_charged_twice(
    behind_stripe, stripe_calls, localstripe, caplog
):
    """Stripe refuses the form's keys with other parameters: the first payment may be in, so the form
    keeps its key (sent again, still refused) and only a new form gives again."""
    app = behind_stripe
    client = app.test_client()
    email = new_email()
    hidden = rendered(client)
    data = filled(hidden, localstripe, email)
    paid = lose_the_answer(client, DONATE, data)

    changed = {**data, "amount": "10000"}  # went back, chose another amount, sent it again
    for _attempt in range(2):
        answer = client.post(DONATE, data=changed)
        assert answer.status_code == 400
        page = answer.get_data(as_text=True)
        assert "that payment may have gone through" in html.unescape(page)
        assert "payment service is unavailable" not in page
        assert hidden_fields(page)["submission_key"] == hidden["submission_key"]  # not a new attempt
        changed = {**changed, **hidden_fields(page)}
    assert [path for path, _key in stripe_calls.refused] == ["/v1/payment_intents"] * 2
    assert at_stripe(localstripe, email)[1] == [paid]  # charged once
    assert [d.email for d in donations(app)] == []

    with app.app_context():
        lines = reconcile(days=1)
    assert not any(paid in line for line in lines)
    assert any(paid in record.getMessage() and record.levelname == "WARNING" for record in caplog.records)

    fresh = client.post(DONATE, data=filled(rendered(client), localstripe, email, amount="10000"))
    assert fresh.status_code == 302, fresh.get_data(as_text=True)
    assert len(at_stripe(localstripe, email)[1]) == 2  # a gift the donor chose to make again


# --- in Chromium -----------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_fast_double_click_on_give_now_sends_the_form_once(app, page, live_server, localstripe):
    posts = []
    page.on("request", lambda request: request.method == "POST" and request.url.endswith(DONATE) and posts.append(1))
    page.goto(live_server.url + DONATE)
    page.get_by_label("$50.00").check()
    fill_donor(page)
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give now").dblclick(delay=0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
    assert len(posts) == 1
    [donation] = donations(live_server.app)
    assert (donation.status, donation.amount_cents) == ("succeeded", 5000)


@pytest.mark.browser
def test_back_from_the_thank_you_page_the_form_works_again_and_sending_it_gives_nothing_more(
    app, browser_type, browser_type_launch_args, live_server, localstripe
):
    # Playwright turns the back/forward cache off; a donor's browser keeps the page, its disabled button too.
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = browser.new_page()
        page.add_init_script("addEventListener('pageshow', (event) => { window.restored = event.persisted; });")
        page.goto(live_server.url + DONATE)
        page.get_by_label("$50.00").check()
        fill_donor(page)
        fill_card(page, "4242424242424242")
        page.get_by_role("button", name="Give now").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
        thanks = page.url

        page.go_back(wait_until="commit")
        page.wait_for_function("window.restored === true")  # the very page the donor sent, kept by the browser
        button = page.get_by_role("button", name="Give now")
        expect(button).to_be_enabled()
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your gift!")
        assert page.url == thanks  # the same gift's page: the form's key was sent again
        [donation] = donations(app)
        assert (donation.status, donation.amount_cents) == ("succeeded", 5000)
    finally:
        browser.close()
