"""Issue 11: a name typed as an RFC 2047 encoded word never becomes a header of its own.

Python's email package decodes `=?utf-8?q?...=0D=0A...?=` wherever it parses a header, and Python
3.11 before 3.11.10 wrote the decoded CR/LF out raw (CVE-2024-6923): the name put real Bcc: and
Reply-To: headers, or a body of the attacker's, into the mail. Each flow below takes the hostile
text through the public form or service that really takes it, the real worker delivers to the
real SMTP server, and the checks read the bytes that server received.
"""

import base64
import re
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header
from email.message import EmailMessage
from email.policy import SMTP, default

import pytest

from crm.catalog.services.checkout import card_dates
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.delivery import send_due
from crm.mail.services.headers import url_list_header
from crm.mail.services.outbox import enqueue_email
from crm.mail.services.sequences import advance_sequences
from crm.payments.services.plan_links import manage_url
from crm.supporters.models import Supporter
from crm.supporters.services.consent import grant_consent, may_email
from crm.supporters.wording import consent_wording
from crm.utc import utcnow
from tests import factories
from tests.catalog.checkout_helpers import card_fields, check_out, fill_cart
from tests.helpers import csrf_token, post_form
from tests.payments.helpers import card_token, gift_form, gifts, give, give_monthly

SENDER = "Demo Charity <hello@charity.example>"
EVENTS_TEAM = "events@charity.example"
MEDIA_TEAM = "media@charity.example"


def _b64_word(text):
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


HOSTILE = {
    # The string: a quoted-printable encoded word holding CRLF and two headers.
    "qp-bcc-reply-to": "Eve =?utf-8?q?x=0D=0ABcc:_injected@evil.example=0D=0AReply-To:_attacker@evil.example?=",
    # Base64 this time, with an empty line: the rest would be a body of the attacker's.
    "b64-body": "Eve " + _b64_word("x\r\nBcc: injected@evil.example\r\n\r\nAttacker body"),
}

ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?=")
# The only headers our messages have; anything else in a header block was injected.
ALLOWED_HEADERS = {
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "auto-submitted",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-language",
}
# A sentence of each message's own copy: the body is the message's, whole, not the attacker's.
BODY_MARKERS = {
    "events_ack": "We will get back to you soon.",
    "events_notify": "An events or general inquiry has arrived.",
    "media_ack": "Our media team has your request",
    "media_notify": "A media inquiry has arrived.",
    "fundraiser_guide": "Thank you for signing up to learn more about starting a fundraiser.",
    "fundraiser_lead": "A new person wants to learn about starting a fundraiser.",
    "fundraiser_questions": "A few days ago you asked about starting a fundraiser.",
    "newsletter_confirm": "Please confirm that you want our emails",
    "newsletter_welcome": "Your subscription is confirmed.",
    "gift_thanks": "Thank you for your gift of",
    "tribute_note": "and asked us to let you know.",
    "order_confirmation": "Thank you for your order.",
    "honour_ecard": "in your honour:",
    "plan_cancelled": "is cancelled: nothing more will be charged to your card.",
}


@pytest.fixture
def app(make_app, smtp_sink, localstripe):
    return make_app(
        BASE_URL="https://crm.example",
        MAIL_RATE_PER_MINUTE=0,
        MAIL_DEFAULT_SENDER=SENDER,
        FORM_MIN_SECONDS=0,
        RATELIMIT_ENABLED=False,
        EVENTS_TEAM_EMAIL=EVENTS_TEAM,
        MEDIA_CONTACT_EMAIL=MEDIA_TEAM,
    )


def deliver(app, now=None):
    with app.app_context():
        return send_due(now=now)


def header_names(block):
    """Return the names of the fields of a raw header block (continuation lines belong to the field above)."""
    lines = block.split(b"\r\n")
    return [
        line.split(b":", 1)[0].strip().decode("ascii", "replace").lower() for line in lines if line[:1] not in b" \t"
    ]


def assert_safe(envelope, recipient, template, hostile):
    raw = envelope.content
    assert envelope.rcpt_tos == [recipient], (template, envelope.rcpt_tos)
    # The raw header block: only our fields, one To, and no line a decoded CR/LF could have started.
    head, separator, _ = raw.partition(b"\r\n\r\n")
    assert separator, template
    names = header_names(head)
    assert set(names) <= ALLOWED_HEADERS, (template, names)
    assert names.count("to") == names.count("from") == names.count("subject") == 1, (template, names)
    assert not re.search(rb"(?im)^(bcc|cc|reply-to)\s*:", head), template
    # No encoded word of the input survives as one: every encoded word on the wire is one the
    # generator made of plain text, and none decodes to a line break.
    for word in ENCODED_WORD.findall(head.decode("ascii")):
        ((decoded, charset),) = decode_header(word)
        decoded = decoded.decode(charset or "ascii")
        assert "\r" not in decoded and "\n" not in decoded and "=?" not in decoded, (template, word)
    # Parsed as a mail client parses it: exactly the recipient, our sender, no line break in any value.
    message = message_from_bytes(raw, policy=default)
    assert [a.addr_spec for a in message["To"].addresses] == [recipient], template
    assert message["From"] == SENDER
    for name in ("Bcc", "Cc", "Reply-To", "Resent-To"):
        assert message[name] is None, (template, name)
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), (template, name, str(value))
    # The body is the message's own: its parts, its copy, no part headers from the input.
    assert message.get_content_type() in ("multipart/alternative", "multipart/mixed"), template
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert BODY_MARKERS[template] in text and BODY_MARKERS[template] in html, template
    assert not text.lstrip().startswith("Attacker"), template
    for part in message.walk():
        assert part["Bcc"] is None and part["Reply-To"] is None, template
    return message, text


def check_delivered(app, smtp_sink, expected, hostile, shown_in_subject=()):
    """Every message sent is one of `expected` ({template: recipient}), each safe on the wire."""
    with app.app_context():
        sent = {
            e.message_id: (e.template, e.to_address)
            for e in db.session.scalars(db.select(OutboundEmail).filter_by(status="sent"))
        }
        failed = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.status != "sent")).all()
        assert not [(e.template, e.status, e.last_error) for e in failed]
    assert sorted(sent.values()) == sorted(expected.items())
    assert len(smtp_sink.messages) == len(expected)
    for envelope in smtp_sink.messages:
        message_id = message_from_bytes(envelope.content, policy=default)["Message-ID"]
        template, recipient = sent[message_id]
        message, _text = assert_safe(envelope, recipient, template, hostile)
        if template in shown_in_subject:
            # The name stays in the subject, as the text it is (never decoded into anything).
            assert "Eve" in message["Subject"] and "= ?utf-8?" in message["Subject"], message["Subject"]


# --- the flows ---------------------------------------------------------------------------------


def events_inquiry(app, client, localstripe, smtp_sink, hostile):
    form = {"name": hostile, "email": "dev@example.org", "topic": "general question", "message": "Hello team."}
    assert post_form(client, "/contact/events", form).status_code == 302
    assert deliver(app).sent == 2
    expected = {"events_ack": "dev@example.org", "events_notify": EVENTS_TEAM}
    check_delivered(app, smtp_sink, expected, hostile, shown_in_subject={"events_notify"})
    notify = next(m for m in smtp_sink.parsed() if m["To"].addresses[0].addr_spec == EVENTS_TEAM)
    assert f"From: {hostile} <dev@example.org>" in notify.get_body(("plain",)).get_content()


def media_inquiry(app, client, localstripe, smtp_sink, hostile):
    form = {
        "name": hostile,
        "outlet": hostile,
        "email": "chloe@example.org",
        "phone": "",
        "deadline": "",
        "topic": hostile,
        "message": "Could someone speak to us on Friday?",
    }
    assert post_form(client, "/contact/media", form).status_code == 302
    assert deliver(app).sent == 2
    expected = {"media_ack": "chloe@example.org", "media_notify": MEDIA_TEAM}
    check_delivered(app, smtp_sink, expected, hostile, shown_in_subject={"media_notify"})


def fundraiser_interest(app, client, localstripe, smtp_sink, hostile):
    form = {"first_name": hostile, "last_name": hostile, "email": "bea@example.org", "event_kind": "polar_dip"}
    assert post_form(client, "/fundraise/learn-more", form).status_code == 302
    assert deliver(app).sent == 2
    # The follow-up sequence's day-3 email carries the name too.
    later = utcnow() + timedelta(days=3, minutes=1)
    with app.app_context():
        advance_sequences(now=later)
        db.session.commit()
    assert deliver(app, now=later).sent == 1
    expected = {
        "fundraiser_guide": "bea@example.org",
        "fundraiser_lead": EVENTS_TEAM,
        "fundraiser_questions": "bea@example.org",
    }
    check_delivered(app, smtp_sink, expected, hostile, shown_in_subject={"fundraiser_lead"})


def newsletter_signup(app, client, localstripe, smtp_sink, hostile):
    page = client.get("/newsletter").get_data(as_text=True)
    version = re.search(r'name="wording_version" type="hidden" value="([^"]+)"', page).group(1)
    form = {"email": "nina@example.org", "first_name": hostile, "language": "en", "consent": "y"}
    assert post_form(client, "/newsletter", {**form, "wording_version": version}).status_code == 302
    assert deliver(app).sent == 1
    (confirm,) = smtp_sink.parsed()
    url = re.search(r"https://crm\.example(/preferences/confirm/\S+)", confirm.get_body(("plain",)).get_content())
    client.post(url.group(1), data={"csrf_token": csrf_token(client, url.group(1))})
    assert deliver(app).sent == 1
    expected = {"newsletter_confirm": "nina@example.org", "newsletter_welcome": "nina@example.org"}
    check_delivered(app, smtp_sink, expected, hostile)


def donation_with_tribute(app, client, localstripe, smtp_sink, hostile):
    form = gift_form(
        card_token(localstripe),
        first_name=hostile,
        last_name=hostile,
        email="donor@example.org",
        language="en",
        tribute_kind="honour",
        tribute_name=hostile,
        tribute_notify_email="family@example.org",
        tribute_note=hostile,
    )
    response = give(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deliver(app).sent == 2
    expected = {"gift_thanks": "donor@example.org", "tribute_note": "family@example.org"}
    check_delivered(app, smtp_sink, expected, hostile, shown_in_subject={"tribute_note"})
    note = next(m for m in smtp_sink.parsed() if m["To"].addresses[0].addr_spec == "family@example.org")
    assert hostile in note.get_body(("plain",)).get_content()  # the note itself, as typed


def monthly_gift_cancelled(app, client, localstripe, smtp_sink, hostile):
    response = give_monthly(client, localstripe, first_name=hostile, email="monthly@example.org", language="en")
    assert response.status_code == 302, response.get_data(as_text=True)
    [gift] = gifts(app)
    with app.app_context(), app.test_request_context():
        link = manage_url(gift, external=False)
    cancel = link + "/cancel"
    assert client.post(cancel, data={"csrf_token": csrf_token(client, cancel)}).status_code == 302
    assert deliver(app).sent == 2
    expected = {"gift_thanks": "monthly@example.org", "plan_cancelled": "monthly@example.org"}
    check_delivered(app, smtp_sink, expected, hostile)


def order_with_ecard(app, client, localstripe, smtp_sink, hostile):
    with app.app_context():
        item_id = factories.item("school-fees", 5000).id
        day = card_dates()[0]
        db.session.commit()
    fill_cart(app, client, {item_id: 1})
    cards = card_fields(0, hostile, email="honouree@example.org", message=hostile, date=day.isoformat())
    response = check_out(client, card_token(localstripe), cards, first_name=hostile, last_name=hostile)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deliver(app).sent == 2
    expected = {"order_confirmation": "elise@example.org", "honour_ecard": "honouree@example.org"}
    check_delivered(app, smtp_sink, expected, hostile, shown_in_subject={"honour_ecard"})


FLOWS = [
    events_inquiry,
    media_inquiry,
    fundraiser_interest,
    newsletter_signup,
    donation_with_tribute,
    monthly_gift_cancelled,
    order_with_ecard,
]


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("flow", FLOWS, ids=[flow.__name__ for flow in FLOWS])
def test_an_encoded_word_in_user_text_never_becomes_a_header(flow, hostile, app, client, localstripe, smtp_sink):
    flow(app, client, localstripe, smtp_sink, hostile)


def test_a_recipient_address_holding_an_encoded_word_is_not_sent(app, smtp_sink):
    """An address is never rewritten to make it safe: one the parser would decode fails, unsent."""

    address = "=?utf-8?q?x=0D=0ABcc:_injected=40evil.example?=@example.org"
    with app.app_context():
        enqueue_email("hostile:address", "events_ack", address, to_name="Eve", context={"topic": "x"})
        db.session.commit()
        result = send_due()
        email = db.session.scalar(db.select(OutboundEmail).filter_by(dedupe_key="hostile:address"))
        assert (result.sent, result.failed, email.status) == (0, 1, "failed")
        assert "not a safe recipient address" in email.last_error
    assert smtp_sink.messages == []


# --- List-Unsubscribe (RFC 2369, RFC 8058) ------------------------------------------------------

LONG_BASE_URL = "https://donate.example-charity-with-a-long-name.org/en"


def test_list_unsubscribe_reaches_the_server_unencoded_and_unfolded_and_one_click_works(make_app, smtp_sink):
    app = make_app(BASE_URL=LONG_BASE_URL, MAIL_RATE_PER_MINUTE=0, MAIL_DEFAULT_SENDER=SENDER)
    client = app.test_client()
    with app.app_context():
        # A supporter of a large database: a long id makes a long token.
        supporter = Supporter(id=1_234_567_890, email="long@example.org", first_name="Lou", language="en")
        db.session.add(supporter)
        db.session.flush()

        text, version = consent_wording("newsletter", "en")
        grant_consent(supporter, "newsletter", "express", wording=text, wording_version=version, form="test")

        enqueue_email("welcome:long", "newsletter_welcome", supporter.email, to_name="Lou", supporter=supporter,
                      purpose="newsletter")  # fmt: skip
        db.session.commit()
        assert send_due().sent == 1
    (envelope,) = smtp_sink.messages
    head = envelope.content.partition(b"\r\n\r\n")[0]
    lines = head.split(b"\r\n")
    # On the wire: one line, the URL between angle brackets exactly as it is, no encoded word.
    (line,) = [line for line in lines if line.lower().startswith(b"list-unsubscribe:")]
    match = re.fullmatch(rb"List-Unsubscribe: <(https://\S+)>", line)
    assert match, line
    url = match.group(1).decode("ascii")
    assert url.startswith(f"{LONG_BASE_URL}/mail/unsubscribe/")
    assert len(url) > 130 and len(line) > 78, (len(url), line)  # longer than the fold width
    following = lines[lines.index(line) + 1]
    assert following[:1] not in b" \t", "folded inside the URL"
    assert b"=?" not in line
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    # The one-click POST a mail client sends: no cookie, no CSRF token, the RFC 8058 body.
    path = url.removeprefix(LONG_BASE_URL)
    response = client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    with app.app_context():
        assert not may_email(db.session.get(Supporter, 1_234_567_890), "newsletter")


def test_a_url_header_is_written_verbatim_however_long():

    url = f"{LONG_BASE_URL}/mail/unsubscribe/" + "eyJzIjoxMjM0NTY3ODkwLCJ0IjoxNzgwMDAwMDAwfQ.Zx-" * 2 + "é"
    message = EmailMessage()
    message["List-Unsubscribe"] = url_list_header("List-Unsubscribe", url)
    message.set_content("x")
    wire = message.as_bytes(policy=SMTP)
    expected = f"List-Unsubscribe: <{url.removesuffix('é')}%C3%A9>\r\n".encode()
    assert len(expected) > 150 and expected in wire
    parsed = message_from_bytes(wire, policy=default)
    assert parsed["List-Unsubscribe"] == f"<{url.removesuffix('é')}%C3%A9>"
