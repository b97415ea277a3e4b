"""Error pages in the visitor's language, and UserError: the one base of every failure a person is told about."""

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException, InternalServerError

from crm.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("We could not understand that request. Please check the form and try again.")),
    403: (_l("Access denied"), _l("Your account does not have permission to see this page.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved, or the address may be mistyped.")),
    405: (_l("Not allowed"), _l("That action is not available on this page.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Please send something smaller.")),
    429: (_l("Too many attempts"), _l("You have tried too many times. Please wait a minute and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this page. We have been told; please try again later."),
    ),
}


class UserError(Exception):
    """An expected failure the person can correct or must be told about; str() is a message for them.

    Every feature's errors derive from it (SupporterError, DonationError, CatalogError, AccountError,
    MailError...). A view that can show the message next to a form catches it; one that escapes a view
    is rolled back and becomes the error page, with `status` (a 4xx) and the message, in one place.
    """

    status = 400
    title = None


def handle_user_error(error):
    """Roll back what the request did and show the person the error's message, never a 500."""
    db.session.rollback()
    return render_error(error.status, error.title, str(error))


def render_error(code, title=None, message=None):
    """Render the error page for an HTTP status code."""
    default_title, default_message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    return (
        render_template(
            "errors/error.html", code=code, title=title or default_title, message=message or default_message
        ),
        code,
    )


def wait_message(seconds):
    """Tell a visitor who hit a limit how long it is counted over (a minute, an hour, a day)."""
    if seconds >= 86400:
        return ngettext("Please wait a day and try again.", "Please wait %(num)d days and try again.", seconds // 86400)
    if seconds >= 3600:
        return ngettext(
            "Please wait an hour and try again.", "Please wait %(num)d hours and try again.", seconds // 3600
        )
    minutes = max(1, -(-seconds // 60))
    return ngettext("Please wait a minute and try again.", "Please wait %(num)d minutes and try again.", minutes)


def _message_for(error):
    limit = getattr(getattr(error, "limit", None), "limit", None)  # Flask-Limiter's RateLimitExceeded
    if error.code == 429 and limit is not None:
        return _l("You have tried too many times.") + " " + wait_message(limit.get_expiry())
    return None


def handle_http_error(error):
    """Turn an HTTPException (or an unexpected error) into a friendly page."""
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    body, code = render_error(error.code or 500, message=_message_for(error))
    response = error.get_response()
    response.set_data(body)
    response.status_code = code
    response.mimetype = "text/html"
    return response


def handle_csrf_error(error):
    """Explain a missing or expired CSRF token without losing the visitor."""
    return render_error(
        400,
        _l("The form expired"),
        _l("For your security, this form can only be sent from our own page. Please reload it and try again."),
    )
