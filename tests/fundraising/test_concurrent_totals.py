"""100 gifts at once to one page of a team, on PostgreSQL: page, team and campaign add up to the gifts paid.

Each total is checked against its own SQL sum over the donations (no credit, no totals code), and a
refund and a dispute, sent as Stripe's signed webhook events, come off all three at once and off the
public page that is kept for anonymous visitors.
"""

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import distinct, func

from crm.extensions import db
from crm.fundraising.models import FundraiserPage, PageGift, Team
from crm.fundraising.services import page_cache
from crm.fundraising.services.totals import progress, team_total
from crm.i18n import money_in
from crm.payments.models import Donation
from tests import factories
from tests.fundraising.test_give import GIVE, HIDDEN_RE, SLUG, make_page, page_gift_form, totals
from tests.payments.helpers import charge_of, count, stripe_api
from tests.payments.test_disputes import dispute_event
from tests.payments.test_refunds import deliver_charge_refunded

GIFTS = 100
# The campaign's own amounts, given in turn; 5000 is what tests.payments.test_disputes' events say.
AMOUNTS = (1500, 4000, 5000, 10000)
GOAL = 100000  # make_page's
REFUNDED = 1000  # of a 4000 gift


@pytest.fixture
def app(make_app, smtp_sink):
    # A hundred donors from one address would meet the public forms' limit.
    # 100 requests share the pool's connections: on a busy CI machine a request waited past the
    # default 30 s for one (QueuePool timeout, a 500); they queue for one as long as the test allows.
    return make_app(
        MAIL_RATE_PER_MINUTE=0,
        RATELIMIT_ENABLED=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0, "pool_timeout": 120},
    )


def team_page(app):
    """make_page's page, suggesting AMOUNTS, and a member of a team; return (page id, team id)."""
    page_id = make_page(app, suggested=AMOUNTS)
    with app.app_context():
        team = factories.team_of(db.session.get(FundraiserPage, page_id), "dip-squad", "The Dip Squad")
        db.session.commit()
        return page_id, team.id


def three_totals(app, page_id, team_id):
    """((cents, donors) of the page, of its team, of its campaign), as the totals service sums them."""
    page, campaign = totals(app, page_id)
    with app.app_context():
        team = team_total(db.session.get(Team, team_id))
    return page, team, campaign


def paid_in_sql(app):
    """(cents, donors) of the gifts that count, from the donations alone: paid, not disputed, net of refunds."""
    with app.app_context():
        raised, donors = db.session.execute(
            db.select(
                func.coalesce(func.sum(Donation.amount_cents - Donation.refunded_cents), 0),
                func.count(distinct(Donation.supporter_id)),
            ).where(Donation.status.in_(("succeeded", "partially_refunded")))
        ).one()
        return int(raised), int(donors)


def first_gift_of(app, cents):
    """(PaymentIntent id, donation id) of the first gift of `cents`."""
    with app.app_context():
        donation = db.session.scalars(db.select(Donation).filter_by(amount_cents=cents).order_by(Donation.id)).first()
        return donation.stripe_payment_intent_id, donation.id


def gift_state(app, donation_id):
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        return donation.status, donation.refunded_cents


def public_progress(live_server):
    """What the public page says was raised, to an anonymous visitor (who may be served the kept page)."""
    text = html.unescape(requests.get(live_server.url + f"/fundraisers/{SLUG}", timeout=30).text)
    return re.search(r"<p>([^<]* raised of [^<]*) · ", text).group(1)


def progress_words(app, cents):
    with app.app_context():
        return f"{money_in(cents, 'cad', 'en')} raised of {money_in(GOAL, 'cad', 'en')}, {progress(cents, GOAL)}%"


def kept_pages(app):
    """The keys of the public page kept for anonymous visitors (what the next change must make stale)."""
    return [key for key in page_cache.store(app).entries if f"/fundraisers/{SLUG}?" in key]


def test_a_hundred_gifts_at_once_add_up_on_page_team_and_campaign_and_a_refund_and_a_dispute_come_off(
    app, client, localstripe, live_server
):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("on PostgreSQL: SQLite lets one writer in at a time")
    page_id, team_id = team_page(app)
    amounts = [AMOUNTS[number % len(AMOUNTS)] for number in range(GIFTS)]
    start = threading.Barrier(GIFTS)

    def browser(number):
        """A donor's own session with the form read and the card token made (what takes no turn at the server)."""
        session = requests.Session()
        form = session.get(live_server.url + GIVE, timeout=30).text
        hidden = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(form)}
        data = page_gift_form(localstripe, email=f"donor{number}@example.org", amount=str(amounts[number]))
        return session, {**hidden, **data}

    def give(session, data):
        start.wait(timeout=60)
        return session.post(live_server.url + GIVE, data=data, allow_redirects=False, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=GIFTS) as pool:
        browsers = list(pool.map(browser, range(GIFTS)))
        statuses = list(pool.map(lambda ready: give(*ready), browsers))
    assert statuses == [302] * GIFTS
    raised = sum(amounts)
    assert count(app, Donation) == GIFTS and count(app, PageGift) == GIFTS
    assert paid_in_sql(app) == (raised, GIFTS)
    assert three_totals(app, page_id, team_id) == ((raised, GIFTS),) * 3

    assert public_progress(live_server) == progress_words(app, raised)
    assert kept_pages(app)

    # A refund made in Stripe's dashboard: charge.refunded, signed, to the webhook.
    refunded_pi, refunded_id = first_gift_of(app, 4000)
    stripe_api(localstripe, "POST", "refunds", payment_intent=refunded_pi, amount=REFUNDED)
    deliver_charge_refunded(app, client, localstripe, refunded_pi, "evt_page_refund")
    assert gift_state(app, refunded_id) == ("partially_refunded", REFUNDED)
    raised -= REFUNDED
    assert paid_in_sql(app) == (raised, GIFTS)  # the donor still gave
    assert three_totals(app, page_id, team_id) == ((raised, GIFTS),) * 3
    assert public_progress(live_server) == progress_words(app, raised)  # the kept page went stale
    assert kept_pages(app)

    # A chargeback: counted no more from the moment it is opened; lost, the bank keeps the money.
    disputed_pi, disputed_id = first_gift_of(app, 5000)
    charge = charge_of(localstripe, disputed_pi)
    dispute_event(
        app, client, "evt_dp_page_1", "charge.dispute.created", "dp_page", "needs_response", charge, disputed_pi
    )
    assert gift_state(app, disputed_id) == ("disputed", 0)
    raised -= 5000
    assert paid_in_sql(app) == (raised, GIFTS - 1)
    assert three_totals(app, page_id, team_id) == ((raised, GIFTS - 1),) * 3
    assert public_progress(live_server) == progress_words(app, raised)
    assert kept_pages(app)

    dispute_event(app, client, "evt_dp_page_2", "charge.dispute.closed", "dp_page", "lost", charge, disputed_pi)
    assert gift_state(app, disputed_id) == ("refunded", 5000)
    assert paid_in_sql(app) == (raised, GIFTS - 1)
    assert three_totals(app, page_id, team_id) == ((raised, GIFTS - 1),) * 3
    assert public_progress(live_server) == progress_words(app, raised)
