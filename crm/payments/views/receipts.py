"""(Placeholder: its slice adds the routes.)"""

from crm.payments.views import bp  # noqa: F401
