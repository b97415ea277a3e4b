"""The staff inquiry queue: tabs, assign, reply, answered, closed; every step audited and on the timeline."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from crm.audit import AuditEvent
from crm.extensions import db
from crm.supporters.models import Activity, Inquiry, InquiryReply
from crm.utc import utcnow
from tests.helpers import csrf_token, log_in, post_form

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
QUEUE_LINK = re.compile(r'<a href="/staff/inquiries/(\d+)">([^<]*)</a>')


def add_inquiry(supporter, kind="media", topic="", created_at=T0, status="new", **fields):
    inquiry = Inquiry(
        supporter_id=supporter.id,
        kind=kind,
        topic=topic,
        status=status,
        name=supporter.display_name,
        email=supporter.email,
        created_at=created_at,
        **fields,
    )
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def queue_topics(html):
    return [topic for _, topic in QUEUE_LINK.findall(html)]


@pytest.fixture
def staff(make_user):
    return make_user(email="casey@example.org", role="staff")


@pytest.fixture
def colleague(make_user):
    return make_user(email="robin@example.org", role="admin")


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff.email, staff.password)
    return client


@pytest.fixture
def inquiries(app, make_supporter):
    with app.app_context():
        journalist = make_supporter("reporter@news.example", "Rita", "Reporter")
        planner = make_supporter("planner@example.org", "Pat", "Planner")
        ids = {
            "old_media": add_inquiry(journalist, "media", "Old media", T0, outlet="Le Devoir", message="Call me."),
            "new_media": add_inquiry(journalist, "media", "New media", T0 + timedelta(hours=3)),
            "event": add_inquiry(planner, "events", "Gala table", T0 + timedelta(hours=1)),
            "closed": add_inquiry(planner, "events", "Done already", T0, status="closed"),
        }
        db.session.commit()
        ids = {name: inquiry.id for name, inquiry in ids.items()}
        ids["journalist"] = journalist.id
        return ids


def test_queue_tabs_by_kind_and_status_oldest_first(staff_client, inquiries):
    html = staff_client.get("/staff/inquiries/").get_data(as_text=True)
    assert queue_topics(html) == ["Old media", "Gala table", "New media"]
    assert 'New <span class="count">(3)</span>' in html
    assert 'Closed <span class="count">(1)</span>' in html
    html = staff_client.get("/staff/inquiries/?kind=media").get_data(as_text=True)
    assert queue_topics(html) == ["Old media", "New media"]
    html = staff_client.get("/staff/inquiries/?kind=events&status=closed").get_data(as_text=True)
    assert queue_topics(html) == ["Done already"]
    # Unknown values fall back to the default tab.
    assert staff_client.get("/staff/inquiries/?kind=<x>&status=%00").status_code == 200


def test_inquiry_page_shows_message_and_supporter(staff_client, inquiries):
    html = staff_client.get(f"/staff/inquiries/{inquiries['old_media']}").get_data(as_text=True)
    assert "Call me." in html and "Le Devoir" in html
    assert f'href="/staff/supporters/{inquiries["journalist"]}">Rita Reporter</a>' in html
    assert '<option value="' in html and "robin@example.org" not in html  # no admin created yet
    assert staff_client.get("/staff/inquiries/999999").status_code == 404


def test_workflow_assign_reply_answer_close(app, staff_client, staff, colleague, make_user, inquiries):
    make_user(email="gone@example.org", role="staff", active=False)
    make_user(email="fan@example.org", role="fundraiser")
    url = f"/staff/inquiries/{inquiries['old_media']}"
    html = staff_client.get(url).get_data(as_text=True)
    assert "robin@example.org" in html and "casey@example.org" in html
    assert "gone@example.org" not in html and "fan@example.org" not in html

    response = post_form(staff_client, f"{url}/assign", {"assignee": str(colleague.id)})
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["old_media"])
        assert (inquiry.status, inquiry.assigned_to_id) == ("assigned", colleague.id)

    before = utcnow()
    response = post_form(staff_client, f"{url}/reply", {"body": "Yes, Tuesday at 10 works."})
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["old_media"])
        first = inquiry.first_response_at
        assert first is not None and first >= before
        assert inquiry.time_to_first_response == first - T0
        assert inquiry.status == "assigned"  # a reply alone does not close the loop

    post_form(staff_client, f"{url}/reply", {"body": "Sent the press kit too."})
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["old_media"])
        assert inquiry.first_response_at == first  # set once, by the first reply
        replies = db.session.scalars(db.select(InquiryReply).order_by(InquiryReply.id)).all()
        assert [(reply.body, reply.author_id) for reply in replies] == [
            ("Yes, Tuesday at 10 works.", staff.id),
            ("Sent the press kit too.", staff.id),
        ]
    html = staff_client.get(url).get_data(as_text=True)
    assert "Yes, Tuesday at 10 works." in html and "Sent the press kit too." in html
    assert "after " in html  # the time to first response

    assert post_form(staff_client, f"{url}/answered", {}).status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["old_media"])
        assert inquiry.status == "answered" and inquiry.answered_at is not None
        assert inquiry.first_response_at == first
    assert post_form(staff_client, f"{url}/close", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Inquiry, inquiries["old_media"]).status == "closed"

    # A closed inquiry takes no more replies.
    token = csrf_token(staff_client, "/")
    response = staff_client.post(f"{url}/reply", data={"body": "One more thing", "csrf_token": token})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(InquiryReply)) == 2
        events = db.session.scalars(
            db.select(AuditEvent)
            .filter_by(target_type="inquiry", target_id=inquiries["old_media"])
            .order_by(AuditEvent.id)
        ).all()
        assert [event.action for event in events] == [
            "inquiry.assign",
            "inquiry.reply",
            "inquiry.reply",
            "inquiry.answer",
            "inquiry.close",
        ]
        assert all(event.actor_id == staff.id for event in events)
        assert events[0].changes == {"assigned_to": [None, "robin@example.org"], "status": ["new", "assigned"]}
        assert "first_response_at" in events[1].changes and "first_response_at" not in events[2].changes
        timeline = db.session.scalars(
            db.select(Activity.kind).filter_by(supporter_id=inquiries["journalist"]).order_by(Activity.id)
        ).all()
        assert timeline == ["inquiry", "inquiry_reply", "inquiry_reply", "inquiry", "inquiry"]
    # The supporter's profile shows the steps on the timeline and in the history of changes.
    html = staff_client.get(f"/staff/supporters/{inquiries['journalist']}").get_data(as_text=True)
    assert "Reply to media inquiry" in html and "inquiry.close" in html


def test_marking_answered_first_counts_as_the_first_response(app, staff_client, inquiries):
    url = f"/staff/inquiries/{inquiries['event']}"
    assert post_form(staff_client, f"{url}/answered", {}).status_code == 302
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["event"])
        answered = inquiry.answered_at
        assert inquiry.first_response_at == answered
    post_form(staff_client, f"{url}/reply", {"body": "Follow-up by email."})
    with app.app_context():
        assert db.session.get(Inquiry, inquiries["event"]).first_response_at == answered


@pytest.mark.parametrize("assignee", ["", "abc", "999999"])
def test_assigning_needs_a_listed_staff_member(app, staff_client, make_user, inquiries, assignee):
    url = f"/staff/inquiries/{inquiries['new_media']}"
    response = post_form(staff_client, f"{url}/assign", {"assignee": assignee})
    assert response.status_code == 400
    assert 'id="assignee-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inquiry, inquiries["new_media"]).status == "new"


def test_fundraiser_cannot_be_assigned(app, staff_client, make_user, inquiries):
    fan = make_user(role="fundraiser")
    url = f"/staff/inquiries/{inquiries['new_media']}"
    response = post_form(staff_client, f"{url}/assign", {"assignee": str(fan.id)})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Inquiry, inquiries["new_media"]).assigned_to_id is None


def test_empty_reply_is_a_form_error(app, staff_client, inquiries):
    url = f"/staff/inquiries/{inquiries['new_media']}"
    response = post_form(staff_client, f"{url}/reply", {"body": " \x00 "})
    assert response.status_code == 400
    assert 'id="body-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inquiry, inquiries["new_media"]).first_response_at is None


def test_marketing_reads_the_queue_but_cannot_act(app, client, make_user, colleague, inquiries):
    marketer = make_user(role="marketing")
    log_in(client, marketer.email, marketer.password)
    url = f"/staff/inquiries/{inquiries['old_media']}"
    assert client.get("/staff/inquiries/").status_code == 200
    html = client.get(url).get_data(as_text=True)
    assert "Call me." in html and "Record reply" not in html
    token = csrf_token(client, "/")
    for action, data in [
        ("assign", {"assignee": colleague.id}),
        ("reply", {"body": "hi"}),
        ("answered", {}),
        ("close", {}),
    ]:
        assert client.post(f"{url}/{action}", data={**data, "csrf_token": token}).status_code == 403, action
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiries["old_media"])
        assert inquiry.status == "new" and inquiry.first_response_at is None
