"""The shared form toolkit (crm/forms.py): filters, and language choices read from SUPPORTED_LOCALES."""

import re

import pytest

from crm.forms import clean_line, clean_text

FORMS_WITH_A_LANGUAGE = (
    "/newsletter",  # supporters: the language of our emails
    "/donate",  # payments: the language of the receipt
)


@pytest.mark.parametrize("path", FORMS_WITH_A_LANGUAGE)
def test_language_choices_follow_supported_locales(make_app, path):
    for locales, expected in ((["en", "fr"], ["en", "fr"]), (["fr"], ["fr"])):
        page = make_app(SUPPORTED_LOCALES=locales).test_client().get(path).get_data(as_text=True)
        select = re.search(r'<select[^>]*name="language".*?</select>', page, re.S).group(0)
        assert re.findall(r'<option[^>]*value="([a-z]+)"', select) == expected
        assert 'lang="fr"' in select  # each language named in itself, marked for screen readers


def test_language_choices_on_the_staff_and_preference_forms(make_app):
    from crm.supporters.forms.preferences import preference_form
    from crm.supporters.forms.staff import SupporterEditForm, SupporterSearchForm

    app = make_app(SUPPORTED_LOCALES=["fr"])
    with app.test_request_context():
        assert [choice.value for choice in SupporterEditForm().language.iter_choices()] == ["fr"]
        assert [choice.value for choice in SupporterSearchForm().language.iter_choices()] == ["", "fr"]
        form = preference_form("fr", {}, "en")
        assert [choice.value for choice in form.language.iter_choices()] == ["fr"]
        assert form.language.data == "fr"  # a language no longer offered falls back to the first


@pytest.mark.parametrize(
    ("value", "line", "text"),
    [
        ("  Ana\x00 ", "Ana", "Ana"),
        ("a\r\nb\rc\td\x1b", "abcd", "a\nb\nc\td"),
        ("\u202eRTL", "\u202eRTL", "\u202eRTL"),  # not a control character: kept, escaped on output
        (None, None, None),
    ],
)
def test_filters(value, line, text):
    assert clean_line(value) == line
    assert clean_text(value) == text
