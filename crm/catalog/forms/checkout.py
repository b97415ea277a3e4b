"""The checkout form: the buyer as for a gift, cards in someone's honour, and the cart as it was shown."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, ValidationError

from crm.catalog.services.cart import MAX_QUANTITY
from crm.catalog.services.checkout import CardRequest, CheckoutRequest, card_dates
from crm.forms import Length, clean_line, message_field
from crm.payments.forms.donate import TOKEN_RE, DonationForm
from crm.payments.forms.submission import SubmissionKeyMixin
from crm.supporters.forms.consent import ConsentBoxMixin
from crm.supporters.spam import honeypot_field

LINE_RE = re.compile(r"^\s*([^:\s]*)\s*:\s*([^:\s]*)\s*$")
ID_RE = re.compile(r"^[0-9]{1,9}$")
QUANTITY_RE = re.compile(r"^-?[0-9]{1,9}$")
DELIVERY_CHOICES = [
    SelectChoice("email", _l("By email, on the date below")),
    SelectChoice("print", _l("I will print it")),
]
MAX_CARD_MESSAGE = 1000


def parse_lines(text):
    """Return [(item id, quantity)] from "id:quantity,id:quantity", or raise ValidationError saying what is wrong."""
    pairs = []
    if not (text or "").strip():
        return pairs
    for part in text.split(","):
        match = LINE_RE.match(part)
        if not match or not ID_RE.match(match.group(1)):
            raise ValidationError(_l("That item is not in your cart."))
        if not QUANTITY_RE.match(match.group(2)) or not 1 <= int(match.group(2)) <= MAX_QUANTITY:
            raise ValidationError(_l("Choose a quantity from 1 to %(most)d.", most=MAX_QUANTITY))
        pairs.append((int(match.group(1)), int(match.group(2))))
    if len({item_id for item_id, _quantity in pairs}) != len(pairs):
        raise ValidationError(_l("That item is not in your cart."))
    return pairs


class BlankableDateField(DateField):
    """A date that may be left blank (None) without an error; a wrong one is still refused."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class HonourCardForm(Form):
    """One card: for the whole order (item "") or one item of the cart; asked for when a name is given."""

    # No Optional() here: it would stop the checks below, which depend on whether a card is wanted.
    item = HiddenField(filters=[clean_line])
    honouree_name = StringField(
        _l("Name of the person you honour"),
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
        filters=[clean_line],
    )
    delivery = RadioField(_l("How the card reaches them"), choices=DELIVERY_CHOICES, default="email")
    honouree_email = EmailField(_l("Their email address"), validators=[Length(max=254)], filters=[clean_line])
    message = message_field(_l("Your message on the card (optional)"))
    deliver_on = BlankableDateField(_l("Date the card is sent"))

    def wanted(self):
        return bool(self.honouree_name.data or self.honouree_email.data or self.message.data)

    def validate_item(self, field):
        if field.data and not ID_RE.match(field.data):
            raise ValidationError(_l("That item is not in your cart."))

    def validate_honouree_name(self, field):
        if self.wanted() and not field.data:
            raise ValidationError(_l("Enter the name of the person the card honours."))

    def validate_honouree_email(self, field):
        if field.data:
            Email(_l("Enter a valid email address."))(self, field)
        elif self.wanted() and self.delivery.data == "email":
            raise ValidationError(_l("Enter their email address, or choose to print the card."))

    def validate_message(self, field):
        if len(field.data or "") > MAX_CARD_MESSAGE:
            raise ValidationError(_l("Use at most %(max)d characters.", max=MAX_CARD_MESSAGE))

    def validate_deliver_on(self, field):
        if not self.wanted():
            return
        first, last = card_dates()
        if field.data is None:
            raise ValidationError(_l("Enter the date the card is sent."))
        if not first <= field.data <= last:
            raise ValidationError(_l("Choose a date from today to a year from now."))

    def card_request(self):
        email = self.delivery.data == "email"
        return CardRequest(
            honouree_name=self.honouree_name.data,
            delivery="email" if email else "print",
            deliver_on=self.deliver_on.data,
            honouree_email=self.honouree_email.data if email else "",
            message=self.message.data or "",
            item_id=int(self.item.data) if self.item.data else None,
        )


class CheckoutForm(ConsentBoxMixin, SubmissionKeyMixin, FlaskForm):
    # The buyer's fields are the donation form's: same labels, filters and validators.
    first_name = DonationForm.first_name
    last_name = DonationForm.last_name
    email = DonationForm.email
    address_line1 = DonationForm.address_line1
    city = DonationForm.city
    region = DonationForm.region
    postal_code = DonationForm.postal_code
    country = DonationForm.country
    language = DonationForm.language
    cards = FieldList(FormField(HonourCardForm), max_entries=51)
    consent = DonationForm.consent
    wording_version = HiddenField()
    lines = HiddenField()
    expected_total = HiddenField(filters=[clean_line])
    card_token = HiddenField(filters=[clean_line])
    website = honeypot_field()
    submit = SubmitField(_l("Pay now"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()
        self.seen_lines = None

    def offer_cards(self, cart, now=None):
        """Add one card per item of the cart and one for the whole order, dated today (a GET)."""
        today = card_dates(now)[0]
        for item in [""] + [str(line.item.id) for line in cart.lines]:
            self.cards.append_entry({"item": item, "delivery": "email", "deliver_on": today})

    def show_cart(self, cart):
        """Carry the cart as this page shows it, so that paying is agreeing to exactly that."""
        self.lines.data = ",".join(f"{line.item.id}:{line.quantity}" for line in cart.lines)
        self.expected_total.data = str(cart.total_cents)

    def validate_lines(self, field):
        self.seen_lines = parse_lines(field.data)

    def validate_expected_total(self, field):
        if not re.match(r"^[0-9]{1,12}$", field.data or ""):
            raise ValidationError(_l("Your cart changed in another window. Check your order and pay again."))

    def validate_card_token(self, field):
        if not TOKEN_RE.match(field.data or ""):
            raise ValidationError(_l("Enter your card details."))

    def checkout_request(self, attribution):
        donor = {name: getattr(self, name).data or "" for name in ("first_name", "last_name", "address_line1")}
        donor.update({name: getattr(self, name).data or "" for name in ("city", "region", "postal_code")})
        donor.update(country=self.country.data, language=self.language.data)
        return CheckoutRequest(
            email=self.email.data,
            card_token=self.card_token.data,
            donor=donor,
            cards=[entry.form.card_request() for entry in self.cards if entry.form.wanted()],
            attribution=attribution,
            seen_lines=self.seen_lines,
            seen_total_cents=int(self.expected_total.data),
            submission_key=self.posted_submission_key,
        )
