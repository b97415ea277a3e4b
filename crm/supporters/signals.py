"""Events the supporters feature announces; higher features (mail, payments) subscribe.

Every signal is sent with no sender and keyword arguments only; receivers run
inside the caller's transaction and must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# supporter=, signup= (a Signup: form "newsletter" or "fundraiser_interest")
signed_up = _signals.signal("supporters.signed_up")
# supporter=, signup= (the newsletter subscription was confirmed from the emailed link)
subscription_confirmed = _signals.signal("supporters.subscription_confirmed")
# supporter=, inquiry= (an Inquiry: kind "media" or "events")
inquiry_received = _signals.signal("supporters.inquiry_received")
# survivor=, merged= (the absorbed Supporter, kept with merged_into_id set), actor=
merged = _signals.signal("supporters.merged")
# supporter=, purpose= ("all" for unsubscribe from everything), record= (the ConsentRecord)
consent_withdrawn = _signals.signal("supporters.consent_withdrawn")
# supporter=, actor= (the person has just been anonymised)
erased = _signals.signal("supporters.erased")
