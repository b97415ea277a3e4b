"""Staff and fundraiser accounts in the personal-data registry (see crm.personal).

An account belongs to someone who works with the charity, not to a supporter's record: a
supporter's merge, erasure or export leaves it alone, and an admin deactivates it.
"""

from crm.accounts.models import LoginSession, User
from crm.personal import PersonalData, register

register(
    PersonalData(
        "users",
        User,
        rows=lambda person: None,
        merge="none",
        exported=False,
        kept="Not a supporter's data: an admin deactivates the account.",
    )
)

register(
    PersonalData(
        "login_sessions",
        LoginSession,
        rows=lambda person: None,
        merge="none",
        exported=False,
        kept="Not a supporter's data: an account's logins, ended at logout or by the account's owner.",
    )
)
