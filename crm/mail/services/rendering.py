"""Turning an outbox row into a MIME message: copy in a sandbox, one layout, safe headers."""

import functools
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from crm.accounts.models import User
from crm.accounts.services import make_reset_token, signup_url
from crm.config import ROOT
from crm.extensions import db
from crm.mail.models import NON_MARKETING, EmailCopy
from crm.mail.services.headers import UnsafeHeader, clean_header_text, language_tag, mailbox, url_list_header
from crm.security import safe_next_url
from crm.supporters.services.newsletter import make_confirmation_token
from crm.supporters.services.preferences import make_preference_token
from crm.utc import utcnow

TEMPLATES = ROOT / "templates" / "email"
URL_RE = re.compile(r"(https?://[^\s<>\"']+)")
# The sandbox: staff-edited copy can use {{ variables }} and filters, never reach Python objects.
# An unknown name renders as nothing rather than failing a send.
SANDBOX = ImmutableSandboxedEnvironment(autoescape=False, undefined=ChainableUndefined)


class RenderError(Exception):
    """The copy of a message cannot be rendered."""


# What staff copy may hold: text, {{ variables }} with a few filters, and {% if %} ... {% endif %}.
# No loops, calls, assignments, macros or multiplication: with those, one short copy
# could spin a CPU or fill the memory of the web process or the mail worker. Every construct left
# is linear, so the output is at most the source times the longest variable, and capped besides.
COPY_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Name, nodes.Const, nodes.Filter,
    nodes.Test, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
    nodes.Getattr, nodes.Getitem, nodes.Slice,  # the sandbox keeps these away from Python's insides
)  # fmt: skip
COPY_FILTERS = {"default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate", "e", "escape"}
COPY_TESTS = {"defined", "undefined", "none", "string", "number", "eq", "ne", "sameas"}
MAX_RENDERED_COPY = 200_000


def _check_copy(tree):
    for node in tree.find_all(nodes.Node):
        allowed = isinstance(node, COPY_NODES) and not (
            (isinstance(node, nodes.Filter) and node.name not in COPY_FILTERS)
            or (isinstance(node, nodes.Test) and node.name not in COPY_TESTS)
        )
        if not allowed:
            what = getattr(node, "name", None) or type(node).__name__
            raise RenderError(_("only {{ variables }} and {%% if %%} may be used here, not “%(what)s”", what=what))


@functools.lru_cache(maxsize=256)
def _compile(source):
    try:
        _check_copy(SANDBOX.parse(source))
    except TemplateSyntaxError as error:
        raise RenderError(str(error)) from error
    return SANDBOX.from_string(source)


@functools.lru_cache(maxsize=128)
def default_copy(template, language):
    """Return (subject, body) source as written in templates/email/<template>/."""
    folder = TEMPLATES / template
    language = language if (folder / f"subject.{language}.txt").exists() else "en"
    try:
        subject, body = (
            (folder / f"{part}.{language}.txt").read_text(encoding="utf-8") for part in ("subject", "body")
        )
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise RenderError(f"no copy for the message {template!r}") from error
    return subject.strip(), body


def _edited_copies():
    # Read once per request, or per worker batch (which runs in one request context).
    if "email_copies" not in g:
        g.email_copies = {
            (c.template, c.language): (c.subject, c.body) for c in db.session.scalars(db.select(EmailCopy))
        }
    return g.email_copies


def copy_source(template, language):
    """Return the (subject, body) source to render: staff's edited copy, else the default."""
    return _edited_copies().get((template, language)) or default_copy(template, language)


def render_copy(source, variables):
    """Render copy source in the sandbox with plain string variables (at most MAX_RENDERED_COPY characters)."""
    template = _compile(source)
    try:
        pieces, size = [], 0
        for piece in template.generate(**variables):
            size += len(piece)
            if size > MAX_RENDERED_COPY:
                raise RenderError(_("the rendered copy is longer than %(n)s characters", n=f"{MAX_RENDERED_COPY:,}"))
            pieces.append(piece)
        return "".join(pieces)
    except RenderError:
        raise
    except Exception as error:
        raise RenderError(str(error)) from error


def text_to_html(text):
    """Escape plain text and turn paragraphs, line breaks and links into HTML."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        # Split on links in the raw text, then escape every piece, links included.
        pieces = URL_RE.split(paragraph)
        linked = "".join(
            f'<a href="{escape(piece)}">{escape(piece)}</a>' if n % 2 else str(escape(piece))
            for n, piece in enumerate(pieces)
        )
        html.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    # Markup is safe here: every character of the copy went through escape() above.
    return Markup("\n".join(html))  # noqa: S704


def base_variables(email):
    """Return the variables every message's copy may use."""
    supporter = email.supporter
    first_name = (supporter.first_name if supporter else "") or email.context.get("first_name", "")
    variables = {
        "first_name": first_name,
        "name": email.to_name,
        "email": email.to_address,
        "charity_name": current_app.config["CHARITY_NAME"],
        "base_url": current_app.config["BASE_URL"],
    }
    for key, value in (email.context or {}).items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            variables.setdefault(key, value)
    return variables


# Links a message's copy may use, built at send time on BASE_URL.
def _reset_link(email):
    user = db.session.get(User, email.context.get("user_id"))
    if user is None:
        raise RenderError("the account no longer exists")
    return {"reset_url": url_for("accounts.reset_password", token=make_reset_token(user), _external=True)}


def _signup_link(email):
    return {"signup_url": signup_url(email.to_address, (email.context or {}).get("next_url", ""))}


def _account_links(email):
    going = safe_next_url((email.context or {}).get("next_url"), None)
    return {
        "login_url": url_for("accounts.login", next=going, _external=True),
        "forgot_url": url_for("accounts.forgot_password", _external=True),
    }


def _confirm_link(email):
    token = make_confirmation_token(email.context.get("signup_id"))
    return {"confirm_url": url_for("supporters.confirm_newsletter_view", token=token, _external=True)}


MESSAGE_LINKS = {
    "fundraiser_guide": lambda email: {"guide_url": url_for("supporters.guide", _external=True)},
    "password_reset": _reset_link,
    "account_signup": _signup_link,
    "account_exists": _account_links,
    "newsletter_confirm": _confirm_link,
}


def _links(email):
    """Return the preference and unsubscribe links of a marketing message ({} otherwise)."""
    if email.purpose in NON_MARKETING or email.supporter is None:
        return {}
    token = make_preference_token(email.supporter)
    return {
        "preferences_url": url_for("supporters.preferences", token=token, _external=True),
        "unsubscribe_url": url_for("mail.one_click", token=token, _external=True),
    }


@functools.lru_cache(maxsize=8)
def _sender_header(sender):
    # Parsing an address header is the dearest step of building a message; the sender is the
    # same for every message, so it is parsed once (a header object is stored as it is).
    return default_policy.header_factory("From", sender)


def sender_domain():
    """Return the domain of the sender address, for Message-IDs."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"


def build_message(email, attachments=()):
    """Return the EmailMessage for an outbox row (call inside a request context on BASE_URL)."""
    variables = base_variables(email)
    links = _links(email)
    variables.update(links)
    if email.template in MESSAGE_LINKS:
        variables.update(MESSAGE_LINKS[email.template](email))
    subject_source, body_source = copy_source(email.template, email.language)
    subject = clean_header_text(render_copy(subject_source, variables), 300)
    body = render_copy(body_source, variables).strip()
    config = current_app.config
    with force_locale(email.language):
        layout = {"subject": subject, "links": links, "config": config, "language": email.language}
        text = render_template("email/_layout.txt", body=body, **layout)
        html = render_template("email/_layout.html", body=text_to_html(body), **layout)

    message = EmailMessage()
    # Every header from input is plain text (clean_header_text) or an Address (mailbox).
    message["Subject"] = subject
    message["From"] = _sender_header(config["MAIL_DEFAULT_SENDER"])
    try:
        message["To"] = mailbox(email.to_address, email.to_name)
        if links:
            # RFC 2369 and 8058: <https://...> as it is (mail clients ignore an encoded one),
            # and the POST the one-click endpoint (mail.one_click) takes without a CSRF token.
            message["List-Unsubscribe"] = url_list_header("List-Unsubscribe", links["unsubscribe_url"])
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    except UnsafeHeader as error:
        raise RenderError(str(error)) from error
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id or make_msgid(domain=sender_domain())
    if not links:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for filename, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    message["Content-Language"] = language_tag(email.language)  # after the body: set_content drops Content-* headers
    return message


def template_names():
    """Return the names of the messages that live in code."""
    return sorted(p.name for p in Path(TEMPLATES).iterdir() if p.is_dir())
