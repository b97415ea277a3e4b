"""Files attached at send time, built from code (never stored in the outbox)."""


def _guide_pdf(language):
    from crm.supporters.guide import build_guide_pdf

    names = {"fr": "25-conseils-collecte-de-fonds.pdf"}
    return names.get(language, "25-tips-novice-fundraiser.pdf"), build_guide_pdf(language), "application", "pdf"


BUILDERS = {"guide_pdf": _guide_pdf}


def build_attachments(email):
    """Return [(filename, bytes, maintype, subtype)] for the row's context["attachments"]."""
    return [BUILDERS[name](email.language) for name in (email.context or {}).get("attachments", [])]
