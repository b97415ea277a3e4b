"""Staff screens: the outbox with a sandboxed preview, the copy editor, the sequences."""

import pytest

from crm.extensions import db
from crm.mail.models import EmailCopy, Enrolment, OutboundEmail, SequenceStep
from crm.mail.services.delivery import send_due
from crm.mail.services.outbox import enqueue_email
from crm.mail.services.sequences import enrol
from crm.mail.views.staff import PREVIEW_POLICY
from crm.supporters.services.intake import find_or_create_supporter
from tests.helpers import csrf_token, log_in, post_form


@pytest.fixture
def staff_client(make_client):
    return lambda role="staff": make_client(role)[0]


@pytest.fixture
def queued(app):
    with app.app_context():
        supporter, _, _ = find_or_create_supporter("ann@example.org", first_name="Ann")
        email = enqueue_email("ack:1", "events_ack", supporter.email, supporter=supporter, context={"topic": "Gala"})
        db.session.commit()
        return email.id


def test_outbox_lists_and_filters(staff_client, queued):
    client = staff_client()
    html = client.get("/staff/outbox/").get_data(as_text=True)
    assert "ann@example.org" in html and "events_ack" in html
    assert "ann@example.org" not in client.get("/staff/outbox/?status=sent").get_data(as_text=True)
    assert "ann@example.org" in client.get("/staff/outbox/?recipient=ANN@").get_data(as_text=True)


def test_preview_is_sandboxed(staff_client, queued):
    client = staff_client("marketing")
    page = client.get(f"/staff/outbox/{queued}")
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<iframe class="email-preview" sandbox' in page.get_data(as_text=True)
    preview = client.get(f"/staff/outbox/{queued}/preview")
    assert preview.headers["Content-Security-Policy"] == PREVIEW_POLICY
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = preview.get_data(as_text=True)
    assert "Thank you for contacting the Demo Charity events team about &#34;Gala&#34;" in html


def test_staff_cancel_and_retry_marketing_cannot(app, staff_client, queued):
    marketing = staff_client("marketing")
    url = f"/staff/outbox/{queued}"
    assert marketing.post(url + "/cancel", data={"csrf_token": csrf_token(marketing, url)}).status_code == 403
    staff = staff_client()
    staff.post(url + "/cancel", data={"csrf_token": csrf_token(staff, url)})
    with app.app_context():
        assert db.session.get(OutboundEmail, queued).status == "cancelled"
        assert send_due().claimed == 0
    staff.post(url + "/retry", data={"csrf_token": csrf_token(staff, url)})
    with app.app_context():
        assert db.session.get(OutboundEmail, queued).status == "queued"


def test_copy_editor_saves_previews_and_refuses_unsafe_copy(app, staff_client, queued, smtp_sink):
    client = staff_client("marketing")
    url = "/staff/email-copy/events_ack/en"
    page = client.get(url).get_data(as_text=True)
    assert "Thank you for contacting" in page

    bad = post_form(
        client, url, {"subject": "Hi", "body": "{{ ''.__class__.__mro__[1].__subclasses__() }}", "preview": "1"}
    )
    assert bad.status_code == 400
    assert "cannot be rendered" in bad.get_data(as_text=True)

    shown = post_form(client, url, {"subject": "Hello {{ first_name }}", "body": "We got it.", "preview": "1"})
    assert shown.status_code == 200 and "Hello Alex" in shown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(EmailCopy)) is None, "a preview saves nothing"

    saved = post_form(client, url, {"subject": "Hello {{ first_name }}", "body": "We got it.", "submit": "1"})
    assert saved.status_code == 302
    with app.app_context():
        send_due()
    (message,) = smtp_sink.parsed()
    assert message["Subject"] == "Hello Ann"
    assert "We got it." in message.get_body(("plain",)).get_content()

    client.post(url + "/reset", data={"csrf_token": csrf_token(client, url)})
    with app.app_context():
        assert db.session.scalar(db.select(EmailCopy)) is None


def test_unknown_message_is_404(staff_client):
    assert staff_client().get("/staff/email-copy/nope/en").status_code == 404
    assert staff_client().get("/staff/email-copy/events_ack/xx").status_code == 404


def test_sequences_show_counts_and_marketing_changes_a_delay(app, staff_client):
    with app.app_context():
        supporter, _, _ = find_or_create_supporter("seq@example.org")
        enrolment_id = enrol(supporter, "fundraiser_follow_up").id
        step_id = db.session.scalar(db.select(SequenceStep.id).filter_by(position=1))
        sequence_id = db.session.get(Enrolment, enrolment_id).sequence_id
        db.session.commit()
    client = staff_client("marketing")
    assert "In progress: 1" in client.get("/staff/sequences/").get_data(as_text=True)
    url = f"/staff/sequences/{sequence_id}"
    token = csrf_token(client, url)
    client.post(f"/staff/sequences/steps/{step_id}", data={f"step{step_id}-delay_hours": "48", "csrf_token": token})
    client.post(f"/staff/sequences/enrolments/{enrolment_id}/paused", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(SequenceStep, step_id).delay_hours == 48
        assert db.session.get(Enrolment, enrolment_id).state == "paused"


@pytest.mark.parametrize("url", ["/staff/outbox/", "/staff/email-copy/", "/staff/sequences/"])
def test_mail_screens_are_for_staff_only(client, make_user, url):
    assert client.get(url).status_code == 302
    user = make_user()
    log_in(client, user.email, user.password)
    assert client.get(url).status_code == 403
