"""Who may see what: every view declares it (role_required, signed_in_required or public).

The declaration is the view's `access` attribute: the roles let in, or PUBLIC. A test walks the
URL map and fails for a view that declares nothing, then tries every non-public route as every role.
"""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.accounts.models import ROLES, STAFF_ROLES
from crm.extensions import login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


PUBLIC = "public"


def public(view):
    """Declare a view open to everyone, signed in or not (its own token or form checks aside)."""
    view.access = PUBLIC
    return view


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

        wrapped.access = tuple(roles)
        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
# Any account: their own account pages.
signed_in_required = role_required(*ROLES)
# Admin and staff change records; marketing reads them.
editor_required = role_required("admin", "staff")
