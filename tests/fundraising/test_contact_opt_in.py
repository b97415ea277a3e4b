"""A donor may let the fundraiser contact them: an unticked box on the page's gift form, their email
on the fundraiser's donor list and CSV only where ticked, never on the public wall; erased with them."""

import csv
import io
import re

import pytest

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, PagePlan
from crm.payments.models import Donation
from crm.supporters.models import Supporter
from crm.supporters.services.privacy import erase_supporter, export_personal_data
from crm.utc import utcnow
from tests import factories
from tests.payments.helpers import card_token, gift_form, give, post_event, renew

SLUG = "fay-dip"
GIVE = f"/fundraisers/{SLUG}/give"
SHARED, PRIVATE = "ally.shares@example.org", "bo.private@example.org"


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def fundraiser(app, make_client):
    """The fundraiser's signed-in client, and the id of their live page."""
    client, user = make_client("fundraiser", email="fay@example.org")
    with app.app_context():
        campaign = Campaign(slug="dip", name_en="Winter polar dip", suggested_amounts=[1500, 4000])
        db.session.add(campaign)
        db.session.flush()
        page = FundraiserPage(
            campaign_id=campaign.id,
            supporter_id=factories.supporter("fay@example.org", "Fay", language="en").id,
            user_id=user.id,
            slug=SLUG,
            title="Fay's polar dip",
            goal_cents=100000,
            status="live",
            language="en",
            published_at=utcnow(),
        )
        db.session.add(page)
        db.session.commit()
        return client, page.id


def give_on_page(client, localstripe, email, **fields):
    data = gift_form(card_token(localstripe), amount="4000", email=email, **fields)
    response = give(client, data, url=GIVE)
    assert response.status_code == 302, response.get_data(as_text=True)


def csv_rows(client, page_id):
    response = client.get(f"/fundraise/pages/{page_id}/donors.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_box_is_unticked_named_for_the_fundraiser_and_labelled(app, client, localstripe, fundraiser):
    html = client.get(GIVE).get_data(as_text=True)
    [box] = re.findall(r"<input[^>]*\bname=\"share_email\"[^>]*>", html)
    assert 'type="checkbox"' in box and 'id="share_email"' in box and "checked" not in box
    assert '<label for="share_email">Let Fay contact me: share my email address with them</label>' in html
    assert 'aria-describedby="share_email-hint"' in box
    french = client.get(GIVE, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert re.search(r'<label for="share_email">[^<]*Fay[^<]*</label>', french)


def test_only_the_donor_who_ticked_shows_their_email_to_the_fundraiser(app, client, localstripe, fundraiser):
    owner, page_id = fundraiser
    give_on_page(client, localstripe, SHARED, share_email="y", show_on_wall="y", wall_name="Ally")
    give_on_page(client, localstripe, PRIVATE, show_on_wall="y", wall_name="Bo")
    with app.app_context():
        chosen = {gift.donation.email: gift.share_email for gift in db.session.scalars(db.select(PageGift))}
        assert chosen == {SHARED: True, PRIVATE: False}

    dashboard = owner.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert f'<a href="mailto:{SHARED}">{SHARED}</a>' in dashboard
    assert "Ally" in dashboard and "Bo" in dashboard and PRIVATE not in dashboard

    rows = csv_rows(owner, page_id)
    assert list(rows[0]) == ["name", "amount", "currency", "date", "message", "email"]
    assert sorted((row["name"], row["email"]) for row in rows) == [("Ally", SHARED), ("Bo", "")]

    wall = client.get(f"/fundraisers/{SLUG}").get_data(as_text=True)
    assert "Ally" in wall and SHARED not in wall and PRIVATE not in wall
    # Another fundraiser (or a visitor) never reaches the list.
    assert client.get(f"/fundraise/pages/{page_id}/donors.csv").status_code in (302, 401, 404)


def test_a_monthly_gifts_later_invoices_keep_the_first_choice(app, client, localstripe, fundraiser):
    owner, page_id = fundraiser
    give_on_page(client, localstripe, SHARED, frequency="monthly", share_email="y")
    with app.app_context():
        plan = db.session.scalar(db.select(PagePlan))
        assert plan.share_email is True
        gift = plan.recurring_gift
        customer, subscription = gift.stripe_customer_id, gift.stripe_subscription_id

    class Gift:
        stripe_customer_id, stripe_subscription_id = customer, subscription

    invoice = renew(localstripe, Gift)
    obj = {"id": invoice["id"], "object": "invoice"}
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    assert post_event(client, "evt_renewal", "invoice.payment_succeeded", obj, secret).status_code == 200
    with app.app_context():
        assert [c.share_email for c in db.session.scalars(db.select(PageGift).order_by(PageGift.id))] == [True, True]
    assert [row["email"] for row in csv_rows(owner, page_id)] == [SHARED, SHARED]


def test_the_choice_is_in_the_privacy_export_and_an_erasure_withdraws_it(app, client, localstripe, fundraiser):
    owner, page_id = fundraiser
    give_on_page(client, localstripe, SHARED, share_email="y")
    with app.app_context():
        donor = db.session.get(Supporter, db.session.scalar(db.select(Donation.supporter_id)))
        data = export_personal_data(donor, None)
        assert [credit["share_email"] for credit in data["fundraising_page_gifts"]] == [True]
        erase_supporter(donor, None)
        db.session.commit()
        assert db.session.scalar(db.select(PageGift.share_email)) is False
    assert SHARED not in owner.get(f"/fundraise/pages/{page_id}").get_data(as_text=True)
    assert [row["email"] for row in csv_rows(owner, page_id)] == [""]
