"""The public side of fundraising: a fundraiser's page, with its thermometer, wall and share tools."""

from urllib.parse import quote

from flask import abort, current_app, render_template, request, send_from_directory, url_for
from flask_login import current_user

from crm.accounts.access import public
from crm.fundraising.personal import PHOTO_FOLDER
from crm.fundraising.services.page_cache import kept_for_anonymous
from crm.fundraising.services.public import find_page, may_see, photo_audience, qr_svg, story_html, wall
from crm.fundraising.services.totals import page_total, progress
from crm.fundraising.views import bp
from crm.images import IMAGE_NAME, image_folder


@bp.get("/fundraisers/photos/<name>")
@public
def photo(name):
    audience = photo_audience(name, current_user) if IMAGE_NAME.match(name) else None
    if audience is None:
        abort(404)  # a photo waiting for approval, or of a page the public may not see, is not there for them
    folder = image_folder(current_app.config["MEDIA_ROOT"], PHOTO_FOLDER)
    # Kept, but asked again each time it is shown (a 304 while it may still be seen, by its ETag):
    # a page hidden for its photo takes the photo down at once, from browsers and proxies alike.
    response = send_from_directory(folder, name)
    response.cache_control.no_cache = True
    if audience == "public":
        response.cache_control.public = True
    else:
        response.cache_control.private = True  # never kept by a shared cache for the next visitor
    return response


def share_links(url, title):
    text = quote(title)
    link = quote(url, safe="")
    return {
        "email": f"mailto:?subject={text}&body={link}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={link}",
        "x": f"https://x.com/intent/post?url={link}&text={text}",
        "whatsapp": f"https://wa.me/?text={text}%20{link}",
    }


@bp.get("/fundraisers/<slug>")
@public
@kept_for_anonymous("wall")
def page(slug):
    found = find_page(slug)
    if found is None or not may_see(found, current_user):
        abort(404)  # a hidden page is not there for the public (its owner and staff still see it)
    raised, donors = page_total(found)
    number = request.args.get("wall", 1, type=int) or 1
    entries, more = wall(found, number)
    url = url_for(".page", slug=found.slug, _external=True)
    return render_template(
        "fundraising/page.html",
        page=found,
        raised=raised,
        donors=donors,
        percent=progress(raised, found.goal_cents),
        story=story_html(found.story),
        wall=entries,
        wall_number=number,
        wall_more=more,
        share=share_links(url, found.title),
        page_url=url,
        qr=qr_svg(url),
    )
