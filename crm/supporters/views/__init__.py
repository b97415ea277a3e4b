"""The supporters blueprint: its views live in the modules imported below, one per screen family.

public (sign-up and inquiry forms, the guide), preferences (the preference centre, no login), and under
/staff/: staff (the list and a record), inquiries (the queue), imports, exports, merge, privacy.
"""

from flask import Blueprint

bp = Blueprint("supporters", __name__)

from crm.supporters.views import (  # noqa: E402,F401  (they add their routes to bp)
    exports,
    imports,
    inquiries,
    merge,
    preferences,
    privacy,
    public,
    staff,
)
