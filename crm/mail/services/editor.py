"""Staff-edited copy of the messages: save, reset, and preview on sample data."""

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class PreviewChoice:
    """A variable staff may pick when previewing some messages, so they see what each reader gets.

    A higher feature offers it (the coaching messages of a fundraiser page speak of its occasion);
    `options` are {value: label}, "" first for the general wording; `sample` holds the other
    variables those messages use.
    """

    variable: str
    label: object
    options: dict
    templates: frozenset
    sample: dict = field(default_factory=dict)


# {variable: PreviewChoice}, offered by the features that own the messages (crm/fundraising/notifications.py).
PREVIEW_CHOICES = {}


def offer_preview_choice(choice):
    """Let staff preview the choice's messages for each of its options."""
    PREVIEW_CHOICES[choice.variable] = choice


def preview_choices(templates):
    """The choices that apply to any of these messages, in the order offered."""
    return [choice for choice in PREVIEW_CHOICES.values() if choice.templates & set(templates)]


def check_template(template, language):
    """Raise MailError unless `template` is a message in code and `language` is offered."""
    if template not in template_names() or language not in current_app.config["SUPPORTED_LOCALES"]:
        raise MailError("unknown message or language")


def current_copy(template, language):
    """Return the (subject, body) source in use for a message in a language."""
    check_template(template, language)
    return copy_source(template, language)


def preview(template, language, subject_source=None, body_source=None, picked=None):
    """Return (subject, text, html) of the copy rendered on sample data; RenderError if it cannot.

    `picked` ({variable: value}) says which reader to preview for (a page's occasion); a value the
    message does not offer is left out, so the general wording shows.
    """
    check_template(template, language)
    if subject_source is None:
        subject_source, body_source = copy_source(template, language)
    variables = {
        **SAMPLE,
        "charity_name": current_app.config["CHARITY_NAME"],
        "base_url": current_app.config["BASE_URL"],
    }
    for choice in preview_choices([template]):
        variables.update(choice.sample)
        value = (picked or {}).get(choice.variable, "")
        if value and value in choice.options:
            variables[choice.variable] = value
    subject = clean_header_text(render_copy(subject_source, variables), 300)
    body = render_copy(body_source, variables).strip()
    links = {"preferences_url": SAMPLE["preferences_url"], "unsubscribe_url": SAMPLE["unsubscribe_url"]}
    layout = {"subject": subject, "links": links, "config": current_app.config, "language": language}
    with force_locale(language):
        text = render_template("email/_layout.txt", body=body, **layout)
        html = render_template("email/_layout.html", body=text_to_html(body), **layout)
    return subject, text, html


def save_email_copy(template, language, subject, body, actor=None, now=None):
    """Store staff's copy of a message, after checking it renders (for each reader the preview offers)."""
    preview(template, language, subject, body)  # raises RenderError for copy that cannot render
    for choice in preview_choices([template]):
        for value in choice.options:
            preview(template, language, subject, body, {choice.variable: value})
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
