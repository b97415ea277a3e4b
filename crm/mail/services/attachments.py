"""Files attached at send time, built from code (never stored in the outbox).

A feature above mail registers a builder by name (mail imports nothing from it); a builder takes
the outbox row and returns (filename, bytes, maintype, subtype), or None when there is nothing to attach.
"""

from flask import current_app

from crm.supporters.guide import build_guide_pdf

BUILDERS = {}


def register_attachment(name, builder):
    """Make `builder(email)` the maker of the attachment called `name` in a row's context["attachments"]."""
    BUILDERS[name] = builder


def _guide_pdf(email):
    names = {"fr": "25-conseils-collecte-de-fonds.pdf"}
    content = build_guide_pdf(email.language, charity_name=current_app.config["CHARITY_NAME"])
    return names.get(email.language, "25-tips-novice-fundraiser.pdf"), content, "application", "pdf"


register_attachment("guide_pdf", _guide_pdf)


def build_attachments(email):
    """Return [(filename, bytes, maintype, subtype)] for the row's context["attachments"]."""
    built = (BUILDERS[name](email) for name in (email.context or {}).get("attachments", []))
    return [attachment for attachment in built if attachment is not None]
