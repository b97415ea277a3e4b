"""The gift form of a fundraiser's page: the donation form, with the campaign's amounts and the wall's choices."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from crm.forms import line_field, message_field
from crm.payments.forms.donate import DonationForm


class PageGiftForm(DonationForm):
    # Unticked, the gift shows on the wall as "Anonymous"; the fundraiser never sees an address.
    show_on_wall = BooleanField(_l("Show my name on this page's donor wall"))
    wall_name = line_field(_l("Name to show on the wall (empty: your first name)"))
    message = message_field(_l("Message for the fundraiser (optional, shown on the wall with your name)"))
    hide_amount = BooleanField(_l("Hide my gift's amount on the page"))

    WALL_FIELDS = (*DonationForm.WALL_FIELDS, "hide_amount")

    def __init__(self, campaign, *args, **kwargs):
        super().__init__(*args, presets=campaign.suggested_amounts, **kwargs)

    def gift_request(self, attribution):
        request = super().gift_request(attribution)
        if request.gift["show_on_wall"] and not request.gift["wall_name"]:
            request.gift["wall_name"] = request.donor.get("first_name", "")
        request.gift["designation"] = ""  # the page's credit says what it is for
        return request
