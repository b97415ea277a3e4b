"""Language choice (English and French), the switch, and locale-aware template helpers."""

from flask import Blueprint, abort, current_app, g, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale, refresh

from crm.accounts.access import public
from crm.money import format_money
from crm.security import safe_next_url

bp = Blueprint("i18n", __name__)

LANGUAGE_KEY = "lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def select_locale():
    """Return the language chosen on the switch, else that of the person a link names, else the browser's."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():
        return supported[0]  # CLI commands and workers speak the default language
    chosen = session.get(LANGUAGE_KEY)
    if chosen in supported:
        return chosen
    if g.get("person_language") in supported:
        return g.person_language
    return request.accept_languages.best_match(supported) or supported[0]


def speak_to(*languages):
    """Show this page in the language of the person its link names (the first of `languages` we speak).

    A page opened from one of our emails (preferences, confirmation, a monthly gift, a receipt)
    is for the person the signed link names, whatever their browser says: a French supporter
    reading on an English computer gets French. The switch stays, and a choice made on it wins.
    """
    supported = current_app.config["SUPPORTED_LOCALES"]
    language = next((code for code in languages if code in supported), None)
    if language is not None and g.get("person_language") != language:
        g.person_language = language
        refresh()  # a locale already worked out for this request is worked out again


@bp.get("/language/<code>")
@public
def switch_language(code):
    """Remember the language and go back to the page the visitor was on."""
    if code not in current_app.config["SUPPORTED_LOCALES"]:
        abort(404)
    session[LANGUAGE_KEY] = code
    return redirect(safe_next_url(request.args.get("next"), url_for("pages.home")))


def money_locale(language):
    """The locale money and dates are written in for a language: "fr" -> "fr_CA" (MONEY_TERRITORY)."""
    return f"{language}_{current_app.config['MONEY_TERRITORY']}"


def money_in(cents, currency, language):
    """Format integer cents for someone who reads `language` (an email, a PDF), whatever the request's."""
    return format_money(cents, currency, money_locale(language))


def money_filter(cents, currency=None):
    """Format integer cents in the current language: {{ gift.amount_cents|money }}."""
    return money_in(cents, currency or current_app.config["CURRENCY"], get_locale().language)


def template_globals():
    """Values every template may use."""
    current = str(get_locale())
    others = [code for code in current_app.config["SUPPORTED_LOCALES"] if code != current]
    return {
        "current_language": current,
        "other_languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in others],
        "charity_name": current_app.config["CHARITY_NAME"],
    }
