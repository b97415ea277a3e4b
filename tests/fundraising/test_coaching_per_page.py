"""Coaching per page: each published page has its own series (its occasion's welcome, its event's emails),
closing or hiding one page touches only its own, and staff who pause, resume or stop a page's series on
the sequence screen pause, plan again or cancel its event emails with it."""

from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr

import pytest

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import Campaign, FundraiserPage, Occasion
from crm.fundraising.notifications import EVENT_HOUR_UTC, schedule_event_emails
from crm.fundraising.services.pages import close_page, reopen_page
from crm.mail.models import Enrolment, OutboundEmail, Sequence
from crm.mail.services.delivery import send_due
from crm.mail.services.sequences import advance_sequences
from crm.supporters.models import Supporter
from crm.supporters.services.consent import grant_consent
from crm.supporters.wording import consent_wording
from crm.utc import utcnow
from tests.factories import supporter as make_supporter
from tests.helpers import csrf_token

DAY = timedelta(days=1)
EVENT_TEMPLATES = {"fundraiser_event_soon", "fundraiser_event_after"}


@pytest.fixture
def app(make_app, smtp_sink):
    return make_app(BASE_URL="https://crm.example", MAIL_RATE_PER_MINUTE=0)


def request_context(app):
    return app.test_request_context("/", base_url="https://crm.example")


def fundraiser(email="dana@example.org"):
    """Someone who agreed to fundraising tips."""
    person = make_supporter(email, first_name="Dana", language="en")
    text, version = consent_wording("fundraiser_tips", "en")
    grant_consent(
        person, "fundraiser_tips", "express", wording=text, wording_version=version, form="test", now=utcnow() - DAY
    )
    return person


def publish(person, campaign_slug, kind, event_in_days):
    """A page of `person` in its own campaign and occasion, just live; its publication announced."""
    campaign = Campaign(slug=campaign_slug, name_en=campaign_slug, status="open")
    db.session.add(campaign)
    db.session.flush()
    occasion = Occasion(campaign_id=campaign.id, kind=kind, title_en=kind)
    db.session.add(occasion)
    db.session.flush()
    page = FundraiserPage(
        campaign_id=campaign.id, occasion_id=occasion.id, supporter_id=person.id, slug=f"{kind}-page",
        title=f"Dana's {kind.replace('_', ' ')}", goal_cents=100000, status="live", language="en",
        published_at=utcnow(), event_on=utcnow().date() + timedelta(days=event_in_days),
    )  # fmt: skip
    db.session.add(page)
    db.session.flush()
    signals.page_published.send(page=page, now=utcnow())
    db.session.commit()
    return page


def at_event(page, hours):
    return datetime.combine(page.event_on, time(EVENT_HOUR_UTC), UTC) + timedelta(hours=hours)


def event_emails(page, status="queued"):
    query = db.select(OutboundEmail).where(
        OutboundEmail.dedupe_key.startswith(f"page-event:{page.id}:"), OutboundEmail.status == status
    )
    return {email.template: email.due_at for email in db.session.scalars(query)}


def planned(page):
    """The event emails a page should have queued: a week before and the day after its event."""
    return {"fundraiser_event_soon": at_event(page, -7 * 24), "fundraiser_event_after": at_event(page, 24)}


def enrolment_of(page):
    return db.session.scalar(db.select(Enrolment).filter_by(subject_key=f"fundraiser_page:{page.id}"))


def sent_subjects(smtp_sink, now):
    send_due(now=now)
    return [(parseaddr(m["To"])[1], m["Subject"], m.get_body(("plain",)).get_content()) for m in smtp_sink.parsed()]


def test_a_second_page_of_another_occasion_gets_its_own_series(app, smtp_sink):
    with request_context(app):
        person = fundraiser()
        birthday = publish(person, "birthdays", "birthday", event_in_days=20)
        dip = publish(person, "winter-dip", "polar_dip", event_in_days=40)
        enrolments = db.session.scalars(db.select(Enrolment).order_by(Enrolment.id)).all()
        assert [(e.supporter_id, e.context["occasion"], e.state) for e in enrolments] == [
            (person.id, "birthday", "active"),
            (person.id, "polar_dip", "active"),
        ]
        assert [e.context["page_id"] for e in enrolments] == [birthday.id, dip.id]
        assert event_emails(birthday) == planned(birthday) and event_emails(dip) == planned(dip)
        signals.page_published.send(page=dip, now=utcnow())  # announced twice: still one series for the page
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 2
        advance_sequences()
        db.session.commit()
        texts = sent_subjects(smtp_sink, utcnow())
    welcomes = [text for _to, subject, text in texts if subject.startswith("Your page is live")]
    assert len(welcomes) == 2
    assert any("Your birthday page is live" in text for text in welcomes)
    assert any("Your polar dip page is live" in text for text in welcomes)


def test_closing_or_hiding_one_page_stops_only_its_own_series(app):
    with request_context(app):
        person = fundraiser()
        birthday = publish(person, "birthdays", "birthday", event_in_days=20)
        dip = publish(person, "winter-dip", "polar_dip", event_in_days=40)
        # Hidden by staff: the birthday's series waits, the dip's goes on.
        birthday.hide("check")
        signals.page_decided.send(page=birthday, decision="hidden", reason="check", now=utcnow())
        db.session.commit()
        assert (enrolment_of(birthday).state, enrolment_of(dip).state) == ("paused", "active")
        assert event_emails(birthday) == {} and event_emails(dip) == planned(dip)
        birthday.unhide()
        signals.page_decided.send(page=birthday, decision="unhidden", now=utcnow())
        db.session.commit()
        assert enrolment_of(birthday).state == "active" and event_emails(birthday) == planned(birthday)
        # Closed by its fundraiser: the dip's series stops, the birthday's goes on.
        close_page(dip)
        db.session.commit()
        assert (enrolment_of(dip).state, enrolment_of(dip).stopped_reason) == ("stopped", "page_closed")
        assert enrolment_of(birthday).state == "active"
        assert event_emails(dip) == {} and event_emails(birthday) == planned(birthday)
        # Reopened, the dip's event emails come back (its welcome and tips do not start again).
        reopen_page(dip)
        db.session.commit()
        assert event_emails(dip) == planned(dip) and enrolment_of(dip).state == "stopped"
        assert advance_sequences(now=utcnow() + 3 * DAY) == 1, "only the birthday's day-3 step"


def _staff_move(client, sequence_id, enrolment_id, state):
    url = f"/staff/sequences/{sequence_id}"
    token = csrf_token(client, url)
    response = client.post(f"/staff/sequences/enrolments/{enrolment_id}/{state}", data={"csrf_token": token})
    assert response.status_code == 302


def test_staff_pausing_resuming_and_stopping_a_series_on_the_sequence_screen_moves_its_event_emails(
    app, make_client, smtp_sink
):
    client, _admin = make_client("admin")
    with request_context(app):
        person = fundraiser()
        birthday = publish(person, "birthdays", "birthday", event_in_days=20)
        dip = publish(person, "winter-dip", "polar_dip", event_in_days=40)
        sequence_id = db.session.scalar(db.select(Sequence.id).filter_by(key="fundraiser_page_coaching"))
        birthday_id, dip_id = birthday.id, dip.id
        birthday_series, dip_series = enrolment_of(birthday).id, enrolment_of(dip).id
    screen = client.get(f"/staff/sequences/{sequence_id}").get_data(as_text=True)
    assert "Dana&#39;s birthday" in screen and "Dana&#39;s polar dip" in screen, "each series names its page"

    _staff_move(client, sequence_id, dip_series, "paused")
    with request_context(app):
        dip, birthday = db.session.get(FundraiserPage, dip_id), db.session.get(FundraiserPage, birthday_id)
        assert event_emails(dip) == {}, "paused: its queued event emails are cancelled"
        assert set(event_emails(dip, "cancelled")) == EVENT_TEMPLATES
        assert event_emails(birthday) == planned(birthday), "the other page's series is untouched"
    _staff_move(client, sequence_id, dip_series, "active")
    with request_context(app):
        dip = db.session.get(FundraiserPage, dip_id)
        assert event_emails(dip) == planned(dip), "resumed: planned again, at the same times"

    _staff_move(client, sequence_id, birthday_series, "stopped")
    with request_context(app):
        birthday = db.session.get(FundraiserPage, birthday_id)
        assert enrolment_of(birthday).state == "stopped" and event_emails(birthday) == {}
        # A later change of date does not bring back what staff stopped.
        birthday.event_on += timedelta(days=2)
        schedule_event_emails(birthday)
        db.session.commit()
        assert event_emails(birthday) == {}
        after_both = at_event(db.session.get(FundraiserPage, dip_id), 25)
        texts = sent_subjects(smtp_sink, after_both)
        person_id = db.session.scalar(db.select(Supporter.id).filter_by(email="dana@example.org"))
        statuses = db.session.scalars(
            db.select(OutboundEmail.status).where(
                OutboundEmail.supporter_id == person_id, OutboundEmail.dedupe_key.startswith(f"page-event:{dip_id}:")
            )
        ).all()
    soon = [subject for _to, subject, _text in texts if subject.startswith("One week to go")]
    assert soon == ["One week to go: “Dana's polar dip”"], "the stopped birthday's week-before never goes"
    assert statuses.count("sent") == 2


def test_a_resumed_series_plans_only_what_is_still_ahead(app, make_client):
    client, _admin = make_client("admin")
    with request_context(app):
        page = publish(fundraiser(), "winter-dip", "polar_dip", event_in_days=3)
        assert event_emails(page) == {"fundraiser_event_after": at_event(page, 24)}, "a week before is past"
        sequence_id = db.session.scalar(db.select(Sequence.id).filter_by(key="fundraiser_page_coaching"))
        series, page_id = enrolment_of(page).id, page.id
    _staff_move(client, sequence_id, series, "paused")
    _staff_move(client, sequence_id, series, "active")
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        assert event_emails(page) == {"fundraiser_event_after": at_event(page, 24)}
        assert len(event_emails(page, "cancelled")) == 1


def test_unhiding_a_page_resumes_only_the_pause_its_hiding_made(app, make_client):
    client, _admin = make_client("admin")
    with request_context(app):
        page = publish(fundraiser(), "winter-dip", "polar_dip", event_in_days=20)
        sequence_id = db.session.scalar(db.select(Sequence.id).filter_by(key="fundraiser_page_coaching"))
        series, page_id = enrolment_of(page).id, page.id
    _staff_move(client, sequence_id, series, "paused")  # staff pause the series first
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        page.hide("check")
        signals.page_decided.send(page=page, decision="hidden", reason="check", now=utcnow())
        page.unhide()
        signals.page_decided.send(page=page, decision="unhidden", now=utcnow())
        db.session.commit()
        assert (enrolment_of(page).state, enrolment_of(page).stopped_reason) == ("paused", "paused by staff")
        assert event_emails(page) == {}, "still paused by staff: no event emails"
    screen = client.get(f"/staff/sequences/{sequence_id}").get_data(as_text=True)
    assert "<td>Paused (paused by staff)</td>" in screen
    client.get("/language/fr")
    screen = client.get(f"/staff/sequences/{sequence_id}").get_data(as_text=True)
    assert "<td>En pause (mise en pause par l’équipe)</td>" in screen, "the state and its reason in words"
    client.get("/language/en")
    _staff_move(client, sequence_id, series, "active")
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        assert (enrolment_of(page).state, enrolment_of(page).stopped_reason) == ("active", "")
        assert event_emails(page) == planned(page)


def test_a_series_past_its_start_steps_can_still_be_paused_and_stopped_before_its_event(app, make_client):
    client, _admin = make_client("admin")
    with request_context(app):
        page = publish(fundraiser(), "winter-dip", "polar_dip", event_in_days=40)
        for days in (0, 3, 7):  # welcome, first gift, share: the start steps all run
            advance_sequences(now=utcnow() + days * DAY + timedelta(minutes=1))
        db.session.commit()
        assert enrolment_of(page).state == "completed" and event_emails(page) == planned(page)
        sequence_id = db.session.scalar(db.select(Sequence.id).filter_by(key="fundraiser_page_coaching"))
        series, page_id = enrolment_of(page).id, page.id
        queued_before = db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail))
    screen = client.get(f"/staff/sequences/{sequence_id}").get_data(as_text=True)
    assert f"/staff/sequences/enrolments/{series}/paused" in screen
    assert f"/staff/sequences/enrolments/{series}/stopped" in screen
    _staff_move(client, sequence_id, series, "paused")
    with request_context(app):
        assert event_emails(db.session.get(FundraiserPage, page_id)) == {}
    _staff_move(client, sequence_id, series, "active")
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        assert enrolment_of(page).state == "completed", "resumed, it is back where it was: nothing to send again"
        assert event_emails(page) == planned(page)
        assert advance_sequences(now=utcnow() + 30 * DAY) == 0
        queued = db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail))
        assert queued == queued_before + 2, "only the event emails planned again"
    _staff_move(client, sequence_id, series, "stopped")
    with request_context(app):
        page = db.session.get(FundraiserPage, page_id)
        assert (enrolment_of(page).state, event_emails(page)) == ("stopped", {})


def test_opting_out_stops_a_completed_series_and_its_event_emails(app):
    from crm.mail.services.sequences import stop_enrolments

    with request_context(app):
        page = publish(fundraiser(), "winter-dip", "polar_dip", event_in_days=40)
        for days in (0, 3, 7):
            advance_sequences(now=utcnow() + days * DAY + timedelta(minutes=1))
        assert enrolment_of(page).state == "completed"
        stop_enrolments(page.supporter, "unsubscribed")
        db.session.commit()
        assert (enrolment_of(page).state, event_emails(page)) == ("stopped", {})
