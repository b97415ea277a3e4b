"""Giving to a fundraiser's page through its gift form against the real localstripe: credited once, as chosen."""

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, PagePlan
from crm.fundraising.services.credits import credit_gift
from crm.fundraising.services.public import page_donors
from crm.fundraising.services.totals import campaign_total, page_total
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation
from crm.utc import utcnow
from tests import factories
from tests.helpers import csrf_token
from tests.payments.helpers import (
    CARD_3DS,
    CARD_DECLINED,
    WEBHOOK_URL,
    authenticate,
    card_token,
    count,
    event_payload,
    gift_form,
    give,
    post_event,
    renew,
    webhook_headers,
)

SLUG = "fay-dip"
GIVE = f"/fundraisers/{SLUG}/give"


@pytest.fixture
def app(request, make_app, smtp_sink):
    # Many donors from one address (the concurrent test) would meet the public forms' limit.
    limits = {"RATELIMIT_ENABLED": False} if "many_donors" in request.fixturenames else {}
    return make_app(MAIL_RATE_PER_MINUTE=0, **limits)


def make_page(app, status="live", slug=SLUG, suggested=(1500, 4000, 10000)):
    """A page with a $1,000 goal in a campaign suggesting its own amounts; return its id."""
    with app.app_context():
        campaign = Campaign(slug=f"dip-{slug}", name_en="Winter polar dip", suggested_amounts=list(suggested))
        db.session.add(campaign)
        db.session.flush()
        fundraiser = factories.supporter(f"{slug}@example.org", "Fay", language="en")
        page = FundraiserPage(
            campaign_id=campaign.id,
            supporter_id=fundraiser.id,
            slug=slug,
            title="Fay's polar dip",
            goal_cents=100000,
            status=status,
            language="en",
            published_at=utcnow(),
        )
        db.session.add(page)
        db.session.commit()
        return page.id


@pytest.fixture
def page_id(app):
    return make_page(app)


def page_gift_form(localstripe, number=None, **overrides):
    token = card_token(localstripe, number) if number else card_token(localstripe)
    return gift_form(token, **{"amount": "4000", **overrides})


def post_anyway(client, url, data):
    """POST to a page that shows no form, with the session's CSRF token (read from /donate)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/donate")})


def totals(app, page_id):
    with app.app_context():
        page = db.session.get(FundraiserPage, page_id)
        return page_total(page), campaign_total(page.campaign)


def donors(app, page_id):
    with app.app_context():
        return page_donors(db.session.get(FundraiserPage, page_id))


def fundraiser_emails(app):
    with app.app_context():
        return db.session.scalars(db.select(OutboundEmail).filter_by(template="fundraiser_page_gift")).all()


def test_a_live_page_offers_its_gift_form_with_the_campaign_amounts(app, client, localstripe, page_id):
    page = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert f'href="{GIVE}"' in page and "Give to this page" in page

    response = client.get(GIVE)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<h1>Give to Fay&#39;s polar dip</h1>" in text
    assert "Winter polar dip" in text
    assert re.findall(r'name="amount" required type="radio" value="(\w+)"', text) == ["1500", "4000", "10000", "other"]
    assert "$15.00: +" in text  # the processing fee of the campaign's own amounts
    assert '<label for="hide_amount">Hide my gift\'s amount on the page</label>' in text
    assert f'src="{localstripe.js_url}"' in text and "card-element" in text
    assert localstripe.url in response.headers["Content-Security-Policy"]


def test_an_amount_the_campaign_does_not_offer_is_refused(app, client, localstripe, page_id):
    response = give(client, page_gift_form(localstripe, amount="2500"), url=GIVE)  # /donate's preset, not the page's
    assert response.status_code == 400
    assert count(app, Donation) == 0 and count(app, PageGift) == 0


def test_a_one_time_gift_on_a_page_counts_there_once_it_is_paid(app, client, localstripe, page_id):
    data = page_gift_form(localstripe, show_on_wall="y", wall_name="Aunt Ann", message="Go Fay!")
    response = give(client, data, url=GIVE)
    assert response.status_code == 302, response.get_data(as_text=True)
    thanks = response.headers["Location"]
    assert thanks.startswith(f"/fundraisers/{SLUG}/thanks/")

    with app.app_context():
        [credit] = db.session.scalars(db.select(PageGift)).all()
        donation = credit.donation
        assert (credit.page_id, credit.hide_amount) == (page_id, False)
        assert credit.notified_at is not None
        assert (donation.status, donation.amount_cents, donation.designation) == ("succeeded", 4000, "")
        donor_email = db.session.scalar(db.select(OutboundEmail).filter_by(template="gift_thanks"))
        assert donor_email.to_address == "elise@example.org"  # the donor is thanked and receipted
    assert totals(app, page_id) == ((4000, 1), (4000, 1))

    wall = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "$40.00 raised of $1,000.00, 4%" in wall
    assert "Aunt Ann" in wall and "Go Fay!" in wall and "$40.00</li>" not in wall
    assert re.search(r"<strong>Aunt Ann</strong> · \$40\.00<br>Go Fay!", wall)

    [email] = fundraiser_emails(app)
    assert email.to_address == f"{SLUG}@example.org"
    assert email.context["donor_name"] == "Aunt Ann" and email.context["donor_message"] == "Go Fay!"
    assert "elise@example.org" not in str(email.context)

    page = client.get(thanks).get_data(as_text=True)
    assert "Thank you for your gift!" in page
    assert "Your gift supports the fundraiser page Fay&#39;s polar dip." in page
    assert f'href="/fundraisers/{SLUG}">Back to the page' in page
    assert len(fundraiser_emails(app)) == 1  # the thank-you page again changes nothing


def test_a_declined_card_leaves_nothing_counted(app, client, localstripe, page_id):
    response = give(client, page_gift_form(localstripe, CARD_DECLINED, show_on_wall="y", wall_name="Ann"), url=GIVE)
    assert response.status_code == 400
    assert "Your card was declined" in response.get_data(as_text=True) or "declined" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Donation.status)).all() == ["failed"]  # kept for staff
    assert totals(app, page_id) == ((0, 0), (0, 0))
    assert donors(app, page_id) == []
    assert fundraiser_emails(app) == []
    page = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "No gifts yet" in page and "Ann" not in page


def test_a_hidden_amount_is_left_off_the_wall_and_the_donors_but_counts(app, client, localstripe, page_id):
    hidden = page_gift_form(localstripe, show_on_wall="y", wall_name="Quiet Quentin", hide_amount="y")
    assert give(client, hidden, url=GIVE).status_code == 302
    shown = page_gift_form(localstripe, amount="1500", email="bo@example.org", show_on_wall="y", wall_name="Bo")
    assert give(client, shown, url=GIVE).status_code == 302

    assert totals(app, page_id) == ((5500, 2), (5500, 2))
    wall = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "$55.00 raised of $1,000.00, 5%" in wall
    assert "<strong>Quiet Quentin</strong><br>" not in wall  # no message: nothing after the name
    assert re.search(r"<strong>Quiet Quentin</strong></li>", wall)
    assert re.search(r"<strong>Bo</strong> · \$15\.00</li>", wall)
    assert "$40.00" not in wall
    [bo, quentin] = donors(app, page_id)
    assert (quentin.name, quentin.amount_cents, quentin.amount_hidden) == ("Quiet Quentin", None, True)
    assert (bo.name, bo.amount_cents) == ("Bo", 1500)
    # Hidden from the page, hidden from the fundraiser's email too.
    amounts = {email.context["donor_name"]: email.context["amount"] for email in fundraiser_emails(app)}
    assert amounts == {"Quiet Quentin": "", "Bo": "$15.00"}


def test_an_anonymous_gift_never_shows_who_gave(app, client, localstripe, page_id):
    data = page_gift_form(
        localstripe, first_name="Zedediah", last_name="Quux", email="zed@example.org", message="from Zed, love"
    )
    assert give(client, data, url=GIVE).status_code == 302
    wall = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "<strong>Anonymous</strong> · $40.00</li>" in wall
    for leak in ("Zedediah", "Quux", "zed@example.org", "from Zed"):
        assert leak not in wall
    [entry] = donors(app, page_id)
    assert (entry.name, entry.message, entry.amount_cents) == ("", "", 4000)
    [email] = fundraiser_emails(app)
    assert email.context["donor_name"] == ""
    assert "Zedediah" not in str(email.context) and "zed@example.org" not in str(email.context)


def test_a_name_left_empty_on_the_wall_is_the_first_name(app, client, localstripe, page_id):
    assert give(client, page_gift_form(localstripe, show_on_wall="y", wall_name=""), url=GIVE).status_code == 302
    [entry] = donors(app, page_id)
    assert entry.name == "Élise"


def test_a_closed_page_is_shown_but_takes_no_gift(app, client, localstripe, page_id):
    with app.app_context():
        db.session.get(FundraiserPage, page_id).close(utcnow())
        db.session.commit()
    page = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "no longer takes gifts" in page and GIVE not in page
    form = client.get(GIVE)
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert "no longer takes gifts" in text and "card-element" not in text
    posted = post_anyway(client, GIVE, page_gift_form(localstripe))
    assert posted.status_code == 409
    assert "no longer takes gifts" in posted.get_data(as_text=True)
    assert count(app, Donation) == 0 and count(app, PageGift) == 0


def test_a_gift_to_a_page_of_a_closed_campaign_is_refused_too(app, client, localstripe, page_id):
    with app.app_context():
        db.session.get(FundraiserPage, page_id).campaign.close()
        db.session.commit()
    assert post_anyway(client, GIVE, page_gift_form(localstripe)).status_code == 409
    assert count(app, Donation) == 0


@pytest.mark.parametrize("status", ["draft", "pending", "hidden"])
def test_a_page_the_public_cannot_see_has_no_gift_form(app, client, localstripe, status):
    make_page(app, status=status, slug=status)
    assert client.get(f"/fundraisers/{status}/give").status_code == 404
    assert post_anyway(client, f"/fundraisers/{status}/give", page_gift_form(localstripe)).status_code == 404
    assert client.get("/fundraisers/no-such-page/give").status_code == 404
    assert count(app, Donation) == 0


def test_a_monthly_gift_on_a_page_credits_every_paid_invoice(app, client, localstripe, page_id):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    data = page_gift_form(localstripe, frequency="monthly", hide_amount="y", show_on_wall="y", wall_name="Monthly Mo")
    response = give(client, data, url=GIVE)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        [plan] = db.session.scalars(db.select(PagePlan)).all()
        assert (plan.page_id, plan.hide_amount) == (page_id, True)
        gift = plan.recurring_gift
        gift_ids = (gift.stripe_customer_id, gift.stripe_subscription_id)
    assert totals(app, page_id) == ((4000, 1), (4000, 1))

    class Gift:
        stripe_customer_id, stripe_subscription_id = gift_ids

    invoice = renew(localstripe, Gift)
    obj = {"id": invoice["id"], "object": "invoice"}
    for event_id in ("evt_renewal", "evt_renewal", "evt_renewal_again"):  # Stripe delivers at least once
        assert post_event(client, event_id, "invoice.payment_succeeded", obj, secret).status_code == 200
    with app.app_context():
        credits = db.session.scalars(db.select(PageGift).order_by(PageGift.id)).all()
        assert [(c.page_id, c.hide_amount, c.donation.status) for c in credits] == [(page_id, True, "succeeded")] * 2
    assert totals(app, page_id) == ((8000, 1), (8000, 1))
    assert [(d.name, d.amount_cents) for d in donors(app, page_id)] == [("Monthly Mo", None)] * 2
    assert len(fundraiser_emails(app)) == 2  # one per paid invoice


def test_a_gift_is_credited_once_however_often_its_payment_is_reported(app, client, localstripe, live_server, page_id):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    page = give(client, page_gift_form(localstripe, CARD_3DS), url=GIVE).get_data(as_text=True)
    client_secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    thanks = html.unescape(re.search(r'data-return-url="([^"]+)"', page).group(1))
    assert thanks.startswith(f"/fundraisers/{SLUG}/thanks/")
    pi = client_secret.split("_secret_")[0]
    with app.app_context():
        [credit] = db.session.scalars(db.select(PageGift)).all()  # credited as it started, not yet counted
        assert credit.donation.status == "pending" and credit.notified_at is None
        donation_id = credit.donation_id
    assert totals(app, page_id) == ((0, 0), (0, 0))
    assert fundraiser_emails(app) == []

    authenticate(localstripe, client_secret)
    payload = event_payload("evt_paid", "payment_intent.succeeded", {"id": pi, "object": "payment_intent"})
    barrier = threading.Barrier(4)

    def webhook():
        barrier.wait()
        url = live_server.url + WEBHOOK_URL
        return requests.post(url, data=payload, headers=webhook_headers(payload, secret), timeout=60).status_code

    def return_page():
        barrier.wait()
        return requests.get(live_server.url + thanks, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(call) for call in (webhook, webhook, return_page, return_page)]
        statuses = [future.result() for future in futures]
    assert statuses == [200] * 4
    assert client.get(thanks).status_code == 200
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        page = db.session.get(FundraiserPage, page_id)
        credit_gift(donation, page.campaign, page)  # a replay in code
        db.session.commit()
    assert count(app, PageGift) == 1
    assert totals(app, page_id) == ((4000, 1), (4000, 1))
    assert len(fundraiser_emails(app)) == 1


def test_the_donation_form_still_gives_to_the_charity_alone(app, client, localstripe, page_id):
    response = give(client, gift_form(card_token(localstripe), designation="spring-appeal"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/donate/thanks/")
    assert count(app, PageGift) == 0
    assert totals(app, page_id) == ((0, 0), (0, 0))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "spring-appeal" in page and "fundraiser page" not in page
    assert "Hide my gift" not in client.get("/donate").get_data(as_text=True)


GIFTS = 24
HIDDEN_RE = re.compile(r'<input [^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')


@pytest.fixture
def many_donors():
    return GIFTS


def test_many_gifts_at_once_on_one_page_add_up_exactly(many_donors, app, localstripe, live_server):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("on PostgreSQL: SQLite lets one writer in at a time")
    page_id = make_page(app)
    browsers = []
    for number in range(many_donors):
        session = requests.Session()
        form = session.get(live_server.url + GIVE, timeout=30).text
        hidden = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(form)}
        data = page_gift_form(localstripe, email=f"donor{number}@example.org", amount="1500")
        browsers.append((session, {**hidden, **data}))
    with ThreadPoolExecutor(max_workers=GIFTS) as pool:
        futures = [
            pool.submit(session.post, live_server.url + GIVE, data=data, allow_redirects=False, timeout=120)
            for session, data in browsers
        ]
        statuses = [future.result().status_code for future in futures]
    assert statuses == [302] * GIFTS
    with app.app_context():
        paid = db.session.scalar(db.select(db.func.sum(Donation.amount_cents)).where(Donation.status == "succeeded"))
    assert paid == GIFTS * 1500
    assert totals(app, page_id) == ((GIFTS * 1500, GIFTS), (GIFTS * 1500, GIFTS))
    assert count(app, PageGift) == GIFTS
    assert len(fundraiser_emails(app)) == GIFTS


def test_the_gift_form_escapes_the_page_title(app, client, localstripe, page_id):
    with app.app_context():
        db.session.get(FundraiserPage, page_id).title = '<script>alert("x")</script>'
        db.session.commit()
    text = client.get(GIVE).get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text
