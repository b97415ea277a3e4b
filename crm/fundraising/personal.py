"""The fundraising feature's tables in the personal-data registry (see crm.personal).

A fundraiser's page is their words and photo: erasure takes them down (the page is hidden, its
title, story and photo gone) and keeps the gifts credited to it, so the campaign still adds up.
A reported offline gift holds its donor's name and address until they are erased. A gift's credit
holds one choice of its donor (to let the fundraiser see their email address): exported with their
gifts, and withdrawn by an erasure.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import or_, select

from crm.fundraising.models import (
    Campaign,
    FundraiserPage,
    Occasion,
    OfflineGiftReport,
    PageFlag,
    PageGift,
    PagePlan,
    Team,
)
from crm.images import discard_image
from crm.payments.models import Donation, RecurringGift
from crm.payments.personal import CONTACT_FIELDS
from crm.personal import ERASED, PersonalData, blank, child_rows, register
from crm.supporters.models import Supporter

PHOTO_FOLDER = "fundraising"


def _gather_pages(pages, person):
    for page in pages:
        person.add_secrets(page.title, page.story, *(str(v) for v in page.proposed.values() if isinstance(v, str)))
        person.subjects.add(f"page:{page.id}")


def _erase_pages(pages, person):
    for page in pages:
        for name in {page.photo_name, page.proposed.get("photo_name", "")} - {""}:
            discard_image(name, current_app.config["MEDIA_ROOT"], PHOTO_FOLDER)
        if page.status != "hidden":
            page.hide(ERASED)
        page.title, page.story, page.proposed = ERASED, "", {}
        page.photo_name, page.photo_width, page.photo_height = "", 0, 0
        page.slug = f"erased-{page.id}"


register(
    PersonalData(
        "fundraising_pages",
        FundraiserPage,
        gather=_gather_pages,
        erase=_erase_pages,
        kept="The page's gifts and totals, for the campaign's books; its title, story and photo go, and it is hidden.",
        label=_l("Fundraiser pages: %(n)d"),
        erasing=lambda n: ngettext(
            "take down %(num)d fundraiser page (its title, story and photo);",
            "take down %(num)d fundraiser pages (their titles, stories and photos);",
            n,
        ),
    )
)


def _offline_rows(person):
    emails = select(Supporter.email).where(Supporter.id.in_(person.ids), Supporter.email != "")
    return (
        select(OfflineGiftReport)
        .where(or_(OfflineGiftReport.supporter_id.in_(person.ids), OfflineGiftReport.email.in_(emails)))
        .order_by(OfflineGiftReport.id)
    )


def _gather_offline(reports, person):
    for report in reports:
        person.add_emails(report.email)
        person.add_secrets(*(getattr(report, name) for name in CONTACT_FIELDS), report.full_name, report.reference)


def _erase_offline(reports, person):
    for report in reports:
        blank(report, (*CONTACT_FIELDS, "reference"))


register(
    PersonalData(
        "fundraising_offline_gifts",
        OfflineGiftReport,
        rows=_offline_rows,
        gather=_gather_offline,
        erase=_erase_offline,
        kept="The amount and date of each reported gift; the donor's name and address go.",
        label=_l("Offline gifts reported to a fundraiser: %(n)d"),
    )
)


def _withdraw_contact(credits, person):
    """The fundraiser no longer sees the erased donor's address (their gift's email is blanked too)."""
    for credit in credits:
        credit.share_email = False


# A credit belongs to the donor's gift (or monthly gift): it follows it in a merge, goes with it in
# the export, and an erasure withdraws the donor's leave to be contacted by the fundraiser.
for key, model, parent, link, kept in (
    (
        "fundraising_page_gifts",
        PageGift,
        Donation,
        PageGift.donation_id,
        "Which gift counts for which page, for the campaign's totals; the leave to share the email is withdrawn.",
    ),
    (
        "fundraising_page_plans",
        PagePlan,
        RecurringGift,
        PagePlan.recurring_gift_id,
        "Which monthly gift counts for which page; the leave to share the email is withdrawn.",
    ),
):
    register(
        PersonalData(
            key, model, rows=child_rows(model, parent, link), merge="follows", erase=_withdraw_contact, kept=kept
        )
    )

# Tables that name no person: campaigns and occasions are the charity's words, a team is shared by its
# members (its captain is an account), a flag says nothing of who flagged.
for key, model, kept in (
    ("fundraising_campaigns", Campaign, "The charity's campaigns: no supporter's data."),
    ("fundraising_occasions", Occasion, "The charity's occasions: no supporter's data."),
    ("fundraising_teams", Team, "Shared by its members; the captain is an account, not a supporter's data."),
    ("fundraising_page_flags", PageFlag, "A visitor's report of a page: it names nobody."),
):
    register(PersonalData(key, model, rows=lambda person: None, merge="none", exported=False, kept=kept))
