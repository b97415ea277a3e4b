"""Signals queue the right follow-ups; sequences send day 3 and day 7 unless stopped."""

from datetime import timedelta

import pytest
from blinker import signal

from crm.extensions import db
from crm.mail.models import Enrolment, OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.sequences import advance_sequences, set_enrolment_state
from crm.supporters.models import Inquiry, Signup
from crm.supporters.services.consent import grant_consent
from crm.supporters.services.intake import find_or_create_supporter
from crm.supporters.services.preferences import make_preference_token
from crm.supporters.signals import inquiry_received, signed_up
from crm.utc import utcnow

DAY = timedelta(days=1)


@pytest.fixture
def lead(ctx):
    """Someone who asked to learn about starting a fundraiser, announced as the public form does."""
    supporter, _, _ = find_or_create_supporter("lee@example.org", first_name="Lee", language="fr")
    signup = Signup(supporter_id=supporter.id, form="fundraiser_interest", event_kind="polar_dip", message="Hi")
    db.session.add(signup)
    grant_consent(supporter, "fundraiser_tips", "implied_inquiry", form="fundraiser_interest")
    db.session.flush()
    signed_up.send(supporter=supporter, signup=signup)
    db.session.commit()
    return supporter


def templates_queued():
    return sorted(e.template for e in db.session.scalars(db.select(OutboundEmail)))


def test_fundraiser_interest_queues_guide_lead_and_enrols(lead, app):
    assert templates_queued() == ["fundraiser_guide", "fundraiser_lead"]
    guide = db.session.scalar(db.select(OutboundEmail).filter_by(template="fundraiser_guide"))
    assert (guide.dedupe_key, guide.language, guide.purpose) == (f"guide:supporter:{lead.id}", "fr", "fundraiser_tips")
    notify = db.session.scalar(db.select(OutboundEmail).filter_by(template="fundraiser_lead"))
    assert notify.to_address == app.config["EVENTS_TEAM_EMAIL"] and notify.purpose == "internal"
    enrolment = db.session.scalar(db.select(Enrolment))
    assert enrolment.state == "active"
    assert enrolment.next_step_at - enrolment.started_at == 3 * DAY


def test_signing_up_twice_queues_the_guide_once(lead):
    signup = Signup(supporter_id=lead.id, form="fundraiser_interest")
    db.session.add(signup)
    db.session.flush()
    signed_up.send(supporter=lead, signup=signup)
    db.session.commit()
    assert templates_queued().count("fundraiser_guide") == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 1


def test_sequence_sends_day_3_then_day_7_then_completes(lead, smtp_sink):
    start = db.session.scalar(db.select(Enrolment)).started_at
    assert advance_sequences(now=start + 2 * DAY) == 0
    assert advance_sequences(now=start + 3 * DAY) == 1
    assert advance_sequences(now=start + 3 * DAY) == 0, "a step is queued once"
    assert advance_sequences(now=start + 7 * DAY) == 1
    db.session.commit()
    assert templates_queued().count("fundraiser_questions") == 1
    assert templates_queued().count("fundraiser_ready") == 1
    assert db.session.scalar(db.select(Enrolment)).state == "completed"
    send_due(now=start + 7 * DAY)
    subjects = sorted(m["Subject"] for m in smtp_sink.parsed())
    assert "Des questions sur votre collecte de fonds?" in subjects
    assert "Prêt à créer votre page de collecte?" in subjects


def test_marketing_can_change_a_delay_without_a_deploy(lead):
    enrolment = db.session.scalar(db.select(Enrolment))
    enrolment.sequence.steps[0].delay_hours = 24
    db.session.commit()
    other, _, _ = find_or_create_supporter("kim@example.org")
    signup = Signup(supporter_id=other.id, form="fundraiser_interest")
    db.session.add(signup)
    db.session.flush()
    signed_up.send(supporter=other, signup=signup)
    db.session.commit()
    later = db.session.scalar(db.select(Enrolment).filter_by(supporter_id=other.id))
    assert later.next_step_at - later.started_at == DAY


def test_starting_a_page_stops_the_sequence(lead):
    signal("fundraising.page_started").send(supporter=lead)
    db.session.commit()
    enrolment = db.session.scalar(db.select(Enrolment))
    assert (enrolment.state, enrolment.stopped_reason) == ("stopped", "started_fundraiser_page")
    assert advance_sequences(now=utcnow() + 10 * DAY) == 0


def test_one_click_post_unsubscribes_and_the_queued_day_3_email_is_not_sent(lead, client, smtp_sink):
    start = db.session.scalar(db.select(Enrolment)).started_at
    advance_sequences(now=start + 3 * DAY)
    db.session.commit()
    token = make_preference_token(lead)

    assert client.get(f"/mail/unsubscribe/{token}").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(Enrolment)).state == "active", "a GET (link scanner) changes nothing"

    response = client.post(f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200  # no redirect: RFC 8058
    db.session.expire_all()
    assert db.session.scalar(db.select(Enrolment)).state == "stopped"
    send_due(now=start + 3 * DAY)
    templates_sent = [e.template for e in db.session.scalars(db.select(OutboundEmail).filter_by(status="sent"))]
    assert "fundraiser_questions" not in templates_sent
    skipped = db.session.scalar(db.select(OutboundEmail).filter_by(template="fundraiser_questions"))
    assert skipped.status == "skipped"


def test_staff_can_pause_resume_and_stop_an_enrolment(lead):
    enrolment = db.session.scalar(db.select(Enrolment))
    set_enrolment_state(enrolment, "paused")
    assert advance_sequences(now=utcnow() + 4 * DAY) == 0
    set_enrolment_state(enrolment, "active")
    set_enrolment_state(enrolment, "stopped")
    assert enrolment.state == "stopped"
    with pytest.raises(ValueError):
        set_enrolment_state(enrolment, "active")


@pytest.mark.parametrize("kind", ["media", "events"])
def test_inquiry_queues_acknowledgement_and_notification(ctx, app, kind):
    supporter, _, _ = find_or_create_supporter("reporter@example.org", first_name="Rae")
    inquiry = Inquiry(supporter_id=supporter.id, kind=kind, name="Rae", email=supporter.email, topic="Interview")
    db.session.add(inquiry)
    db.session.flush()
    inquiry_received.send(supporter=supporter, inquiry=inquiry)
    db.session.commit()
    rows = {e.template: e for e in db.session.scalars(db.select(OutboundEmail))}
    assert set(rows) == {f"{kind}_ack", f"{kind}_notify"}
    team = app.config["MEDIA_CONTACT_EMAIL" if kind == "media" else "EVENTS_TEAM_EMAIL"]
    assert rows[f"{kind}_notify"].to_address == team
    assert rows[f"{kind}_ack"].to_address == "reporter@example.org"
