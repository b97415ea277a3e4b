"""(Placeholder: its slice adds the routes.)"""

from crm.catalog.views import bp  # noqa: F401
