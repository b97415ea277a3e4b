"""A fundraiser's tools beyond the page: the printable poster with its QR code."""

from flask import Response, url_for

from crm.accounts.access import signed_in_required
from crm.fundraising.services.poster import build_poster_pdf
from crm.fundraising.views import bp
from crm.fundraising.views.owned import my_page


@bp.get("/fundraise/pages/<int:page_id>/poster.pdf")
@signed_in_required
def poster(page_id):
    page = my_page(page_id, staff_too=True)
    url = url_for(".page", slug=page.slug, _external=True)
    filename = "affiche.pdf" if page.language == "fr" else "poster.pdf"
    return Response(
        build_poster_pdf(page, url),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
