"""staff screens of fundraising."""

from crm.fundraising.views import bp  # noqa: F401
