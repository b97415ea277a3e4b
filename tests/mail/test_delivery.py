"""The outbox and the worker against a real SMTP server (aiosmtpd)."""

from datetime import timedelta

from crm.extensions import db
from crm.mail.models import EmailCopy, OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.outbox import enqueue_email
from crm.supporters.services.consent import is_suppressed, suppress_email, withdraw_consent
from crm.utc import utcnow


def queue_welcome(supporter, key=None, **kwargs):
    email = enqueue_email(
        key or f"welcome:{supporter.id}",
        "newsletter_welcome",
        supporter.email,
        to_name=supporter.display_name,
        supporter=supporter,
        language=supporter.language,
        purpose="newsletter",
        **kwargs,
    )
    db.session.commit()
    return email


def test_queued_message_arrives_with_both_parts_and_the_unsubscribe_headers(subscriber, smtp_sink):
    supporter = subscriber()
    email = queue_welcome(supporter)
    result = send_due()
    assert (result.claimed, result.sent) == (1, 1)
    (message,) = smtp_sink.parsed()
    assert message["To"] == "Sam <sub@example.org>"
    assert message["From"] == "Demo Charity <hello@charity.example>"
    assert message["Subject"] == "Welcome to Demo Charity news"
    assert message["Message-ID"].endswith("@charity.example>")
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://crm.example/mail/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Sam," in text and "Hello Sam," in html
    for part in (text, html):
        assert "123 Main St, Winnipeg MB R3C 0A1" in part
        assert "123456789RR0001" in part
        assert "https://crm.example/preferences/" in part
    db.session.refresh(email)
    assert email.status == "sent"
    assert email.smtp_response.startswith("250")
    assert email.message_id == message["Message-ID"]


def test_a_message_in_french_for_a_french_speaker(subscriber, smtp_sink):
    queue_welcome(subscriber(email="fr@example.org", first_name="Élise", language="fr"))
    send_due()
    (message,) = smtp_sink.parsed()
    assert message["Subject"] == "Bienvenue aux nouvelles de Demo Charity"
    assert message["Content-Language"] == "fr"
    assert "Bonjour Élise," in message.get_body(("plain",)).get_content()
    assert "Choisissez les courriels que vous recevez" in message.get_body(("html",)).get_content()


def test_same_dedupe_key_queues_once(subscriber, smtp_sink):
    supporter = subscriber()
    first = queue_welcome(supporter, key="welcome:once")
    second = queue_welcome(supporter, key="welcome:once")
    assert first.id == second.id
    send_due()
    assert len(smtp_sink.messages) == 1


def test_unsubscribe_after_queueing_stops_the_message(subscriber, smtp_sink):
    supporter = subscriber()
    email = queue_welcome(supporter)
    withdraw_consent(supporter, "all", form="test")
    db.session.commit()
    result = send_due()
    assert result.skipped == 1 and smtp_sink.messages == []
    db.session.refresh(email)
    assert email.status == "skipped" and "withdrawn" in email.last_error


def test_suppressed_address_gets_nothing_even_transactional(subscriber, smtp_sink):
    supporter = subscriber()
    enqueue_email("receipt:1", "newsletter_welcome", supporter.email, supporter=supporter, purpose="transactional")
    suppress_email(supporter.email, "complaint")
    db.session.commit()
    assert send_due().skipped == 1
    assert smtp_sink.messages == []


def test_messages_wait_until_due(subscriber, smtp_sink):
    supporter = subscriber()
    queue_welcome(supporter, due_at=utcnow() + timedelta(hours=1))
    assert send_due().claimed == 0
    assert send_due(now=utcnow() + timedelta(hours=2)).sent == 1


def test_outage_loses_nothing_and_sends_each_message_once(subscriber, smtp_sink):
    people = [subscriber(email=f"p{n}@example.org") for n in range(5)]
    for person in people:
        queue_welcome(person)
    smtp_sink.stop()
    result = send_due()
    assert (result.claimed, result.retried, result.sent) == (5, 5, 0)
    rows = db.session.scalars(db.select(OutboundEmail)).all()
    assert {row.status for row in rows} == {"queued"}
    assert all(row.attempts == 1 and "connection" in row.last_error for row in rows)
    assert send_due().claimed == 0, "retries wait for their backoff"

    smtp_sink.start()
    result = send_due(now=utcnow() + timedelta(minutes=2))
    assert result.sent == 5
    assert sorted(m["To"] for m in smtp_sink.parsed()) == sorted(f"Sam <p{n}@example.org>" for n in range(5))
    assert send_due(now=utcnow() + timedelta(days=1)).claimed == 0


def test_backoff_doubles_and_gives_up_after_the_last_attempt(app, subscriber, smtp_sink):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    email = queue_welcome(subscriber())
    smtp_sink.stop()
    now = utcnow()
    delays = []
    for _ in range(3):
        send_due(now=now)
        db.session.refresh(email)
        delays.append(round((email.due_at - now).total_seconds()))
        now = email.due_at + timedelta(seconds=1)
    assert delays[:2] == [60, 120]
    assert email.status == "failed" and email.attempts == 3


def test_permanent_refusal_fails_and_suppresses_the_address(subscriber, smtp_sink):
    supporter = subscriber(email="gone@example.org")
    smtp_sink.refuse["gone@example.org"] = "550 5.1.1 No such user"
    email = queue_welcome(supporter)
    result = send_due()
    assert result.failed == 1
    db.session.refresh(email)
    assert email.status == "failed" and email.smtp_response.startswith("550")
    assert is_suppressed("gone@example.org")


def test_temporary_refusal_retries(subscriber, smtp_sink):
    supporter = subscriber(email="busy@example.org")
    smtp_sink.refuse["busy@example.org"] = "451 4.3.0 Try again later"
    email = queue_welcome(supporter)
    assert send_due().retried == 1
    db.session.refresh(email)
    assert email.status == "queued" and not is_suppressed("busy@example.org")
    del smtp_sink.refuse["busy@example.org"]
    assert send_due(now=utcnow() + timedelta(minutes=5)).sent == 1


def test_header_injection_in_a_name_stays_a_name(subscriber, smtp_sink):
    supporter = subscriber()
    supporter.first_name = "Eve\r\nBcc: victim@example.org\r\nSubject: pwned"
    db.session.commit()
    enqueue_email(
        "lead:1", "fundraiser_lead", "events@charity.example", purpose="internal",
        to_name="Team\r\nBcc: victim@example.org",
        context={"lead_name": supporter.first_name, "lead_email": supporter.email, "lead_phone": "", "details": ""},
    )  # fmt: skip
    queue_welcome(supporter)
    assert send_due().sent == 2
    for envelope in smtp_sink.messages:
        assert "victim@example.org" not in envelope.rcpt_tos
    for message in smtp_sink.parsed():
        assert message["Bcc"] is None
        assert message["Subject"] != "pwned"
        assert "\n" not in message["Subject"] and "\n" not in message["To"]


def test_staff_copy_cannot_reach_the_application(app, subscriber, smtp_sink):
    supporter = subscriber()
    db.session.add(
        EmailCopy(template="newsletter_welcome", language="en", subject="Hi {{ first_name }} {{ config }}",
                  body="{{ config.SECRET_KEY }}{{ self }}{{ request }}")
    )  # fmt: skip
    queue_welcome(supporter, key="a")
    db.session.commit()
    send_due()
    (message,) = smtp_sink.parsed()
    assert message["Subject"] == "Hi Sam"
    assert app.config["SECRET_KEY"] not in message.get_body(("plain",)).get_content()

    copy = db.session.scalar(db.select(EmailCopy))
    copy.body = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    email = queue_welcome(supporter, key="b")
    db.session.commit()
    assert send_due().failed == 1
    db.session.refresh(email)
    assert email.status == "failed" and "cannot render" in email.last_error
