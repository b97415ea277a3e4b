"""Staff copy renders in a small language: nothing in it can spin the CPU or fill the memory."""

import pytest

from crm.mail.services.rendering import MAX_RENDERED_COPY, RenderError, render_copy
from tests.helpers import post_form
from tests.mail.test_staff_mail import staff_client  # noqa: F401  (fixture)

URL = "/staff/email-copy/events_ack/en"

# Each of these, rendered as it stood before, made a page of megabytes (or took the CPU for seconds).
HOSTILE_COPY = [
    "{{ 'x' * 10000000 }}",
    "{{ 'x' ~ 9 ** 9 ** 2 }}",
    "{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}",
    "{{ 'x'.center(10000000) }}",
    "{{ 'x' | center(10000000) }}",
    "{{ 'x' | indent(10000000, true) }}",
    "{% set a = 'xxxxxxxxxxxxxxxx' %}{% set a = a ~ a ~ a ~ a %}{% set a = a ~ a ~ a ~ a %}{{ a }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ '%10000000s' | format('x') }}",
    "{{ range(100000) | list }}",
]


@pytest.mark.parametrize("body", HOSTILE_COPY)
def test_the_editor_refuses_copy_that_could_exhaust_the_server(staff_client, body):  # noqa: F811
    response = post_form(staff_client("marketing"), URL, {"subject": "Hi", "body": body, "preview": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "cannot be rendered" in page
    assert len(page) < 100_000


def test_what_copy_needs_still_works(app):
    source = "{% if first_name %}Dear {{ first_name | title }},{% else %}Hello,{% endif %} {{ missing | default('-') }}"
    with app.app_context():
        assert render_copy(source, {"first_name": "ann"}) == "Dear Ann, -"
        assert render_copy(source, {}) == "Hello, -"


def test_the_rendered_copy_is_capped_even_when_each_part_is_allowed(app):
    source = "{{ details }}" * 50
    with app.app_context(), pytest.raises(RenderError, match="longer than"):
        render_copy(source, {"details": "y" * (MAX_RENDERED_COPY // 40)})
