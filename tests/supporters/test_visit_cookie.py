"""Where a visit came from lives in its own cookie: first touch wins, and what comes back is only text."""

from crm.supporters.attribution import COOKIE_NAME, encode_attribution
from tests.helpers import attribution_of


def test_the_visit_cookie_keeps_the_first_touch_and_a_forged_one_is_only_text(client):
    client.get("/newsletter?utm_source=story&utm_campaign=winter", headers={"Referer": "https://news.example/a"})
    client.get("/donate?utm_source=later")  # a later page does not overwrite the first touch
    assert attribution_of(client) == {
        "utm_source": "story",
        "utm_campaign": "winter",
        "landing_page": "/newsletter",
        "referrer": "https://news.example/a",
    }
    forged = encode_attribution({"source": "x\r\nSet-Cookie: y" + "z" * 500, "utm_medium": ["no"], "other": 1})
    client.set_cookie(COOKIE_NAME, forged)
    assert attribution_of(client) == {"source": ("xSet-Cookie: y" + "z" * 500)[:200], "utm_medium": "['no']"}
    client.set_cookie(COOKIE_NAME, "not base64 at all!")
    assert attribution_of(client) == {}
    assert client.get("/newsletter").status_code == 200
