"""One form per public screen: newsletter, fundraiser interest, media and events inquiries."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from crm.forms import current_language, email_field, language_choices, line_field, message_field, phone_field
from crm.supporters.forms.consent import ConsentBoxMixin
from crm.supporters.spam import honeypot_field, started_field

EVENT_KIND_CHOICES = [
    SelectChoice("", _l("Choose one")),
    SelectChoice("birthday", _l("Birthday")),
    SelectChoice("polar_dip", _l("Polar dip")),
    SelectChoice("run_walk", _l("Run or walk")),
    SelectChoice("in_memory", _l("In memory of someone")),
    SelectChoice("other", _l("Other")),
]
# Stored as the English phrase, so the staff queue reads the same whatever the visitor's language.
EVENT_TOPIC_CHOICES = [
    SelectChoice("", _l("Choose one")),
    SelectChoice("help with my event", _l("Help with my event")),
    SelectChoice("general question", _l("General question")),
    SelectChoice("partnership or sponsorship", _l("Partnership or sponsorship")),
    SelectChoice("other", _l("Other")),
]


class NewsletterForm(ConsentBoxMixin, FlaskForm):
    email = email_field()
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    language = SelectField(_l("Preferred language for our emails"), choices=language_choices, default=current_language)
    consent = BooleanField(validators=[DataRequired(_l("Tick the box to confirm you want our emails."))])
    wording_version = HiddenField()
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Sign up"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()

    def arguments(self):
        """The validated answers, as sign_up_for_newsletter takes them after the visit."""
        return {
            "email": self.email.data,
            "first_name": self.first_name.data,
            "language": self.language.data,
            "consent": self.shown_wording(),
        }


class FundraiserInterestForm(ConsentBoxMixin, FlaskForm):
    first_name = line_field(_l("First name"), _l("Enter your first name."), autocomplete="given-name")
    last_name = line_field(_l("Last name"), _l("Enter your last name."), autocomplete="family-name")
    email = email_field()
    phone = phone_field()
    event_kind = SelectField(
        _l("What kind of event are you thinking of?"),
        choices=EVENT_KIND_CHOICES,
        validators=[DataRequired(_l("Choose the kind of event."))],
    )
    planned_on = DateField(
        _l("Planned date (optional)"),
        validators=[Optional()],
        description=_l("An idea is enough; you can change it later."),
    )
    message = message_field(_l("Anything you would like to tell us? (optional)"))
    consent = BooleanField()
    wording_version = HiddenField()
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()

    def arguments(self):
        """The validated answers, as register_fundraiser_interest takes them after the visit."""
        return {
            "email": self.email.data,
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "event_kind": self.event_kind.data,
            "phone": self.phone.data or "",
            "planned_on": self.planned_on.data,
            "message": self.message.data or "",
            "newsletter_consent": self.shown_wording(),
        }


class MediaInquiryForm(FlaskForm):
    name = line_field(_l("Your name"), _l("Enter your name."), max_length=200, autocomplete="name")
    outlet = line_field(_l("Media outlet"), _l("Enter your media outlet."), max_length=200, autocomplete="organization")
    email = email_field()
    phone = phone_field()
    deadline = DateField(_l("Your deadline (optional)"), validators=[Optional()])
    topic = line_field(_l("Topic"), _l("Tell us the topic of your story."), max_length=200)
    message = message_field(_l("Your questions or request"), _l("Enter your message."))
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))

    def arguments(self):
        """The validated answers, as receive_inquiry takes them after the visit."""
        return {
            "kind": "media",
            "email": self.email.data,
            "name": self.name.data,
            "phone": self.phone.data or "",
            "outlet": self.outlet.data,
            "deadline": self.deadline.data,
            "topic": self.topic.data,
            "message": self.message.data,
        }


class EventsInquiryForm(FlaskForm):
    name = line_field(_l("Your name"), _l("Enter your name."), max_length=200, autocomplete="name")
    email = email_field()
    topic = SelectField(
        _l("What is it about?"),
        choices=EVENT_TOPIC_CHOICES,
        validators=[DataRequired(_l("Choose what your message is about."))],
    )
    message = message_field(_l("Your message"), _l("Enter your message."))
    started = started_field()
    website = honeypot_field()
    submit = SubmitField(_l("Send"))

    def arguments(self):
        """The validated answers, as receive_inquiry takes them after the visit."""
        return {
            "kind": "events",
            "email": self.email.data,
            "name": self.name.data,
            "topic": self.topic.data,
            "message": self.message.data,
        }
