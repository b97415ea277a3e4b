"""Files attached at send time, built from code (never stored in the outbox)."""

from flask import current_app


def _guide_pdf(language):
    from crm.supporters.guide import build_guide_pdf

    names = {"fr": "25-conseils-collecte-de-fonds.pdf"}
    content = build_guide_pdf(language, charity_name=current_app.config["CHARITY_NAME"])
    return names.get(language, "25-tips-novice-fundraiser.pdf"), content, "application", "pdf"


BUILDERS = {"guide_pdf": _guide_pdf}


def build_attachments(email):
    """Return [(filename, bytes, maintype, subtype)] for the row's context["attachments"]."""
    return [BUILDERS[name](email.language) for name in (email.context or {}).get("attachments", [])]
