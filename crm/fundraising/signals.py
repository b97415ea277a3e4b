"""Events the fundraising feature announces (its pages come in a later issue).

Named blinker signals, so lower features (mail) can listen by name without importing fundraising.
"""

from blinker import signal

# supporter= (the Supporter who started a page), page= (the fundraiser page, when it exists)
page_started = signal("fundraising.page_started")
