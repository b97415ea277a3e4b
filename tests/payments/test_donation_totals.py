"""The staff donations list totals what its filters select (every page of it), by currency, in one SQL query."""

import re
from html import unescape

from sqlalchemy import event

from crm.extensions import db
from crm.payments.services.backoffice import DonationFilter, donation_totals

LIST = "/staff/donations/"


def _gifts(make_gift):
    for n in range(55):  # more than a page
        make_gift(f"d{n}@example.org", amount_cents=1000, designation="spring")
    make_gift("part@example.org", amount_cents=10_000, status="partially_refunded", refunded_cents=2_500)
    make_gift("all@example.org", amount_cents=3_000, status="refunded", refunded_cents=3_000, designation="spring")
    make_gift("failed@example.org", amount_cents=7_000, status="failed", designation="spring")
    make_gift("pending@example.org", amount_cents=9_000, status="pending")
    make_gift("usd@example.org", amount_cents=2_000, currency="usd")
    db.session.commit()


def _totals_table(client, query=""):
    page = unescape(client.get(LIST + query, headers={"Accept-Language": "en"}).get_data(as_text=True))
    section = page.split('id="totals-heading"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\w+)</th>(.*?)</tr>", section, re.S)
    return {currency: re.findall(r'<td class="num">([^<]*)</td>', cells) for currency, cells in rows}


def test_totals_count_sum_and_net_of_what_is_filtered_per_currency(app, make_gift, make_client):
    with app.app_context():
        _gifts(make_gift)
    client, _ = make_client("marketing")
    assert _totals_table(client) == {
        # 59 gifts in CAD; received 550 + 100 + 30 (pending and failed add nothing), refunded 25 + 30.
        "CAD": ["59", "$680.00", "$55.00", "$625.00"],
        "USD": ["1", "US$20.00", "US$0.00", "US$20.00"],
    }
    assert _totals_table(client, "?designation=spring") == {"CAD": ["57", "$580.00", "$30.00", "$550.00"]}
    assert _totals_table(client, "?status=partially_refunded") == {"CAD": ["1", "$100.00", "$25.00", "$75.00"]}
    assert _totals_table(client, "?q=part%40example.org&page=2")["CAD"][0] == "1"  # whatever the page
    page = client.get(LIST + "?q=nobody", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "totals-heading" not in page


def test_totals_are_integer_cents_from_one_query(app, make_gift):
    with app.app_context():
        _gifts(make_gift)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            totals = donation_totals(DonationFilter.from_args({}))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "sum(" in statements[0].lower()
    [cad, usd] = totals
    assert (cad.currency, cad.count, cad.received_cents, cad.refunded_cents, cad.net_cents) == (
        "cad",
        59,
        68_000,
        5_500,
        62_500,
    )
    assert all(type(value) is int for value in (cad.count, cad.received_cents, cad.refunded_cents, usd.net_cents))
    assert (usd.currency, usd.count, usd.net_cents) == ("usd", 1, 2_000)
