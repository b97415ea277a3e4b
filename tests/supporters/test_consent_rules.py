"""may_email and the consent ledger, every rule with the time pinned."""

from datetime import UTC, datetime, timedelta

import pytest

from crm.extensions import db
from crm.supporters.models import ConsentRecord
from crm.supporters.services import SupporterError
from crm.supporters.services.consent import (
    add_months,
    consent_state,
    grant_consent,
    may_email,
    record_implied_consent,
    suppress_email,
    withdraw_consent,
)
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.signals import consent_withdrawn
from crm.supporters.wording import consent_wording

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def ana(ctx):
    supporter, _, _ = find_or_create_supporter("ana@example.org", first_name="Ana", now=T0)
    return supporter


def express(supporter, purpose="newsletter", at=T0):
    text, version = consent_wording(purpose, "en")
    return grant_consent(
        supporter, purpose, "express", wording=text, wording_version=version, form="newsletter", now=at
    )


def test_nothing_given_means_no_marketing_but_transactional_is_allowed(ana):
    assert not may_email(ana, "newsletter", T0)
    assert consent_state(ana, "newsletter", T0).reason == "never given"
    assert may_email(ana, "transactional", T0)


def test_express_consent_holds_until_withdrawn(ana):
    express(ana)
    assert may_email(ana, "newsletter", T0)
    assert may_email(ana, "newsletter", T0 + timedelta(days=3650))
    assert not may_email(ana, "fundraising_news", T0), "express consent covers only its purpose"
    assert not may_email(ana, "newsletter", T0 - timedelta(seconds=1)), "not before it was given"
    withdraw_consent(ana, "newsletter", form="preferences", now=T0 + timedelta(days=10))
    assert may_email(ana, "newsletter", T0 + timedelta(days=9))
    assert not may_email(ana, "newsletter", T0 + timedelta(days=10))
    assert consent_state(ana, "newsletter", T0 + timedelta(days=11)).reason == "withdrawn"


def test_new_express_consent_after_withdrawal_counts(ana):
    express(ana)
    withdraw_consent(ana, "all", form="preferences", now=T0 + timedelta(days=1))
    assert not may_email(ana, "newsletter", T0 + timedelta(days=2))
    express(ana, at=T0 + timedelta(days=3))
    assert may_email(ana, "newsletter", T0 + timedelta(days=3))


def test_implied_consent_from_a_gift_lapses_after_two_years(ana):
    record = record_implied_consent(ana, "implied_gift", given_at=T0, reference="donation:1")
    assert record.expires_at == datetime(2028, 1, 15, 12, 0, tzinfo=UTC)
    for purpose in ("newsletter", "fundraising_news", "fundraiser_tips"):
        assert may_email(ana, purpose, T0 + timedelta(days=729))
    assert not may_email(ana, "newsletter", datetime(2028, 1, 15, 12, 0, tzinfo=UTC))
    assert consent_state(ana, "newsletter", datetime(2028, 2, 1, tzinfo=UTC)).reason == "expired"


def test_a_later_gift_extends_implied_consent(ana):
    record_implied_consent(ana, "implied_purchase", given_at=T0)
    record_implied_consent(ana, "implied_gift", given_at=T0 + timedelta(days=400))
    state = consent_state(ana, "fundraising_news", T0 + timedelta(days=800))
    assert state.allowed and state.basis == "implied_gift"


def test_implied_consent_from_an_inquiry_lasts_six_months(ana):
    record_implied_consent(ana, "implied_inquiry", given_at=T0)
    assert may_email(ana, "fundraiser_tips", datetime(2026, 7, 15, 11, 59, tzinfo=UTC))
    assert not may_email(ana, "fundraiser_tips", datetime(2026, 7, 15, 12, 0, tzinfo=UTC))


def test_withdrawal_wins_over_implied_consent_before_and_after(ana):
    withdraw_consent(ana, "all", form="one-click", now=T0)
    record_implied_consent(ana, "implied_gift", given_at=T0 + timedelta(days=5))
    assert not may_email(ana, "newsletter", T0 + timedelta(days=6))
    other, _, _ = find_or_create_supporter("bo@example.org", now=T0)
    record_implied_consent(other, "implied_gift", given_at=T0)
    withdraw_consent(other, "fundraising_news", form="preferences", now=T0 + timedelta(days=1))
    assert not may_email(other, "fundraising_news", T0 + timedelta(days=2))
    assert may_email(other, "newsletter", T0 + timedelta(days=2)), "withdrawing one purpose leaves the others"


def test_suppression_wins_over_everything_even_transactional(ana):
    express(ana)
    suppress_email(" ANA@example.org", "bounced", now=T0)
    assert not may_email(ana, "newsletter", T0 + timedelta(days=1))
    assert not may_email(ana, "transactional", T0 + timedelta(days=1))
    assert suppress_email("ana@example.org", "complaint").reason == "bounced", "one entry per address"


def test_erased_or_merged_records_and_missing_addresses_get_nothing(ana):
    express(ana)
    ana.erased_at = T0
    assert not may_email(ana, "transactional", T0 + timedelta(days=1))
    assert not may_email(None, "transactional", T0)


def test_express_consent_keeps_its_proof(ana):
    text, version = consent_wording("newsletter", "fr")
    record = grant_consent(
        ana,
        "newsletter",
        "express",
        wording=text,
        wording_version=version,
        form="newsletter",
        language="fr",
        ip_address="203.0.113.9",
        user_agent="Firefox",
        now=T0,
    )
    db.session.expire_all()
    stored = db.session.get(ConsentRecord, record.id)
    assert stored.wording.startswith("Oui, envoyez-moi")
    assert (stored.wording_version, stored.form, stored.ip_address) == ("2026-11-v1", "newsletter", "203.0.113.9")
    assert stored.created_at == T0 and stored.expires_at is None


def test_express_consent_without_wording_is_refused(ana):
    with pytest.raises(SupporterError):
        grant_consent(ana, "newsletter", "express", now=T0)
    with pytest.raises(SupporterError):
        grant_consent(ana, "all", "express", wording="x", wording_version="1", now=T0)
    with pytest.raises(SupporterError):
        may_email(ana, "spam", T0)


def test_withdrawal_is_announced_for_the_mail_feature(ana):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["purpose"])

    with consent_withdrawn.connected_to(listener):
        withdraw_consent(ana, "all", form="preferences", now=T0)
    assert heard == ["all"]


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2024, 2, 29, tzinfo=UTC), 24, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 8, 31, tzinfo=UTC), 6, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2027, 1, 15, tzinfo=UTC)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end
