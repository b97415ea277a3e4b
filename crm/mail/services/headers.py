"""Mail headers built from user input, safe on every interpreter.

Python's email package decodes RFC 2047 encoded words (`=?utf-8?q?...?=`) wherever it parses a
header value, quoted display names and local parts included; Python 3.11 before 3.11.10 then
writes a decoded CR/LF out raw (CVE-2024-6923), so a name typed as an encoded word could add
Bcc:, Reply-To: or a body of its own. Every header value taken from input goes through here:
control characters go, and no `=?` is left for the parser to take as the start of an encoded word.
URLs (List-Unsubscribe) are written as they are, never encoded or folded (RFC 2369).
"""

import re
import unicodedata
from email.headerregistry import Address

from werkzeug.urls import iri_to_uri

# RFC 5322 2.1.1: a line is at most 998 characters, CRLF excluded.
MAX_LINE = 998
ENCODED_WORD_START = "=?"


class UnsafeHeader(ValueError):
    """A value cannot stand in a header without changing what the header says."""


def neutralise_encoded_words(text):
    """Return `text` with a space inside every `=?`, so no encoded word can start in it.

    One pass is enough: the space goes between the `=` and the `?`, so no new `=?` is made.
    """
    return text.replace(ENCODED_WORD_START, "= ?")


def clean_header_text(value, limit=200):
    """Return `value` on one line, as plain text: control characters and line separators become
    spaces, and nothing in it can be decoded as an encoded word."""
    # Cc covers CR, LF, NUL and the C1 controls (NEL...); Zl and Zp are Unicode line breaks.
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(value or ""))
    return neutralise_encoded_words(" ".join(text.split()))[:limit]


def header_display_name(value, limit=100):
    """Return the name as it may stand in a To header: letters, digits, spaces, - ' . only.

    Python's email package mis-folds long quoted names that hold quotes or angle brackets
    (the address part can end up inside the name), and decodes encoded words even inside
    quotes, so anything but a plain name stays in the body of the message, never in the header.
    """
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" or ch in " -'." else " " for ch in str(value or ""))
    return " ".join(kept.split())[:limit]


def mailbox(address, name=""):
    """Return an Address for `address` with the plain part of `name` as its display name.

    Raise UnsafeHeader for an address that the header parser would read as something else:
    one without a local part and a domain, with white space or control characters, or with
    an encoded word in it.
    """
    address = str(address or "")
    local, _, domain = address.rpartition("@")
    if (
        not local
        or not domain
        or ENCODED_WORD_START in address
        or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in address)
    ):
        raise UnsafeHeader(f"not a safe recipient address: {address!r}")
    try:
        return Address(display_name=header_display_name(name), username=local, domain=domain)
    except ValueError as error:
        raise UnsafeHeader(str(error)) from error


class VerbatimHeader(str):
    """A header written out exactly as given, on one line: never encoded, never folded.

    For values that must reach the reader untouched, like the `<https://...>` of List-Unsubscribe.
    Only printable ASCII without white space fits, on a line of at most 998 characters.
    A header object is stored in the message as it is (it has a `name`), and `fold` is what
    the generator calls to write it.
    """

    defects = ()

    def __new__(cls, name, value):
        line = f"{name}: {value}"
        if not (value.isascii() and value.isprintable()) or any(ch.isspace() for ch in value):
            raise UnsafeHeader(f"{name} must be printable ASCII without white space: {value!r}")
        if len(line) > MAX_LINE:
            raise UnsafeHeader(f"{name} is longer than a line may be ({len(line)} > {MAX_LINE})")
        self = super().__new__(cls, value)
        self.name = name
        return self

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


def url_list_header(name, *urls):
    """Return a List-* header (RFC 2369) of `<url>` entries, written verbatim."""
    # iri_to_uri percent-encodes white space, < and > and anything not ASCII; a comma would
    # end the entry (RFC 2369 3), so it is encoded too.
    entries = [f"<{iri_to_uri(url).replace(',', '%2C')}>" for url in urls]
    return VerbatimHeader(name, ",".join(entries))


LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def language_tag(value):
    """Return `value` if it is a language tag (RFC 5646 shape), else "en"."""
    return value if LANGUAGE_TAG.fullmatch(value or "") else "en"
