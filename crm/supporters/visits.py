"""A visit as the services see it: who sent a form and where they came from. No Flask here.

`crm.supporters.attribution` reads the request and the session into these shapes; services
(signups, gifts, checkout) take them as plain values, so they can be called from a command,
a worker or a test without a request.
"""

import re
from dataclasses import dataclass, field

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# AttributionMixin column sizes.
SIZES = {"source": 200, **dict.fromkeys(UTM_FIELDS, 200), "landing_page": 500, "referrer": 500}
ATTRIBUTION_FIELDS = tuple(SIZES)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_value(value, size):
    """Return `value` without control characters, trimmed, cut to `size` characters."""
    return _CONTROL.sub("", value or "").strip()[:size]


def supporter_source(attribution):
    """Return the source to record on a new supporter: ?src=, else utm_source, else "web"."""
    return attribution.get("source") or attribution.get("utm_source") or "web"


@dataclass(frozen=True)
class Visit:
    """Who sent a form: the page's language, their address and browser, where they came from."""

    language: str = "en"
    ip_address: str = ""
    user_agent: str = ""
    attribution: dict = field(default_factory=dict)

    def attribution_fields(self):
        """Return the AttributionMixin columns, cut to their sizes."""
        return {name: str(self.attribution.get(name) or "")[:size] for name, size in SIZES.items()}
