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
    # Never ticked for the donor: the fundraiser sees the gift's email address only where they tick it.
    share_email = BooleanField(
        _l("Let the fundraiser contact me: share my email address with them"),
        description=_l("Only this page's fundraiser sees it, in their list of donors; never the public."),
    )

    WALL_FIELDS = (*DonationForm.WALL_FIELDS, "hide_amount", "share_email")

    def __init__(self, page, *args, **kwargs):
        super().__init__(*args, presets=page.campaign.suggested_amounts, **kwargs)
        first_name = (getattr(page.supporter, "first_name", "") or "").strip()
        if first_name:
            self.share_email.label.text = _l(
                "Let %(name)s contact me: share my email address with them", name=first_name
            )

    def gift_request(self, attribution):
        request = super().gift_request(attribution)
        if request.gift["show_on_wall"] and not request.gift["wall_name"]:
            request.gift["wall_name"] = request.donor.get("first_name", "")
        request.gift["designation"] = ""  # the page's credit says what it is for
        return request
