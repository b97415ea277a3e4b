"""A CSV with a field longer than Python's csv limit (131,072 characters) gets a clear message, not a 500."""

import io

import pytest

from tests.helpers import csrf_token
from tests.supporters.test_import import IMPORT, app, staff  # noqa: F401  (fixtures)

HUGE = "x" * 131_073


@pytest.mark.parametrize(
    "data",
    [
        f"email,first_name\nana@example.org,{HUGE}\n".encode(),  # in a row
        f"email,{HUGE}\nana@example.org,Ana\n".encode(),  # in the header line
        f'email,note\nana@example.org,"{HUGE}\n'.encode(),  # an unclosed quote swallows the rest
    ],
    ids=["row", "header", "unclosed-quote"],
)
def test_a_field_past_the_csv_limit_is_refused_with_a_clear_message(client, staff, data):  # noqa: F811
    form = {"csrf_token": csrf_token(client, IMPORT), "file": (io.BytesIO(data), "huge.csv")}
    response = client.post(IMPORT, data=form, content_type="multipart/form-data")
    answers = [response]
    if response.status_code == 302:  # accepted at upload: the next screens must not fail either
        url = response.headers["Location"]
        answers.append(client.get(url))
        answers.append(client.post(url, data={"column_0": "email", "csrf_token": csrf_token(client, url)}))
    for answer in answers:
        assert answer.status_code < 500, answer.status_code
    text = "".join(answer.get_data(as_text=True) for answer in answers)
    assert "longer than 131,072 characters" in text
