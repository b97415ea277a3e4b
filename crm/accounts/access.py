"""Who may see what: role_required and the login manager's settings."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.accounts.models import STAFF_ROLES
from crm.extensions import login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def role_required(*roles):
    """Let in signed-in users holding one of `roles`: others log in (anonymous) or get 403."""
    roles = roles or STAFF_ROLES

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
# Admin and staff change records; marketing reads them.
editor_required = role_required("admin", "staff")
