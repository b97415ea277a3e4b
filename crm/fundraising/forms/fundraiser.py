"""Forms of the fundraiser's screens: start a page, edit it, and the buttons that submit, close or reopen it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Optional, ValidationError

from crm.forms import AMOUNT_MESSAGE, Length, amount_field, clean_text, line_field
from crm.fundraising.services.pages import MAX_SLUG, MAX_STORY, MAX_TITLE, PageEdit
from crm.fundraising.services.staff import MAX_GOAL_CENTS
from crm.money import from_cents
from crm.payments.forms.amounts import parse_amount
from crm.supporters.forms.consent import ConsentBoxMixin

GOAL_RANGE = _l("Enter a goal between 1 and 1,000,000.")


def dollars(cents):
    """Cents as the goal box shows them: 500 or 500.50."""
    amount = from_cents(cents)
    return str(int(amount)) if amount == int(amount) else str(amount)


class StartPageForm(ConsentBoxMixin, FlaskForm):
    """Pick an occasion of an open campaign (its radios are grouped by campaign on the page)."""

    consent_purpose = "fundraiser_tips"

    occasion = RadioField(_l("What is your fundraiser for?"), choices=[], validate_choice=False)
    consent = BooleanField()
    wording_version = HiddenField()
    submit = SubmitField(_l("Create my page"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_consent_box()

    def offer(self, campaigns, occasions_of):
        """Offer the active occasions of these campaigns; return the form."""
        self.occasion.choices = [
            (str(occasion.id), occasion.label) for campaign in campaigns for occasion in occasions_of(campaign)
        ]
        return self

    def validate_occasion(self, field):
        # Only the form's own shape here: a campaign that closed since the form was shown is the service's to say.
        if not field.data or not field.data.isascii() or not field.data.isdigit() or len(field.data) > 10:
            raise ValidationError(_l("Choose what your fundraiser is for."))


class EditPageForm(FlaskForm):
    title = line_field(_l("Title"), _l("Enter a title."), max_length=MAX_TITLE)
    story = TextAreaField(
        _l("Your story"),
        validators=[Optional(), Length(max=MAX_STORY, message=_l("Use at most %(max)d characters."))],
        filters=[clean_text],
        description=_l(
            "You can use Markdown: **bold**, *italics*, a line starting with - for a list, "
            "[words](https://example.org) for a link. Pictures and scripts are left out."
        ),
        render_kw={"rows": 12},
    )
    goal = amount_field(_l("Goal in dollars"), _l("Enter your goal."), _l("Like 500 or 500.50."))
    event_on = DateField(_l("Date of your event (optional)"), validators=[Optional()])
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP, at most 5 MB; location data is removed. Leave empty to keep your photo."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    slug = line_field(_l("Address of your page"), _l("Enter the address of your page."), max_length=MAX_SLUG)
    submit = SubmitField(_l("Save my page"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slug.description = _l("Lower-case letters, digits and hyphens, like jordan-turns-40.")

    def fill(self, page):
        """Show the page as its fundraiser last wrote it (with the changes waiting for approval, if any)."""
        values = {
            "title": page.title,
            "story": page.story,
            "goal_cents": page.goal_cents,
            "event_on": page.event_on,
            "slug": page.slug,
        }
        values.update({name: value for name, value in (page.proposed or {}).items() if name in values})
        self.title.data, self.story.data, self.slug.data = values["title"], values["story"], values["slug"]
        self.goal.data = dollars(values["goal_cents"])
        self.event_on.data = values["event_on"]
        return self

    def validate_goal(self, field):
        cents = parse_amount(field.data)
        if cents is None:
            raise ValidationError(AMOUNT_MESSAGE)
        if not 0 < cents <= MAX_GOAL_CENTS:
            raise ValidationError(GOAL_RANGE)

    def validate_slug(self, field):
        field.data = (field.data or "").lower()

    def page_edit(self):
        return PageEdit(
            title=self.title.data or "",
            story=self.story.data or "",
            goal_cents=parse_amount(self.goal.data),
            event_on=self.event_on.data,
            slug=self.slug.data or "",
        )

    def photo_data(self):
        upload = self.photo.data
        return upload.read() if upload and getattr(upload, "filename", "") else None


class PageActionForm(FlaskForm):
    """The button of one action on a page (submit, close, reopen): its CSRF token is all it carries."""
