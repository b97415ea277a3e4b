"""What counts as a gift: each kind of gift changes the figures exactly as docs/reports.md says."""

from datetime import UTC, datetime

import pytest

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage, PageGift
from crm.payments.services.disputes import apply_dispute
from crm.reports.exporting import build_report
from crm.reports.years import YearRule, rule_from_config
from crm.supporters.services.consent import grant_consent, withdraw_consent
from tests import factories

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
CALENDAR = YearRule.parse("01-01", "America/Toronto")


def at(year, month=6, day=15, hour=15):
    return datetime(year, month, day, hour, tzinfo=UTC)


def figures(rule=CALENDAR, year=2025):
    return build_report("retention", year=year, rule=rule, currency="cad", now=NOW).json_value


def people(name, year=2025):
    return {p["email"]: p for p in build_report(name, year=year, rule=CALENDAR, currency="cad", now=NOW).json_value}


@pytest.fixture
def scene(ctx):
    """a: 2024 and 2025 (upgraded); b: 2024 only (lapsed); c: first in 2025 (new); d: 2022 and 2025 (recaptured)."""
    gifts = {
        "a24": factories.gift("a@example.org", 5000, at(2024)),
        "a25": factories.gift("a@example.org", 7000, at(2025)),
        "b24": factories.gift("b@example.org", 3000, at(2024)),
        "c25": factories.gift("c@example.org", 2000, at(2025)),
        "d22": factories.gift("d@example.org", 4000, at(2022)),
        "d25": factories.gift("d@example.org", 1000, at(2025)),
    }
    db.session.commit()
    return gifts


BASE = {
    "donors": 3,
    "donors_prior": 2,
    "new": 1,
    "retained": 1,
    "recaptured": 1,
    "lapsed": 1,
    "upgraded": 1,
    "same": 0,
    "downgraded": 0,
    "retention_rate": 0.5,
    "total_cents": 10000,
    "total_prior_cents": 8000,
    "gains_cents": 2000 + 1000 + 2000,
    "losses_cents": 3000,
    "net_cents": 2000,
}


def test_the_scene_as_defined(scene):
    got = figures()
    # a and b were both new in 2024 (a kept); nobody gave in 2023, so no repeat donors to keep.
    expected = {**BASE, "new_donor_retention_rate": 0.5, "repeat_donor_retention_rate": None}
    expected["dollar_retention_rate"] = 7000 / 8000
    assert {key: got[key] for key in expected} == expected


def test_partial_refund_counts_what_was_kept(scene):
    scene["a25"].status, scene["a25"].refunded_cents = "partially_refunded", 2000
    db.session.commit()
    got = figures()
    assert (got["upgraded"], got["same"], got["total_cents"]) == (0, 1, 8000)
    assert got["gains_cents"] == 2000 + 1000 and got["net_cents"] == 0


def test_full_refund_is_no_gift(scene):
    scene["c25"].status, scene["c25"].refunded_cents = "refunded", 2000
    db.session.commit()
    got = figures()
    assert (got["donors"], got["new"], got["total_cents"]) == (2, 0, 8000)


def test_a_dispute_lost_is_no_gift(scene):
    apply_dispute(scene["d25"], "dp_lost1", "lost", now=NOW)
    db.session.commit()
    got = figures()
    assert (got["donors"], got["recaptured"], got["total_cents"]) == (2, 0, 9000)


def test_an_open_dispute_waits_and_a_won_one_counts(scene):
    apply_dispute(scene["d25"], "dp_1", "needs_response", now=NOW)
    db.session.commit()
    assert figures()["recaptured"] == 0
    apply_dispute(scene["d25"], "dp_1", "won", now=NOW)
    db.session.commit()
    assert figures()["recaptured"] == 1


@pytest.mark.parametrize("status", ["failed", "pending", "cancelled"])
def test_failed_pending_and_cancelled_never_count_nor_hide_a_lapsed_donor(scene, status):
    factories.gift("b@example.org", 9000, at(2025, 9), status=status)
    factories.gift("never@example.org", 9000, at(2024, 9), status=status)
    db.session.commit()
    got = figures()
    assert {key: got[key] for key in BASE} == BASE
    assert set(people("lybunt")) == {"b@example.org"}  # never@ never gave: not listed


def test_another_currency_is_left_out(scene):
    factories.gift("b@example.org", 9000, at(2025, 9), currency="usd")
    factories.gift("e@example.org", 9000, at(2025, 9), currency="usd")
    db.session.commit()
    assert figures()["donors"] == 3 and "b@example.org" in people("lybunt")


def test_imported_gifts_count_like_any_other(scene):
    factories.gift("g@example.org", 2500, at(2025, 2), imported=True, source_system="civicrm", method="other")
    db.session.commit()
    got = figures()
    assert (got["donors"], got["new"], got["total_cents"]) == (4, 2, 12500)


def test_soft_credits_change_nothing(scene):
    fundraiser = factories.supporter("f@example.org")
    factories.gift("f@example.org", 1500, at(2024))
    campaign = Campaign(slug="dip", name_en="Polar dip")
    db.session.add(campaign)
    db.session.flush()
    page = FundraiserPage(
        campaign_id=campaign.id, supporter_id=fundraiser.id, slug="f-dip", title="F dips", goal_cents=10000
    )
    db.session.add(page)
    db.session.flush()
    db.session.add(PageGift(donation_id=scene["a25"].id, page_id=page.id, campaign_id=campaign.id))
    scene["c25"].soft_credit_name, scene["c25"].soft_credit_email = "F", "f@example.org"
    db.session.commit()
    got = figures()
    assert (got["donors"], got["donors_prior"], got["lapsed"], got["total_cents"]) == (3, 3, 2, 10000)
    assert people("lybunt")["f@example.org"]["prior_total_cents"] == 1500


def test_the_gift_dates_from_when_it_succeeded(ctx):
    factories.gift("late@example.org", 5000, at(2024, 12, 31), succeeded_at=at(2025, 1, 2))
    db.session.commit()
    assert (figures()["donors"], figures()["donors_prior"]) == (1, 0)


def test_fiscal_year_boundary_in_the_charitys_time_zone(make_app):
    app = make_app(FISCAL_YEAR_START="04-01", RECEIPT_TIMEZONE="America/Toronto")
    with app.app_context():
        rule = rule_from_config(app.config)
        # 23:30 on March 31 in Toronto is 03:30 on April 1 in UTC: still fiscal year 2025 (Apr 2024 - Mar 2025).
        factories.gift("march@example.org", 5000, datetime(2025, 4, 1, 3, 30, tzinfo=UTC))
        factories.gift("april@example.org", 7000, datetime(2025, 4, 1, 4, 30, tzinfo=UTC))  # 00:30 April 1
        db.session.commit()
        assert rule.year_of(datetime(2025, 4, 1, 3, 30, tzinfo=UTC)) == 2025
        y2025, y2026 = figures(rule, 2025), figures(rule, 2026)
        assert (y2025["donors"], y2025["total_cents"]) == (1, 5000)
        assert (y2026["donors"], y2026["total_cents"], y2026["lapsed"]) == (1, 7000, 1)
        assert figures(CALENDAR, 2025)["donors"] == 2  # one calendar year holds both


def test_lybunt_lists_givers_with_their_appeal_consent(scene):
    extra = factories.gift("e@example.org", 6000, at(2024, 3))
    gone = factories.gift("gone@example.org", 6000, at(2024, 3))
    grant_consent(extra.supporter, "fundraising_news", "express", wording="Yes", wording_version="v1", now=at(2024))
    withdraw_consent(scene["b24"].supporter, "fundraising_news", now=at(2024, 7))
    gone.supporter.erased_at, gone.supporter.email = at(2026, 1), None
    db.session.commit()
    listed = people("lybunt")
    assert set(listed) == {"b@example.org", "e@example.org"}  # the erased donor is left out
    assert listed["e@example.org"]["may_email_appeal"] is True
    assert (listed["b@example.org"]["may_email_appeal"], listed["b@example.org"]["appeal_consent"]) == (
        False,
        "withdrawn",
    )
    b = listed["b@example.org"]
    assert (b["last_gift_cents"], b["prior_total_cents"], b["lifetime_cents"]) == (3000, 3000, 3000)
    assert b["last_gift_at"] == "2024-06-15T15:00:00+00:00" and b["language"] == "en"


def test_sybunt_and_the_civicrm_convention(scene):
    factories.gift("old@example.org", 800, at(2021))
    db.session.commit()
    assert set(people("sybunt")) == {"old@example.org"}
    civicrm = build_report("sybunt", year=2025, rule=CALENDAR, currency="cad", now=NOW, convention="civicrm")
    assert {p["email"] for p in civicrm.json_value} == {"old@example.org", "b@example.org"}
