"""Access matrix over every /staff/ URL of the app, collected from the URL map (new pages are covered too).

anonymous -> log in; fundraiser -> 403; marketing -> reads (200) but changes nothing (403 on POST, and on
the form pages of change actions, whose rule also takes POST); staff and admin -> 200 on pages, and
POST actions are let in (never 401/403/405 or a 500).
"""

from datetime import UTC, date, datetime
from itertools import product
from urllib.parse import quote

import pytest
from flask import url_for
from werkzeug.routing.converters import AnyConverter

from crm.catalog.models import Category, HonourCard, Item, Order, OrderLine
from crm.extensions import db
from crm.payments.models import Donation
from crm.payments.services.receipts import issue_receipt
from crm.supporters.models import Inquiry, Tag
from tests.helpers import csrf_token, log_in

ROLES = ("anonymous", "fundraiser", "marketing", "staff", "admin")
# Endpoints under /staff/ whose pages may be skipped when an argument cannot be filled here (their own
# tests cover those: the import steps and the mail screens); any other must get its arguments filled below.
SKIPPABLE = ("supporters.import_", "mail.", "fundraising.staff_campaign_image")  # (a stored file's name)
# (endpoint, role, method) -> expected status, where a page deliberately differs from the rule above.
OVERRIDES = {
    # Marketing may look at a merge preview (read-only); the merge itself (POST) stays 403.
    ("supporters.merge", "marketing", "GET"): 200,
    # A person's full privacy export is for admin and staff only, not for marketing.
    ("supporters.privacy", "marketing", "GET"): 403,
    ("supporters.privacy_export", "marketing", "GET"): 403,
    # Marketing writes the copy of emails (mail feature).
    ("mail.edit_copy", "marketing", "GET"): 200,
    ("mail.edit_copy", "marketing", "POST"): "allowed",
    ("mail.reset_copy", "marketing", "POST"): "allowed",
}
# The catalog's items and categories are for admins only (issue 6): staff and marketing get 403.
ADMIN_ONLY = (
    "catalog.staff_items",
    "catalog.staff_item_new",
    "catalog.staff_item",
    "catalog.staff_item_move",
    "catalog.staff_categories",
    "catalog.staff_category",
    "catalog.staff_category_move",
)
OVERRIDES.update(
    {
        (endpoint, role, method): 403
        for endpoint in ADMIN_ONLY
        for role in ("marketing", "staff")
        for method in ("GET", "POST")
    }
)
T0 = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture
def rows(app, make_supporter):
    """The records the URL arguments point to."""
    with app.app_context():
        supporter = make_supporter("matrix@example.org", "Mat", "Rix", T0, tags=["Matrix"])
        other = make_supporter("other@example.org", "Oth", "Er", T0)
        inquiry = Inquiry(supporter_id=supporter.id, kind="media", topic="Matrix", created_at=T0)
        db.session.add(inquiry)
        filled = {"a": supporter.id, "b": other.id}
        from crm.mail.models import OutboundEmail  # the staff outbox pages (mail feature)

        email = OutboundEmail(dedupe_key="matrix", template="media_ack", to_address=supporter.email, created_at=T0)
        db.session.add(email)
        gift, receipt = _gift_with_receipt(supporter)
        catalog = _catalog_order(supporter, gift)
        fundraising = _fundraising(supporter)
        db.session.commit()
        tag_id = db.session.scalar(db.select(Tag.id).filter_by(name="Matrix"))
        return {
            **filled,
            "supporter_id": supporter.id,
            "inquiry_id": inquiry.id,
            "tag_id": tag_id,
            "email_id": email.id,
            "donation_id": gift.id,
            "receipt_id": receipt.id,
            **{name: row.id for name, row in catalog.items()},
            **{name: row.id for name, row in fundraising.items()},
            "template": "media_ack",
            "language": "en",
        }


def _gift_with_receipt(supporter):
    """A paid gift and its receipt, for the payments feature's staff pages."""
    gift = Donation(
        supporter_id=supporter.id,
        amount_cents=5000,
        currency="cad",
        status="succeeded",
        first_name="Mat",
        last_name="Rix",
        email=supporter.email,
        address_line1="1 Main St",
        created_at=T0,
        succeeded_at=T0,
    )
    db.session.add(gift)
    db.session.flush()
    return gift, issue_receipt([gift], now=T0)


def _catalog_order(supporter, gift):
    """A category, an item, and an order for it with an honour card, for the catalog's staff pages."""
    category = Category(slug="matrix", name_en="Matrix", name_fr="Matrice")
    db.session.add(category)
    db.session.flush()
    item = Item(slug="matrix-item", category_id=category.id, name_en="Goat", name_fr="Chèvre", price_cents=5000)
    order = Order(supporter_id=supporter.id, total_cents=5000, currency="cad", status="paid", donation_id=gift.id)
    db.session.add_all([item, order])
    db.session.flush()
    line = OrderLine(order_id=order.id, item_id=item.id, quantity=1, unit_price_cents=5000, name="Goat")
    db.session.add(line)
    db.session.flush()
    card = HonourCard(order_id=order.id, honouree_name="Mat", delivery="print", deliver_on=date(2026, 1, 6))
    db.session.add(card)
    db.session.flush()
    return {"category_id": category, "item_id": item, "order_id": order, "card_id": card}


def _fundraising(supporter):
    """A campaign, its occasion, a page with a visitor's report and a reported cheque, for fundraising's staff pages."""
    from crm.fundraising.models import Campaign, FundraiserPage, Occasion, OfflineGiftReport, PageFlag

    campaign = Campaign(slug="matrix", name_en="Matrix")
    occasion = Occasion(kind="own_idea", title_en="Mine")
    campaign.occasions.append(occasion)
    page = FundraiserPage(
        campaign=campaign, supporter_id=supporter.id, slug="matrix", title="Matrix", goal_cents=100, status="pending"
    )
    flag = PageFlag(page=page, reason="other")
    report = OfflineGiftReport(page=page, amount_cents=100, currency="cad", received_on=date(2026, 1, 5))
    db.session.add_all([campaign, page, flag, report])
    db.session.flush()
    return {"campaign_id": campaign, "occasion_id": occasion, "page_id": page, "flag_id": flag, "report_id": report}


def staff_urls(app, rows):
    """Return [(endpoint, method, path, takes_post)] for every rule under /staff/, arguments filled."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/"):
            continue
        # An <any(a, b):name> argument is filled with each of its values.
        choices = {
            name: sorted(converter.items)
            for name, converter in rule._converters.items()
            if isinstance(converter, AnyConverter)
        }
        missing = rule.arguments - rows.keys() - choices.keys()
        if missing:
            assert rule.endpoint.startswith(SKIPPABLE), f"{rule.rule}: fill {sorted(missing)} in the rows fixture"
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        fixed = {name: rows[name] for name in rule.arguments - choices.keys()}
        for values in product(*choices.values()):
            with app.test_request_context():
                path = url_for(rule.endpoint, **fixed, **dict(zip(choices, values, strict=True)))
            found.extend((rule.endpoint, method, path, "POST" in methods) for method in sorted(methods))
    return found


def expected(role, method, takes_post):
    if role == "anonymous":
        return 302
    if role == "fundraiser":
        return 403
    if role == "marketing":
        return 200 if method == "GET" and not takes_post else 403
    return 200 if method == "GET" else "allowed"


def client_for(app, make_user, role):
    client = app.test_client()
    if role != "anonymous":
        user = make_user(email=f"{role}@example.org", role=role)
        log_in(client, user.email, user.password)
    return client, csrf_token(client, "/account/login" if role == "anonymous" else "/")


def test_the_matrix_covers_the_pages_of_this_issue(app, rows):
    endpoints = {endpoint for endpoint, *_ in staff_urls(app, rows)}
    assert {
        "admin.dashboard",
        "supporters.index",
        "supporters.show",
        "supporters.edit",
        "supporters.add_tag_view",
        "supporters.remove_tag_view",
        "supporters.add_note_view",
        "supporters.inquiries",
        "supporters.inquiry",
        "supporters.inquiry_assign",
        "supporters.inquiry_reply",
        "supporters.inquiry_answered",
        "supporters.inquiry_close",
    } <= endpoints


def test_access_matrix(app, make_user, rows):
    urls = staff_urls(app, rows)
    clients = {role: client_for(app, make_user, role) for role in ROLES}
    failures = []
    # Every GET first, then the POSTs (a POST that succeeds may change what a page shows).
    for method in ("GET", "POST"):
        for role in ROLES:
            client, token = clients[role]
            for endpoint, rule_method, path, takes_post in urls:
                if rule_method != method:
                    continue
                want = OVERRIDES.get((endpoint, role, method), expected(role, method, takes_post))
                if method == "GET":
                    response = client.get(path, buffered=True)
                else:
                    response = client.post(path, data={"csrf_token": token}, buffered=True)
                response.close()  # a streamed download keeps its request context until closed
                got = response.status_code
                location = response.headers.get("Location", "")
                if want == 302:
                    ok = got == 302 and location.startswith(f"/account/login?next={quote(path, safe='')}")
                elif want == "allowed":
                    ok = got < 500 and got not in (401, 403, 405) and "/account/login" not in location
                else:
                    ok = got == want
                if not ok:
                    failures.append(f"{role:<10} {method:<4} {path} ({endpoint}): got {got} {location}, want {want}")
    assert not failures, "\n".join(failures)
