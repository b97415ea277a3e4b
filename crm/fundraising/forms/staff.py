"""Forms of the staff fundraising screens: a campaign, an occasion, a decision on a page or a report, the lists."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from crm.forms import (
    AMOUNT_MESSAGE,
    FilterForm,
    Length,
    amount_field,
    any_choices,
    clean_line,
    line_field,
    message_field,
    search_field,
    select_filter,
)
from crm.fundraising.models.pages import PAGE_STATUS_LABELS
from crm.fundraising.services.staff import (
    MAX_DAYS,
    MAX_GOAL_CENTS,
    MAX_NAME,
    MAX_REASON,
    MAX_SLUG,
    MAX_TEXT,
    SLUG,
    CampaignFields,
    OccasionFields,
)
from crm.lists import ListWords
from crm.money import from_cents
from crm.payments.forms.amounts import parse_amount

WHOLE_NUMBER = re.compile(r"^[0-9]{1,7}$")
TEXTS = ("slug", "name_en", "name_fr", "description_en", "description_fr")
GOAL_RANGE = _l("Enter a goal between 0 and 1,000,000.")


def _amounts(text):
    """Return the cents of comma-separated amounts ("25, 50, 100"), or None when one is not an amount."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    cents = [parse_amount(part) for part in parts]
    return None if None in cents else cents


def _dollars(cents):
    amount = from_cents(cents)
    return str(int(amount)) if amount == int(amount) else str(amount)


class CampaignForm(FlaskForm):
    slug = line_field(_l("Address"), _l("Enter the campaign's address."), max_length=MAX_SLUG)
    name_en = line_field(_l("Name in English"), _l("Enter the campaign's name in English."), max_length=MAX_NAME)
    name_fr = line_field(_l("Name in French"), max_length=MAX_NAME)
    description_en = message_field(_l("Description in English"), max_length=MAX_TEXT)
    description_fr = message_field(_l("Description in French"), max_length=MAX_TEXT)
    starts_on = DateField(_l("Starts on (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])
    goal = amount_field(_l("Goal"), description=_l("0 for no goal. Like 5000 or 5000.50."), default="0")
    suggested = StringField(
        _l("Suggested gift amounts (optional)"),
        validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))],
        filters=[clean_line],
        description=_l("Dollar amounts separated by commas, like 25, 50, 100."),
    )
    approve_new_pages = BooleanField(_l("New pages wait for staff approval"))
    approve_edits = BooleanField(_l("Changes to a live page wait for staff approval"))
    image = FileField(_l("Image"), description=_l("JPEG, PNG or WebP, at most 5 MB; location data is removed."))
    add_occasions = BooleanField(_l("Add the six occasions with their default texts"), default=True)
    submit = SubmitField(_l("Save the campaign"))

    def fill(self, campaign):
        """Show a saved campaign's values (for a GET)."""
        for name in ("slug", "name_en", "name_fr", "description_en", "description_fr", "starts_on", "ends_on"):
            self[name].data = getattr(campaign, name)
        self.goal.data = _dollars(campaign.goal_cents)
        self.suggested.data = ", ".join(_dollars(cents) for cents in campaign.suggested_amounts or [])
        self.approve_new_pages.data, self.approve_edits.data = campaign.approve_new_pages, campaign.approve_edits

    def validate_slug(self, field):
        if not SLUG.match(field.data or ""):
            raise ValidationError(_l("Use lower-case letters, digits and single hyphens for the address."))

    def validate_goal(self, field):
        cents = parse_amount(field.data or "0")
        if cents is None:
            raise ValidationError(GOAL_RANGE if (field.data or "").lstrip().startswith("-") else AMOUNT_MESSAGE)
        if cents > MAX_GOAL_CENTS:
            raise ValidationError(GOAL_RANGE)

    def validate_suggested(self, field):
        cents = _amounts(field.data)
        if cents is None or any(not 0 < amount <= MAX_GOAL_CENTS for amount in cents):
            raise ValidationError(_l("Enter amounts between 1 and 1,000,000, separated by commas."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def campaign_fields(self):
        return CampaignFields(
            **{
                name: self[name].data or ""
                for name in ("slug", "name_en", "name_fr", "description_en", "description_fr")
            },
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            goal_cents=parse_amount(self.goal.data or "0"),
            suggested_amounts=_amounts(self.suggested.data) or [],
            approve_new_pages=bool(self.approve_new_pages.data),
            approve_edits=bool(self.approve_edits.data),
        )

    def image_data(self):
        upload = self.image.data
        return upload.read() if upload and getattr(upload, "filename", "") else None


class OccasionForm(FlaskForm):
    title_en = line_field(_l("Title in English"), _l("Enter the title in English."), max_length=MAX_NAME)
    title_fr = line_field(_l("Title in French"), max_length=MAX_NAME)
    story_en = message_field(_l("Story in English"), max_length=MAX_TEXT)
    story_fr = message_field(_l("Story in French"), max_length=MAX_TEXT)
    goal = amount_field(_l("A new page's goal"), _l("Enter the goal."), _l("Like 500 or 500.50."))
    days = StringField(
        _l("Days to the event"),
        validators=[Optional(), Length(max=20)],
        filters=[clean_line],
        description=_l("A new page's event date is this many days away."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    active = BooleanField(_l("Offered to fundraisers"), default=True)
    submit = SubmitField(_l("Save the occasion"))

    def fill(self, occasion):
        for name in ("title_en", "title_fr", "story_en", "story_fr", "active"):
            self[name].data = getattr(occasion, name)
        self.goal.data, self.days.data = _dollars(occasion.goal_cents), str(occasion.days)

    def validate_goal(self, field):
        cents = parse_amount(field.data)
        if cents is None or not 0 < cents <= MAX_GOAL_CENTS:
            raise ValidationError(_l("Enter a goal between 1 and 1,000,000."))

    def validate_days(self, field):
        if not (WHOLE_NUMBER.match(field.data or "") and 0 < int(field.data) <= MAX_DAYS):
            raise ValidationError(_l("Enter a number of days between 1 and 3650."))

    def occasion_fields(self):
        return OccasionFields(
            **{name: self[name].data or "" for name in ("title_en", "title_fr", "story_en", "story_fr")},
            goal_cents=parse_amount(self.goal.data),
            days=int(self.days.data),
            active=bool(self.active.data),
        )


class ConfirmForm(FlaskForm):
    """A decision that needs no words (approve, unhide, dismiss a report): only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class ReasonForm(FlaskForm):
    """A decision the fundraiser is told about with a reason (decline, hide, act on a report)."""

    reason = line_field(_l("Reason, told to the fundraiser"), max_length=MAX_REASON)
    submit = SubmitField(_l("Confirm"))


class PageSearchForm(FilterForm):
    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s pages"),
        _l("Showing %(first)s to %(last)s of more than %(total)s pages"),
        _l("No pages match."),
    )
    q = search_field(description=_l("A page's title or address, or the fundraiser's email."))
    campaign = select_filter(_l("Campaign"))
    status = select_filter(_l("Status"), PAGE_STATUS_LABELS)

    def offer_campaigns(self, campaigns):
        self.campaign.choices = any_choices((str(campaign.id), campaign.name_en) for campaign in campaigns)


class TeamSearchForm(FilterForm):
    words = ListWords(
        _l("Showing %(first)s to %(last)s of %(total)s teams"),
        _l("Showing %(first)s to %(last)s of more than %(total)s teams"),
        _l("No teams match."),
    )
    q = search_field(description=_l("A team's name or address."))
    campaign = select_filter(_l("Campaign"))

    offer_campaigns = PageSearchForm.offer_campaigns
