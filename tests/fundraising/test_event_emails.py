"""Coaching timed on a page's event: a week before and the day after, moved with the date, stopped when
the page is hidden or closed, and sent only to a fundraiser who agreed to tips."""

from datetime import timedelta

from crm.extensions import db
from crm.fundraising import signals
from crm.fundraising.models import Occasion
from crm.fundraising.notifications import schedule_event_emails
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.utc import utcnow
from tests.fundraising.test_notifications import app, ctx, page  # noqa: F401  (the same fixtures)


def _event_emails():
    query = (
        db.select(OutboundEmail).where(OutboundEmail.dedupe_key.startswith("page-event:")).order_by(OutboundEmail.id)
    )
    return [(e.template, e.status, e.due_at.date()) for e in db.session.scalars(query)]


def test_event_emails_follow_the_date_and_the_state_of_the_page(page, smtp_sink):  # noqa: F811
    today = utcnow().date()
    page.occasion = Occasion(campaign_id=page.campaign_id, kind="polar_dip", title_en="Dip")
    page.event_on = today + timedelta(days=30)
    signals.page_published.send(page=page, now=utcnow())
    db.session.commit()
    queued = [(t, s, d) for t, s, d in _event_emails() if s == "queued"]
    assert queued == [
        ("fundraiser_event_soon", "queued", today + timedelta(days=23)),
        ("fundraiser_event_after", "queued", today + timedelta(days=31)),
    ]
    # The date moves: the old plan is cancelled, the new one queued.
    page.event_on = today + timedelta(days=40)
    schedule_event_emails(page)
    db.session.commit()
    statuses = [(t, s) for t, s, d in _event_emails()]
    assert statuses.count(("fundraiser_event_soon", "cancelled")) == 1
    assert [d for t, s, d in _event_emails() if s == "queued"] == [
        today + timedelta(days=33),
        today + timedelta(days=41),
    ]
    # Hidden: nothing planned; shown again: planned again; closed: nothing.
    page.hide("check")
    signals.page_decided.send(page=page, decision="hidden", reason="check", now=utcnow())
    assert [s for t, s, d in _event_emails()].count("queued") == 0
    page.unhide()
    signals.page_decided.send(page=page, decision="unhidden", now=utcnow())
    assert [s for t, s, d in _event_emails()].count("queued") == 2
    # Sent when due, in the page's language, with the occasion's own advice.
    send_due(now=utcnow() + timedelta(days=34))
    [message] = [m for m in smtp_sink.parsed() if "One week to go" in m["Subject"]]
    assert "promise them a photo of the splash" in message.get_body(("plain",)).get_content()
    page.close(utcnow())
    signals.page_closed.send(page=page, now=utcnow())
    assert [s for t, s, d in _event_emails()].count("queued") == 0


def test_no_event_email_is_planned_for_a_past_date_or_a_page_without_one(page):  # noqa: F811
    page.event_on = None
    signals.page_published.send(page=page, now=utcnow())
    page.event_on = utcnow().date() - timedelta(days=3)
    signals.page_decided.send(page=page, decision="approved", now=utcnow())
    assert [s for t, s, d in _event_emails()].count("queued") == 0
