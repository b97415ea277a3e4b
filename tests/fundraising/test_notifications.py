"""The emails of fundraiser pages: gifts, milestones, staff decisions and coaching, each sent once."""

from datetime import timedelta

import pytest

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import Campaign, FundraiserPage, PageGift
from crm.mail.models import Enrolment, OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.sequences import advance_sequences
from crm.supporters.services.consent import grant_consent, withdraw_consent
from crm.supporters.wording import consent_wording
from crm.utc import utcnow

DAY = timedelta(days=1)


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0)


@pytest.fixture
def ctx(app):
    with app.test_request_context("/", base_url="https://crm.example"):
        yield
        db.session.rollback()


@pytest.fixture
def page(ctx, make_supporter):
    """A live page with a $1,000 goal, for a fundraiser who agreed to fundraising tips."""
    fundraiser = make_supporter("fay@example.org", first_name="Fay", language="en")
    text, version = consent_wording("fundraiser_tips", "en")
    grant_consent(
        fundraiser, "fundraiser_tips", "express", wording=text, wording_version=version, form="test",
        now=utcnow() - DAY,
    )  # fmt: skip
    campaign = Campaign(slug="diy", name_en="Do it yourself")
    db.session.add(campaign)
    db.session.flush()
    made = FundraiserPage(
        campaign_id=campaign.id, supporter_id=fundraiser.id, slug="fay-dip", title="Fay's polar dip",
        goal_cents=100000, status="live", language="en", published_at=utcnow(),
    )  # fmt: skip
    db.session.add(made)
    db.session.commit()
    return made


def credit(page, make_gift, email="donor@example.org", amount_cents=5000, **fields):
    """A succeeded gift credited to the page, announced as the gift flow does."""
    donation = make_gift(email, amount_cents=amount_cents, **fields)
    page_gift = PageGift(donation_id=donation.id, page_id=page.id, campaign_id=page.campaign_id)
    db.session.add(page_gift)
    db.session.flush()
    signals.page_gift_credited.send(page_gift=page_gift, now=utcnow())
    db.session.commit()
    return page_gift


def queued(template=None):
    query = db.select(OutboundEmail).order_by(OutboundEmail.id)
    if template:
        query = query.filter_by(template=template)
    return db.session.scalars(query).all()


def sent(smtp_sink, now=None):
    """Send what is due; return [(subject, plain text)] as received."""
    send_due(now=now)
    return [(m["Subject"], m.get_body(("plain",)).get_content()) for m in smtp_sink.parsed()]


def sent_texts(smtp_sink, now=None):
    return dict(sent(smtp_sink, now))


def test_a_gift_is_announced_once_with_the_wall_name_amount_and_message(page, make_gift, smtp_sink):
    page_gift = credit(page, make_gift, amount_cents=2500, show_on_wall=True, wall_name="The Tremblays",
                       message="Go Fay!", first_name="Marc", last_name="Tremblay")  # fmt: skip
    signals.page_gift_credited.send(page_gift=page_gift, now=utcnow())  # fired twice
    db.session.commit()
    [email] = queued("fundraiser_page_gift")
    assert (email.dedupe_key, email.to_address, email.purpose) == (
        f"page-gift:{page_gift.id}", "fay@example.org", "transactional",
    )  # fmt: skip
    assert page_gift.notified_at is not None
    body = sent_texts(smtp_sink)["You received a gift on your page “Fay's polar dip”"]
    assert "The Tremblays just gave $25.00" in body
    assert "“Go Fay!”" in body
    assert f"https://crm.example/fundraise/pages/{page.id}" in body
    assert "donor@example.org" not in body and "Marc" not in body


def test_an_anonymous_donor_is_never_named(page, make_gift, smtp_sink):
    # Off the wall, a wall name does not count either; nor do the name and address on the gift.
    credit(page, make_gift, email="secret.sam@example.org", first_name="Samira", last_name="Haddad",
           show_on_wall=False, wall_name="Sam H.")  # fmt: skip
    [body] = sent_texts(smtp_sink).values()
    assert "an anonymous donor just gave $50.00" in body
    for secret in ("Samira", "Haddad", "Sam H.", "secret.sam"):
        assert secret not in body
    assert not any(secret in str(email.context) for email in queued() for secret in ("Samira", "secret.sam"))


def test_french_page_gets_french_copy(page, make_gift, smtp_sink):
    page.language = "fr"
    db.session.commit()
    credit(page, make_gift)
    [(subject, body)] = sent_texts(smtp_sink).items()
    assert subject == "Vous avez reçu un don sur votre page « Fay's polar dip »"
    assert "une personne anonyme vient de faire un don de 50,00" in body


def test_milestones_at_half_then_the_goal_then_beaten_each_once(page, make_gift, smtp_sink):
    credit(page, make_gift, "a@example.org", 10000)  # 10%: no milestone
    assert queued("fundraiser_page_milestone") == []
    credit(page, make_gift, "b@example.org", 45000)  # 55%: 50 (25 is skipped, never sent late)
    credit(page, make_gift, "c@example.org", 1000)  # 56%: nothing new
    credit(page, make_gift, "d@example.org", 44000)  # 100%
    credit(page, make_gift, "e@example.org", 500)  # 100.5%: still 100 (beaten counts from 101%)
    credit(page, make_gift, "f@example.org", 500)  # 101%: beaten
    credit(page, make_gift, "g@example.org", 500)
    keys = [email.dedupe_key for email in queued("fundraiser_page_milestone")]
    assert keys == [f"page-milestone:{page.id}:{m}" for m in (50, 100, 101)]
    assert page.milestone == 101
    subjects = sent_texts(smtp_sink)
    assert "raise your goal" in subjects["You beat your goal!"]
    assert "$1,010.00" in subjects["You beat your goal!"]
    assert "$550.00: 50% of your goal of $1,000.00" in subjects["50% of your goal raised"]
    assert "You reached your goal!" in subjects


def test_refunded_and_failed_gifts_do_not_count_towards_a_milestone(page, make_gift):
    credit(page, make_gift, "a@example.org", 60000, status="failed")
    credit(page, make_gift, "b@example.org", 60000, status="partially_refunded", refunded_cents=30000)  # 30% counts
    assert [e.dedupe_key for e in queued("fundraiser_page_milestone")] == [f"page-milestone:{page.id}:25"]


def test_staff_decisions_are_told_and_a_second_hide_is_told_again(page, smtp_sink):
    signals.page_decided.send(page=page, decision="approved", reason="", now=utcnow())
    signals.page_decided.send(page=page, decision="hidden", reason="Please remove the phone number.", now=utcnow())
    signals.page_decided.send(page=page, decision="hidden", reason="Still there.", now=utcnow() + DAY)
    db.session.commit()
    assert [e.context["decision"] for e in queued("fundraiser_page_decision")] == ["approved", "hidden", "hidden"]
    texts = sent(smtp_sink, now=utcnow() + DAY)
    live = [body for subject, body in texts if subject == "Your page “Fay's polar dip” is live"]
    assert len(live) == 1 and "https://crm.example/fundraisers/fay-dip" in live[0]
    hidden = [body for subject, body in texts if subject == "Your page “Fay's polar dip” has been hidden"]
    assert ["Please remove the phone number." in hidden[0], "Still there." in hidden[1]] == [True, True]


def test_coaching_starts_when_the_page_goes_live_and_stops_when_it_closes(page, smtp_sink):
    start = utcnow()
    signals.page_published.send(page=page, now=start)
    signals.page_published.send(page=page, now=start)
    db.session.commit()
    [enrolment] = db.session.scalars(db.select(Enrolment)).all()
    assert enrolment.sequence.key == "fundraiser_page_coaching" and enrolment.state == "active"
    advance_sequences(now=start)
    advance_sequences(now=start + 3 * DAY)
    db.session.commit()
    assert [e.template for e in queued()] == ["fundraiser_coaching_welcome", "fundraiser_coaching_first_gift"]
    assert all(e.purpose == "fundraiser_tips" for e in queued())
    signals.page_closed.send(page=page, now=start + 4 * DAY)
    db.session.commit()
    assert (enrolment.state, enrolment.stopped_reason) == ("stopped", "page_closed")
    assert advance_sequences(now=start + 7 * DAY) == 0
    texts = sent_texts(smtp_sink, now=start + 4 * DAY)
    assert "34%" in texts["The first gift on your page can be yours"]
    assert "https://crm.example/fundraise/" in texts["Your page is live: your first three steps"]


def test_an_opted_out_fundraiser_gets_no_coaching(page):
    withdraw_consent(page.supporter, "fundraiser_tips", form="test")
    start = utcnow() + timedelta(seconds=1)
    signals.page_published.send(page=page, now=start)
    advance_sequences(now=start)
    db.session.commit()
    assert queued() == []


def test_opting_out_stops_coaching(page):
    start = utcnow()
    signals.page_published.send(page=page, now=start)
    db.session.commit()
    withdraw_consent(page.supporter, "all", form="test")
    db.session.commit()
    assert db.session.scalar(db.select(Enrolment)).state == "stopped"
    assert advance_sequences(now=start + 7 * DAY) == 0
    assert queued() == []
