"""Events the mail feature announces; higher features (fundraising) subscribe.

Every signal is sent with no sender and keyword arguments only; receivers run
inside the caller's transaction and must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# enrolment= (an Enrolment that staff or a feature has just paused, resumed or stopped), now=
enrolment_moved = _signals.signal("mail.enrolment_moved")
