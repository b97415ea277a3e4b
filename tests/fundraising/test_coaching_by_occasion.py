"""Coaching by occasion: each page's emails speak of its occasion, and the steps timed on its event day
(a week before, the day after) are steps of the coaching sequence, which staff retime in its editor."""

from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr

import pytest

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import Campaign, FundraiserPage, Occasion
from crm.fundraising.notifications import EVENT_HOUR_UTC, schedule_event_emails
from crm.mail.models import Enrolment, OutboundEmail, Sequence, SequenceStep
from crm.mail.services.delivery import send_due
from crm.mail.services.sequences import advance_sequences
from crm.supporters.services.consent import grant_consent, withdraw_consent
from crm.supporters.wording import consent_wording
from crm.utc import utcnow
from tests.factories import supporter as make_supporter
from tests.helpers import csrf_token

DAY = timedelta(days=1)


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0)


def request_context(app):
    return app.test_request_context("/", base_url="https://crm.example")


def live_page(kind, email, language="en", event_in_days=None, slug=None, speaks=None):
    """A page of the occasion `kind`, just live, for a fundraiser who agreed to tips; its publication announced.

    `speaks`: the fundraiser's own language, when it is not the page's.
    """
    fundraiser = make_supporter(email, first_name=email.split("@")[0].title(), language=speaks or language)
    text, version = consent_wording("fundraiser_tips", language)
    grant_consent(
        fundraiser, "fundraiser_tips", "express", wording=text, wording_version=version, form="test",
        now=utcnow() - DAY,
    )  # fmt: skip
    campaign = db.session.scalar(db.select(Campaign).filter_by(slug="diy"))
    if campaign is None:
        campaign = Campaign(slug="diy", name_en="Do it yourself")
        db.session.add(campaign)
        db.session.flush()
    occasion = db.session.scalar(db.select(Occasion).filter_by(campaign_id=campaign.id, kind=kind))
    if occasion is None:
        occasion = Occasion(campaign_id=campaign.id, kind=kind, title_en=kind)
        db.session.add(occasion)
        db.session.flush()
    page = FundraiserPage(
        campaign_id=campaign.id, occasion_id=occasion.id, supporter_id=fundraiser.id, slug=slug or f"{kind}-page",
        title=f"{kind} page", goal_cents=100000, status="live", language=language, published_at=utcnow(),
        event_on=utcnow().date() + timedelta(days=event_in_days) if event_in_days else None,
    )  # fmt: skip
    db.session.add(page)
    db.session.flush()
    signals.page_published.send(page=page, now=utcnow())
    db.session.commit()
    return page


def event_emails(page, status="queued"):
    query = db.select(OutboundEmail).where(
        OutboundEmail.dedupe_key.startswith(f"page-event:{page.id}:"), OutboundEmail.status == status
    )
    return {email.template: email.due_at for email in db.session.scalars(query)}


def at_event(page, hours):
    return datetime.combine(page.event_on, time(EVENT_HOUR_UTC), UTC) + timedelta(hours=hours)


def received(smtp_sink, now=None):
    """Send what is due with the worker; return {(address, subject): plain text} as the sink received it."""
    send_due(now=now)
    return {(parseaddr(m["To"])[1], m["Subject"]): m.get_body(("plain",)).get_content() for m in smtp_sink.parsed()}


def test_a_polar_dip_and_a_memorial_page_get_their_own_welcome(app, smtp_sink):
    with request_context(app):
        dip = live_page("polar_dip", "dana@example.org")
        memorial = live_page("in_memory", "marc@example.org", language="fr")
        enrolments = db.session.scalars(db.select(Enrolment).order_by(Enrolment.id)).all()
        assert [e.context["occasion"] for e in enrolments] == ["polar_dip", "in_memory"]
        assert enrolments[0].context["page_id"] == dip.id and enrolments[1].context["page_title"] == memorial.title
        advance_sequences()
        db.session.commit()
        texts = received(smtp_sink)
    [dip_text] = [text for (to, _subject), text in texts.items() if "dana@example.org" in to]
    [memorial_text] = [text for (to, _subject), text in texts.items() if "marc@example.org" in to]
    assert "Your polar dip page is live" in dip_text and "where and when you will dip" in dip_text
    assert "https://crm.example/fundraise/" in dip_text
    assert "à la mémoire d'une personne qui vous est chère" in memorial_text
    assert "Merci de lui rendre hommage" in memorial_text and "plong" not in memorial_text
    assert any("marc@example.org" in to and subject.startswith("Votre page est en ligne") for to, subject in texts)


def test_a_french_page_of_an_english_speaking_fundraiser_is_coached_in_french_like_its_other_emails(app, smtp_sink):
    with request_context(app):
        page = live_page("birthday", "lee@example.org", language="fr", event_in_days=30, speaks="en")
        advance_sequences()
        db.session.commit()
        subjects = [subject for _to, subject in received(smtp_sink)]
        languages = {email.template: email.language for email in db.session.scalars(db.select(OutboundEmail))}
        assert db.session.get(FundraiserPage, page.id).supporter.language == "en"
    assert subjects and all(subject.startswith("Votre page") for subject in subjects), subjects
    assert set(languages.values()) == {"fr"} and len(languages) >= 3  # the welcome and both event emails


def test_every_occasion_speaks_of_itself_and_an_old_enrolment_keeps_the_general_copy(app, smtp_sink):
    with request_context(app):
        for kind in ("birthday", "run_walk", "celebration", "own_idea"):
            live_page(kind, f"{kind.replace('_', '')}@example.org")
        old = db.session.scalar(db.select(Sequence).filter_by(key="fundraiser_page_coaching"))
        supporter = db.session.scalar(db.select(FundraiserPage)).supporter  # someone enrolled before: no context
        db.session.delete(db.session.scalar(db.select(Enrolment).filter_by(supporter_id=supporter.id)))
        db.session.flush()
        db.session.add(Enrolment(sequence_id=old.id, supporter_id=supporter.id, next_step_at=utcnow(), context={}))
        db.session.commit()
        later = utcnow() + 3 * DAY
        advance_sequences(now=later)  # the welcome
        advance_sequences(now=later)  # day 3
        db.session.commit()
        texts = received(smtp_sink, now=later)
    first_gifts = {
        to: text for (to, subject), text in texts.items() if subject == "The first gift on your page can be yours"
    }
    assert "that you are in it for every kilometre" in first_gifts["runwalk@example.org"]
    assert "this cause is part of the celebration" in first_gifts["celebration@example.org"]
    assert "you believe in this cause" in first_gifts["ownidea@example.org"]
    assert "you believe in this cause" in first_gifts["birthday@example.org"], "an old enrolment: the general copy"
    welcomes = {to: text for (to, subject), text in texts.items() if subject.startswith("Your page is live")}
    assert "Your birthday page is live" not in welcomes["birthday@example.org"]
    assert "Your page for your run or walk is live" in welcomes["runwalk@example.org"]


def test_the_event_steps_are_steps_of_the_coaching_sequence_and_follow_the_date(app, smtp_sink):
    with request_context(app):
        page = live_page("polar_dip", "dana@example.org", event_in_days=30)
        assert event_emails(page) == {
            "fundraiser_event_soon": at_event(page, -7 * 24),
            "fundraiser_event_after": at_event(page, 24),
        }
        advance_sequences(now=utcnow() + 30 * DAY)
        queued = db.session.scalars(db.select(OutboundEmail.template).order_by(OutboundEmail.id)).all()
        assert queued.count("fundraiser_event_soon") == 1, "the sequence itself does not send its event steps"
        # The date moves: the plan follows it.
        page.event_on += timedelta(days=5)
        schedule_event_emails(page)
        db.session.commit()
        assert event_emails(page)["fundraiser_event_soon"] == at_event(page, -7 * 24)
        assert set(event_emails(page, "cancelled")) == {"fundraiser_event_soon", "fundraiser_event_after"}
        texts = received(smtp_sink, now=at_event(page, -7 * 24) + timedelta(minutes=1))
    [text] = [text for (_to, subject), text in texts.items() if subject.startswith("One week to go")]
    assert "promise them a photo of the splash" in text


def test_a_page_without_an_event_date_gets_the_coaching_but_no_event_email(app):
    with request_context(app):
        page = live_page("run_walk", "rita@example.org")
        assert event_emails(page) == {}
        assert db.session.scalar(db.select(Enrolment)).state == "active"


def test_opting_out_stops_the_event_emails(app, smtp_sink):
    with request_context(app):
        page = live_page("polar_dip", "dana@example.org", event_in_days=10)
        assert len(event_emails(page)) == 2
        withdraw_consent(page.supporter, "fundraiser_tips", form="test")
        db.session.commit()
        assert event_emails(page) == {}
        assert set(event_emails(page, "cancelled")) == {"fundraiser_event_soon", "fundraiser_event_after"}
        assert db.session.scalar(db.select(Enrolment)).state == "stopped"
        texts = received(smtp_sink, now=utcnow() + 20 * DAY)
    assert not [subject for _to, subject in texts if "One week to go" in subject or "Thank your donors" in subject]


def test_staff_retime_the_week_before_step_in_the_editor_and_a_new_page_follows(app, make_client):
    client, _admin = make_client("admin")
    with app.app_context():
        sequence = db.session.scalar(db.select(Sequence).filter_by(key="fundraiser_page_coaching"))
        soon = db.session.scalar(
            db.select(SequenceStep).filter_by(sequence_id=sequence.id, template="fundraiser_event_soon")
        )
        sequence_id, step_id = sequence.id, soon.id
    url = f"/staff/sequences/{sequence_id}"
    screen = client.get(url).get_data(as_text=True)
    assert "fundraiser_event_soon, 168 hours (7.0 days) before the event" in screen
    assert "fundraiser_event_after, 24 hours (1.0 days) after the event" in screen
    assert "fundraiser_coaching_welcome, 0 hours (0.0 days) after the start" in screen
    data = {f"step{step_id}-hours": "72", f"step{step_id}-side": "before", "csrf_token": csrf_token(client, url)}
    assert client.post(f"/staff/sequences/steps/{step_id}", data=data).status_code == 302
    assert "72 hours (3.0 days) before the event" in client.get(url).get_data(as_text=True)
    bad = {f"step{step_id}-hours": "-5", f"step{step_id}-side": "before", "csrf_token": csrf_token(client, url)}
    client.post(f"/staff/sequences/steps/{step_id}", data=bad)
    with app.app_context():
        assert db.session.get(SequenceStep, step_id).delay_hours == -72, "a refused change changes nothing"
    with request_context(app):
        page = live_page("polar_dip", "dana@example.org", event_in_days=30)
        assert event_emails(page)["fundraiser_event_soon"] == at_event(page, -72)
        assert event_emails(page)["fundraiser_event_after"] == at_event(page, 24)
        page_id = page.id
    # Moved after the event, the same step comes the day after.
    data = {f"step{step_id}-hours": "48", f"step{step_id}-side": "after", "csrf_token": csrf_token(client, url)}
    client.post(f"/staff/sequences/steps/{step_id}", data=data)
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        schedule_event_emails(page)
        db.session.commit()
        assert event_emails(page)["fundraiser_event_soon"] == at_event(page, 48)


def test_the_event_steps_wait_while_the_sequence_is_off(app):
    with request_context(app):
        db.session.scalar(db.select(Sequence).filter_by(key="fundraiser_page_coaching")).active = False
        db.session.commit()
        page = live_page("polar_dip", "dana@example.org", event_in_days=30)
        assert event_emails(page) == {}
