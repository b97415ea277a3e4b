"""Every form of the app gets the Big List of Naughty Strings, and nothing answers 5xx (issue 11).

The forms are found, not listed: the demo data is crawled from the URL map's pages, as a visitor
and as an admin, and every POST form on a page is taken as the browser sees it (its fields, its
hidden values). Each POST route of the URL map must be reached by a form found so, or be named
in NOT_FORMS with why; a new form is covered from its first day.

- Form level, every string: while a page with forms renders, each form object it was given is
  filled with every string of blns.json in every field and validated, inside that request (the
  form keeps the choices and records its view gave it).
- HTTP, a sample: each form found is posted with its other fields valid and one field at a time
  set to each string of a sample, so what passes validation reaches the services.
"""

import contextlib
import html.parser
import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import current_app, request, template_rendered, url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import FieldList, FormField

from crm.demo import seed_demo
from crm.extensions import db
from tests.blns import SAMPLE, STRINGS
from tests.helpers import csrf_token, log_in

# POST routes that are not a form on a page, and where their bad input is tried instead.
NOT_FORMS = {
    "payments.stripe_webhook": "JSON signed by Stripe: tests/payments/test_webhook.py",
    "mail.one_click": "RFC 8058 one-click POST from mail clients: tests/mail/test_delivery.py",
    "accounts.logout": "ends the crawl's session: tests/accounts/test_sessions.py",
    "accounts.logout_everywhere": "ends the crawl's session: tests/accounts/test_sessions.py",
    "fundraising.captain_hand_over": "needs a second fundraiser account in the team: tests/fundraising/test_teams.py",
}
# Pages the crawl does not follow: they switch the language or end the session.
NOT_FOLLOWED = {"i18n.switch_language", "static"}
PER_ENDPOINT = 2  # pages visited per route (one supporter's page stands for all)
DEFAULTS = {
    "email": "sample.person@example.org",
    "number": "25",
    "date": "2026-03-01",
    "datetime-local": "2026-03-01T10:00",
    "tel": "514-555-0100",
    "url": "https://example.org/",
    "password": "a long enough password",
}


class _Forms(html.parser.HTMLParser):
    """The POST forms of a page: action and fields as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {
                "action": attrs.get("action") or "",
                "fields": [],
                "multipart": "multipart" in (attrs.get("enctype") or ""),
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("button", "input") and attrs.get("formaction"):
            self._form.setdefault("formactions", []).append(attrs["formaction"])
        elif tag == "option" and self._select is not None:
            if self._select["value"] is None or "selected" in attrs:
                self._select["value"] = attrs.get("value", "")
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and any(f["name"] == attrs["name"] for f in self._form["fields"]):
                return
            value = attrs.get("value") or ("y" if kind == "checkbox" else "")
            self._form["fields"].append({"name": attrs["name"], "type": kind, "value": value})
        elif tag == "select":
            self._select = {"name": attrs["name"], "type": "select", "value": None}
            self._form["fields"].append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": attrs["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _leaf_names(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _leaf_names(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _leaf_names(entry.form) if isinstance(entry, FormField) else [entry.name]
        elif field.type not in ("SubmitField", "CSRFTokenField", "FileField", "MultipleFileField"):
            yield field.name


def _form_classes(base):
    for cls in base.__subclasses__():
        if cls.__module__.startswith("crm."):
            yield cls
        yield from _form_classes(cls)


def _forms_in(context):
    for value in context.values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else [value]
        yield from (form for form in values if isinstance(form, FlaskForm))


def _every_string(form):
    # A form counts for the classes it is made of (a mapping form is built per file from one).
    done = current_app.extensions.setdefault("blns_forms", set())
    done.update(cls.__name__ for cls in type(form).__mro__ if issubclass(cls, FlaskForm))
    names = list(_leaf_names(form))
    # The same form with the same fields on another page (a list's filters on each of its pages)
    # was tried already: once is the test, again is only minutes of CI.
    tried = current_app.extensions.setdefault("blns_tried", set())
    if (type(form), tuple(names)) in tried:
        return
    tried.add((type(form), tuple(names)))
    for value in STRINGS:
        form.process(formdata=MultiDict(dict.fromkeys(names, value)))
        with contextlib.suppress(HTTPException):  # a clear 4xx on purpose is an answer, not a crash
            form.validate()


def _validate_every_string(sender, template, context, **extra):
    """Fill each form of this page with every naughty string in every field and validate it."""
    for form in list(_forms_in(context)):
        _every_string(form)


@pytest.fixture
def posted_forms_too(monkeypatch):
    """Forms a view builds only to read a POST (a cart button, a move arrow) get every string
    when first validated, then the request's own data back."""
    validate = FlaskForm.validate

    def validate_after_every_string(form, *args, **kwargs):
        if request.method == "POST" and type(form).__name__ not in current_app.extensions.get("blns_forms", ()):
            _every_string(form)
            form.process(formdata=CombinedMultiDict((request.files, request.form)))
        return validate(form, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "validate", validate_after_every_string)


@pytest.fixture
def app(make_app, localstripe, smtp_sink):
    app = make_app(FORM_MIN_SECONDS=0, RATELIMIT_ENABLED=False, BASE_URL="http://localhost")
    with app.app_context():
        seed_demo()
        db.session.commit()
    return app


def _endpoint(app, url):
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")[0]
    except HTTPException:
        return None


def _crawl(app, client, starts):
    """GET every page reachable from `starts`; return {(POST route, field names): form, ...} found."""
    seen, visits, queue, forms = set(), {}, list(starts), {}
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        endpoint = _endpoint(app, url)
        if path in seen or endpoint is None or endpoint in NOT_FOLLOWED or visits.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        seen.add(path)
        visits[endpoint] = visits.get(endpoint, 0) + 1
        response = client.get(url)
        body = response.get_data()  # read streamed downloads to their end too
        assert response.status_code < 500, (url, response.status_code)
        if not response.content_type.startswith("text/html"):
            continue
        parser = _Forms()
        parser.feed(body.decode())
        for form in parser.forms:
            for action in [form["action"] or path, *form.pop("formactions", [])]:
                found = {**form, "page": path, "action": urlsplit(urljoin(url, action)).path}
                # One form per route and fields: the same form for another record (a second
                # supporter's edit form, a second page's gift form) runs the same code again.
                route = _endpoint_for_post(app, found["action"]) or found["action"]
                forms.setdefault((route, tuple(f["name"] for f in form["fields"])), found)
        for link in parser.links:
            link = urljoin(url, link)
            if urlsplit(link).netloc in ("", "localhost") and not link.startswith("mailto:"):
                queue.append(urlsplit(link).path + (f"?{urlsplit(link).query}" if urlsplit(link).query else ""))
    return forms


def _valid(field):
    if field["type"] == "hidden" or field["value"]:
        return field["value"]
    return DEFAULTS.get(field["type"], "Sample text")


def _post_sample(client, form):
    """Post the form with its fields valid, then each visible field set to each sample string."""
    data = {f["name"]: _valid(f) for f in form["fields"]}
    statuses = [client.post(form["action"], data=data).status_code]
    for field in form["fields"]:
        if field["type"] == "hidden" and field["name"] == "csrf_token":
            continue
        for value in SAMPLE:
            statuses.append(client.post(form["action"], data={**data, field["name"]: value}).status_code)
            assert statuses[-1] < 500, (form["action"], field["name"], value, statuses[-1])
    return statuses


def _world(app, localstripe, visitor, admin):
    """What the demo data lacks for some forms to show: Stripe gifts, a monthly gift, a paid order
    with an e-card, a newsletter signup awaiting its link, a duplicate, an import; and the pages
    only an emailed link opens. Return the start pages (visitor's, admin's)."""
    from crm.accounts.models import User
    from crm.accounts.services import make_reset_token, make_signup_token
    from crm.payments.services.plan_links import manage_url
    from crm.supporters.models import Signup, Supporter
    from crm.supporters.services.newsletter import make_confirmation_token
    from crm.supporters.services.preferences import make_preference_token
    from tests.catalog.test_cards import paid_order
    from tests.payments.helpers import paid_gift, started_gift
    from tests.supporters.test_public_forms import FUNDRAISER, NEWSLETTER, submit

    paid_gift(app, app.test_client(), localstripe)
    gift, _thanks = started_gift(app, app.test_client(), localstripe)
    paid_order(
        app, localstripe, [(0, {"honouree_name": "Ana", "delivery": "email", "honouree_email": "ana@example.org"})]
    )
    submit(app.test_client(), "/newsletter", NEWSLETTER)
    submit(app.test_client(), "/fundraise/learn-more", {**FUNDRAISER, "email": "ana.again@example.org"})
    csv = io.BytesIO(b"email,first_name,last_name\nana.two@example.org,Ana,Tremblay\n")
    upload = admin.post(
        "/staff/supporters/import",
        data={"csrf_token": csrf_token(admin, "/staff/supporters/import"), "file": (csv, "people.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)
    batch = _submit_page_form(admin, upload.headers["Location"])  # the columns as recognised
    _submit_page_form(admin, batch)  # checked: the page now offers to run it
    with app.test_request_context():
        user = db.session.scalar(db.select(User).filter_by(role="fundraiser"))
        supporter = db.session.scalar(db.select(Supporter).order_by(Supporter.id))
        tagged = db.session.scalar(db.select(Supporter).where(Supporter.tags.any()))
        first, second = db.session.scalars(db.select(Supporter).order_by(Supporter.id).limit(2)).all()
        signup = db.session.scalar(db.select(Signup).filter_by(form="newsletter").order_by(Signup.id.desc()))
        visitor_pages = [
            "/",
            "/campaigns/",  # then its campaigns, their pages and the pages' gift forms
            f"/preferences/{make_preference_token(supporter)}",
            urlsplit(manage_url(db.session.merge(gift))).path,
            f"/account/signup/{make_signup_token('brand.new@example.org')}",
            f"/account/reset/{make_reset_token(user)}",
            urlsplit(url_for("supporters.confirm_newsletter_view", token=make_confirmation_token(signup.id))).path,
        ]
        admin_pages = [
            "/staff/",
            "/account/",
            upload.headers["Location"],
            f"/staff/supporters/{tagged.id}",
            f"/staff/supporters/merge/{first.id}/{second.id}",
        ]
    # The cart holds an item, so its forms and the checkout show.
    index = visitor.get("/catalog").get_data(as_text=True)
    slug = re.search(r'<h3><a href="/catalog/([a-z0-9-]+)"', index).group(1)
    page = visitor.get(f"/catalog/{slug}").get_data(as_text=True)
    parser = _Forms()
    parser.feed(page)
    add = next(form for form in parser.forms if "cart" in form["action"])
    visitor.post(add["action"], data={f["name"]: _valid(f) for f in add["fields"]})
    return [*visitor_pages, "/catalog/cart", "/catalog/checkout"], admin_pages


def _submit_page_form(client, url):
    """Send the page's first POST form with its values as shown; return where it leads."""
    parser = _Forms()
    parser.feed(client.get(url).get_data(as_text=True))
    form = next(form for form in parser.forms if "logout" not in form["action"])
    response = client.post(urljoin(url, form["action"] or url), data={f["name"]: _valid(f) for f in form["fields"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _post_endpoints(app):
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_the_naughty_strings_are_there():
    assert len(STRINGS) > 400 and len(SAMPLE) > 20


def _fundraiser_pages(app):
    """The demo fundraiser's own screens: the dashboard, and each page's team, cash and thanks screens."""
    from crm.fundraising.models import FundraiserPage, Team

    with app.app_context():
        pages = db.session.scalars(
            db.select(FundraiserPage).join(FundraiserPage.user).filter_by(email="fundraiser@demo.example")
        ).all()
        teams = db.session.scalars(db.select(Team).where(Team.captain_user_id == pages[0].user_id)).all()
        screens = [
            f"/fundraise/pages/{page.id}/{screen}" for page in pages for screen in ("team", "offline", "thanks", "copy")
        ]
        return ["/fundraise/", *screens, *(f"/fundraise/teams/{team.id}" for team in teams)]


def _owner(form, admin, fundraiser, visitor):
    """Who sends a form found on a page: the account that saw it."""
    page = form["page"]
    if page.startswith("/fundraise/") and page != "/fundraise/learn-more":
        return fundraiser
    return admin if page.startswith(("/staff", "/account/")) and page != "/account/signup" else visitor


def test_every_form_takes_every_naughty_string(app, localstripe, posted_forms_too):
    visitor, admin, fundraiser = app.test_client(), app.test_client(), app.test_client()
    log_in(admin, "admin@demo.example", "demo-admin-password")
    log_in(fundraiser, "fundraiser@demo.example", "demo-fundraiser-password")
    visitor_pages, admin_pages = _world(app, localstripe, visitor, admin)
    template_rendered.connect(_validate_every_string, app)
    try:
        found = _crawl(app, visitor, visitor_pages)
        found.update(_crawl(app, admin, admin_pages))
        found.update(_crawl(app, fundraiser, _fundraiser_pages(app)))
    finally:
        template_rendered.disconnect(_validate_every_string, app)
    reached = {_endpoint_for_post(app, form["action"]) for form in found.values()}
    missing = _post_endpoints(app) - reached - set(NOT_FORMS)
    assert missing == set(), f"POST routes no crawled page has a form for: {sorted(missing)}"

    for form in found.values():
        if _endpoint_for_post(app, form["action"]) in NOT_FORMS:
            continue
        _post_sample(_owner(form, admin, fundraiser, visitor), form)
    unchecked = {cls.__name__ for cls in _form_classes(FlaskForm)} - app.extensions["blns_forms"]
    assert unchecked == set(), f"form classes no crawled page rendered or validated: {sorted(unchecked)}"


def _endpoint_for_post(app, path):
    try:
        return app.url_map.bind("localhost").match(path, method="POST")[0]
    except HTTPException:
        return None
