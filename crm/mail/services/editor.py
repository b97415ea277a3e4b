"""Staff-edited copy of the messages: save, reset, and preview on sample data."""

from flask import current_app, render_template
from flask_babel import force_locale

from crm.extensions import db
from crm.mail.models import EmailCopy
from crm.mail.services.headers import clean_header_text
from crm.mail.services.outbox import MailError
from crm.mail.services.rendering import copy_source, render_copy, template_names, text_to_html
from crm.utc import utcnow

SAMPLE = {
    "first_name": "Alex",
    "name": "Alex Martin",
    "email": "alex@example.org",
    "topic": "Interview request",
    "lead_name": "Alex Martin",
    "lead_email": "alex@example.org",
    "lead_phone": "514-555-0100",
    "sender_name": "Alex Martin",
    "sender_email": "alex@example.org",
    "details": "Event: polar dip\nPlanned date: 2027-01-01",
    "confirm_url": "https://example.org/confirm",
    "guide_url": "https://example.org/guide",
    "reset_url": "https://example.org/reset",
    "preferences_url": "https://example.org/preferences",
    "unsubscribe_url": "https://example.org/unsubscribe",
}


def check_template(template, language):
    """Raise MailError unless `template` is a message in code and `language` is offered."""
    if template not in template_names() or language not in current_app.config["SUPPORTED_LOCALES"]:
        raise MailError("unknown message or language")


def current_copy(template, language):
    """Return the (subject, body) source in use for a message in a language."""
    check_template(template, language)
    return copy_source(template, language)


def preview(template, language, subject_source=None, body_source=None):
    """Return (subject, text, html) of the copy rendered on sample data; RenderError if it cannot."""
    check_template(template, language)
    if subject_source is None:
        subject_source, body_source = copy_source(template, language)
    variables = {
        **SAMPLE,
        "charity_name": current_app.config["CHARITY_NAME"],
        "base_url": current_app.config["BASE_URL"],
    }
    subject = clean_header_text(render_copy(subject_source, variables), 300)
    body = render_copy(body_source, variables).strip()
    links = {"preferences_url": SAMPLE["preferences_url"], "unsubscribe_url": SAMPLE["unsubscribe_url"]}
    layout = {"subject": subject, "links": links, "config": current_app.config, "language": language}
    with force_locale(language):
        text = render_template("email/_layout.txt", body=body, **layout)
        html = render_template("email/_layout.html", body=text_to_html(body), **layout)
    return subject, text, html


def save_email_copy(template, language, subject, body, actor=None, now=None):
    """Store staff's copy of a message, after checking it renders."""
    preview(template, language, subject, body)  # raises RenderError for copy that cannot render
    copy = db.session.scalar(db.select(EmailCopy).filter_by(template=template, language=language))
    if copy is None:
        copy = EmailCopy(template=template, language=language)
        db.session.add(copy)
    copy.subject, copy.body = subject, body
    copy.updated_by_id, copy.updated_at = getattr(actor, "id", None), now or utcnow()
    return copy


def reset_email_copy(template, language):
    """Go back to the copy written in code."""
    check_template(template, language)
    copy = db.session.scalar(db.select(EmailCopy).filter_by(template=template, language=language))
    if copy is not None:
        db.session.delete(copy)


def edited_copies():
    """Return {(template, language): EmailCopy} for every edited message."""
    return {(c.template, c.language): c for c in db.session.scalars(db.select(EmailCopy))}
