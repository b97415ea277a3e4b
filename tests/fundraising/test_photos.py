"""Photos by name: the public gets a photo only from a page or campaign it may see; a photo waiting for
approval, or that of a draft, pending or hidden page, goes to its fundraiser and staff alone."""

import io

import pytest

from crm.extensions import db
from crm.fundraising.models import Campaign, FundraiserPage
from crm.fundraising.personal import PHOTO_FOLDER
from crm.images import store_image
from tests import factories
from tests.catalog.test_images import picture_bytes
from tests.helpers import csrf_token

SLUG = "fay-dips"


def photo_url(name):
    return f"/fundraisers/photos/{name}"


@pytest.fixture
def owner(app, make_client):
    """The fundraiser's signed-in client and the id of their draft page, in a campaign that approves edits."""
    client, user = make_client("fundraiser", email="fay@example.org")
    with app.app_context():
        campaign = Campaign(slug="dip", name_en="Winter polar dip", approve_edits=True)
        db.session.add(campaign)
        db.session.flush()
        page = FundraiserPage(
            campaign_id=campaign.id,
            supporter_id=factories.supporter("fay@example.org", "Fay", language="en").id,
            user_id=user.id,
            slug=SLUG,
            title="Fay's polar dip",
            goal_cents=100000,
            language="en",
        )
        db.session.add(page)
        db.session.commit()
        return client, page.id


def upload(client, page_id):
    """Send a new photo through the page's edit form; return the name it is stored under (shown or proposed)."""
    url = f"/fundraise/pages/{page_id}/edit"
    data = {
        "title": "Fay's polar dip",
        "story": "Cold water.",
        "goal": "1000",
        "slug": SLUG,
        "photo": (io.BytesIO(picture_bytes()), "me.jpg"),
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = db.session.get(FundraiserPage, page_id)
    db.session.refresh(page)
    return page.proposed.get("photo_name") or page.photo_name


def staff_does(staff, page_id, action, **data):
    token = csrf_token(staff, f"/staff/fundraising/pages/{page_id}")
    response = staff.post(f"/staff/fundraising/pages/{page_id}/{action}", data={"csrf_token": token, **data})
    assert response.status_code == 302, response.get_data(as_text=True)


def fetch(client, name, **headers):
    """GET a photo; the response is read and closed (its file too), its headers kept."""
    with client.get(photo_url(name), headers=headers) as response:
        response.get_data()
        return response


def statuses(name, *clients):
    return [fetch(client, name).status_code for client in clients]


def test_a_photo_waiting_for_approval_is_the_fundraisers_and_staffs_until_approved(app, owner, make_client):
    client, page_id = owner
    staff = make_client("staff")[0]
    stranger = make_client("fundraiser")[0]
    anonymous = app.test_client()
    with app.app_context():
        first = upload(client, page_id)
        assert db.session.get(FundraiserPage, page_id).photo_name == first, "a draft's photo is put up at once"
    assert statuses(first, anonymous, stranger, client, staff) == [404, 404, 200, 200], "a draft is not public yet"

    token = csrf_token(client, f"/fundraise/pages/{page_id}")
    assert client.post(f"/fundraise/pages/{page_id}/submit", data={"csrf_token": token}).status_code == 302
    public = fetch(anonymous, first)
    assert public.status_code == 200 and public.mimetype == "image/jpeg"
    assert public.cache_control.public and public.cache_control.no_cache and public.headers["ETag"]
    again = fetch(anonymous, first, **{"If-None-Match": public.headers["ETag"]})
    assert again.status_code == 304, "a browser or proxy asks again and keeps its copy while the page is up"

    with app.app_context():
        proposed = upload(client, page_id)
        page = db.session.get(FundraiserPage, page_id)
        assert page.status == "live" and page.photo_name == first and page.proposed["photo_name"] == proposed
    assert statuses(proposed, anonymous, stranger, client, staff) == [404, 404, 200, 200]
    private = fetch(client, proposed)
    assert private.cache_control.private and not private.cache_control.public, "no shared cache keeps it"
    assert fetch(anonymous, first).status_code == 200, "the approved photo stays up meanwhile"
    assert f'src="{photo_url(proposed)}"' not in anonymous.get(f"/fundraisers/{SLUG}").get_data(as_text=True)

    staff_does(staff, page_id, "approve")
    assert statuses(proposed, anonymous, stranger) == [200, 200]
    assert fetch(anonymous, first).status_code == 404, "the photo it replaced is no page's any more"

    shown = fetch(anonymous, proposed)
    staff_does(staff, page_id, "hide", reason="Not our event")
    assert statuses(proposed, anonymous, stranger, client, staff) == [404, 404, 200, 200]
    asked_again = fetch(anonymous, proposed, **{"If-None-Match": shown.headers["ETag"]})
    assert asked_again.status_code == 404, "a kept copy is asked about again, and the hidden page's photo is gone"


def test_a_campaigns_image_is_public_once_the_campaign_is(app, client):
    with app.app_context():
        stored = store_image(picture_bytes(), app.config["MEDIA_ROOT"], PHOTO_FOLDER)
        campaign = Campaign(slug="dip", name_en="Winter polar dip", status="draft", image_name=stored.name)
        db.session.add(campaign)
        db.session.commit()
    assert fetch(client, stored.name).status_code == 404
    with app.app_context():
        db.session.scalar(db.select(Campaign)).status = "open"
        db.session.commit()
    assert fetch(client, stored.name).status_code == 200
    assert fetch(client, "no-such-photo.jpg").status_code == 404
    assert fetch(client, "..%2Fsecret.jpg").status_code == 404
