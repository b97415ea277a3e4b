"""Events the fundraising feature announces.

Named blinker signals, so lower features (mail) can listen by name without importing fundraising.
Sent with keyword arguments only; receivers run inside the caller's transaction and never commit.
"""

from blinker import signal

# supporter= (the Supporter who started a page), page= (the fundraiser page, when it exists)
page_started = signal("fundraising.page_started")

# page= (a page that has just gone live, for the first time), now=
page_published = signal("fundraising.page_published")

# page_gift= (a PageGift just created for a succeeded gift: the page's soft credit), now=
page_gift_credited = signal("fundraising.page_gift_credited")

# page=, decision= ("approved", "declined", "hidden", "unhidden", "edits_approved", "edits_declined",
# "offline_rejected" with amount=), reason= (what staff wrote, told to the fundraiser), now=
page_decided = signal("fundraising.page_decided")

# page= (a page that has just closed), now=
page_closed = signal("fundraising.page_closed")

# page= (a page that has just asked to join a closed team), team=, now=
team_join_requested = signal("fundraising.team_join_requested")

# page= (the page that asked), team=, admitted= (True: let in; False: turned away), now=
team_request_decided = signal("fundraising.team_request_decided")
