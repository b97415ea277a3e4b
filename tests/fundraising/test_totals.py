"""A page, its team and its campaign add up exactly: counted gifts only, net of refunds, each gift once."""

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift, Team
from crm.fundraising.services.credits import credit_for, credit_gift
from crm.fundraising.services.totals import campaign_total, page_total, page_totals, progress, team_total
from crm.payments.models import RecurringGift
from tests import factories


def _campaign_with_page(slug="dip"):
    campaign = Campaign(slug=slug, name_en="Polar dip", goal_cents=100000)
    team = Team(campaign=campaign, slug=f"{slug}-team", name="Cold feet")
    db.session.add_all([campaign, team])
    db.session.flush()
    fundraiser = factories.supporter(f"{slug}@example.org", "Fran")
    page = FundraiserPage(
        campaign_id=campaign.id,
        supporter_id=fundraiser.id,
        slug=f"{slug}-fran",
        title="Fran dips",
        goal_cents=50000,
        team_id=team.id,
        team_status="member",
        status="live",
    )
    db.session.add(page)
    db.session.flush()
    return campaign, team, page


def test_only_counted_gifts_add_up_net_of_refunds_on_page_team_and_campaign(app):
    with app.app_context():
        campaign, team, page = _campaign_with_page()
        paid = factories.gift("a@example.org", 10000)
        refunded = factories.gift("b@example.org", 4000, status="partially_refunded", refunded_cents=1000)
        for status in ("pending", "failed", "refunded", "disputed"):
            other = factories.gift(f"{status}@example.org", 7000, status=status)
            credit_gift(other, campaign, page)
        credit_gift(paid, campaign, page)
        credit_gift(refunded, campaign, page)
        credit_gift(paid, campaign, page)  # twice: still one credit
        direct = factories.gift("c@example.org", 2500)
        credit_gift(direct, campaign)  # to the campaign, no page
        assert page_total(page) == (13000, 2)
        assert team_total(team) == (13000, 2)
        assert campaign_total(campaign) == (15500, 3)
        assert page_totals([page.id]) == {page.id: 13000}
        assert db.session.scalar(db.select(db.func.count()).select_from(PageGift)) == 7

        paid.status, paid.refunded_cents = "partially_refunded", 5000  # a refund comes off all three at once
        db.session.flush()
        assert page_total(page)[0] == team_total(team)[0] == 8000
        assert campaign_total(campaign)[0] == 10500

        page.team_status = ""  # a member who leaves takes their page's total with them
        page.team_id = None
        db.session.flush()
        assert team_total(team) == (0, 0)


def test_every_paid_invoice_of_a_monthly_gift_on_a_page_is_credited(app):
    with app.app_context():
        campaign, _team, page = _campaign_with_page("monthly")
        first = factories.gift("m@example.org", 2000)
        plan = RecurringGift(supporter_id=first.supporter_id, amount_cents=2000, currency="cad", status="active")
        db.session.add(plan)
        db.session.flush()
        first.recurring_gift_id = plan.id
        credit_gift(first, campaign, page)
        second = factories.gift("m@example.org", 2000, recurring_gift_id=plan.id)
        assert credit_for(second).page_id == page.id
        assert page_total(page) == (4000, 1)


def test_progress_goes_past_100_percent():
    assert progress(34000, 50000) == 68
    assert progress(75000, 50000) == 150
    assert progress(100, 0) == 0
