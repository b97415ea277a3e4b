"""Links to this site from anywhere: a page, an email queued by a service, the command line."""

from flask import current_app, has_request_context, url_for


def site_url(endpoint, external=True, **values):
    """Return url_for(endpoint, **values); absolute links are built on BASE_URL, in a request or not."""
    base = current_app.config["BASE_URL"]
    if has_request_context() and not (external and base):
        return url_for(endpoint, _external=external, **values)
    with current_app.test_request_context(base_url=base or "http://localhost"):
        return url_for(endpoint, _external=external, **values)
