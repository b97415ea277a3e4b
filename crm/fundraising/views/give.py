"""Giving to a fundraiser's page: the donation form and flow of payments, the gift credited to the page."""

from flask import abort, render_template, request, url_for

from crm.accounts.access import public
from crm.fundraising.forms.give import PageGiftForm
from crm.fundraising.services.credits import PageClosed, credit_page_gift, credited_page
from crm.fundraising.services.public import giving_page
from crm.fundraising.views import bp
from crm.payments.views.donate import show_thanks, take_gift
from crm.supporters.spam import public_form_limit


@bp.route("/fundraisers/<slug>/give", methods=["GET", "POST"])
@public_form_limit
@public
def give_to_page(slug):
    page = giving_page(slug)
    if page is None:
        abort(404)  # a draft, pending or hidden page takes no gifts and is not there for the public
    if not page.takes_gifts:
        status = 409 if request.method == "POST" else 200
        return render_template("fundraising/give.html", page=page, form=None, closed=PageClosed()), status
    form = PageGiftForm(page)
    return take_gift(
        form,
        "fundraising/give.html",
        on_started=credit_page_gift(
            page, hide_amount=bool(form.hide_amount.data), share_email=bool(form.share_email.data)
        ),
        thanks=lambda donation: url_for(".give_thanks", slug=page.slug, token=donation.token),
        page=page,
    )


@bp.get("/fundraisers/<slug>/thanks/<token>")
@public
def give_thanks(slug, token):
    return show_thanks(token, lambda donation: {"supported": _supported(donation)})


def _supported(donation):
    """What the thank-you page says of the page a gift was given on (its title, the way back)."""
    page = credited_page(donation)
    if page is None or not page.is_public:
        return None
    return {
        "title": page.title,
        "url": url_for(".page", slug=page.slug),
        "give_url": url_for(".give_to_page", slug=page.slug),
    }
