"""Every naughty string as a person's name renders safely in both parts of an email and its headers."""

import re
from email import message_from_bytes
from email.policy import SMTP, default

from markupsafe import escape

from crm.extensions import db
from crm.mail.services.headers import header_display_name
from crm.mail.services.outbox import enqueue_email
from crm.mail.services.rendering import build_message
from crm.supporters.services.intake import find_or_create_supporter
from tests.blns import STRINGS


def test_every_naughty_name_renders_safely(ctx):
    supporter, _, _ = find_or_create_supporter("naughty@example.org")
    for n, name in enumerate(STRINGS):
        supporter.first_name = name.replace("\x00", "")[:100]
        email = enqueue_email(
            f"n:{n}", "events_ack", supporter.email, to_name=name, supporter=supporter, context={"topic": name}
        )
        message = build_message(email)
        wire = message.as_bytes(policy=SMTP)
        parsed = message_from_bytes(wire, policy=default)
        # Headers stay headers: one recipient, no injected fields, the name kept on one line.
        assert [a.addr_spec for a in parsed["To"].addresses] == ["naughty@example.org"], repr(name)
        assert parsed["Bcc"] is None and parsed["Cc"] is None
        assert "\n" not in str(parsed["To"]) and "\n" not in str(parsed["Subject"])
        if header_display_name(name):
            # Long names are folded into several encoded words; folding may add spaces, nothing else.
            shown_name = parsed["To"].addresses[0].display_name
            assert shown_name.replace(" ", "") == header_display_name(name).replace(" ", ""), repr(name)
        # The text part has the name as typed; the HTML part has it escaped exactly once.
        text = parsed.get_body(("plain",)).get_content()
        # Without the links the layout adds around URLs, the escaped name must stand whole.
        html = re.sub(r'<a href="[^"]*">|</a>', "", parsed.get_body(("html",)).get_content())
        topic = name.replace("\r\n", "\n").replace("\r", "\n")
        shown = topic.strip()
        if shown and "\n\n" not in shown:
            assert shown in text.replace("\r\n", "\n"), repr(name)
            assert str(escape(shown)).split("\n")[0] in html, repr(name)
        # The layout has no script, image or frame of its own: any here would be injected.
        assert not re.search(r"<(script|img|iframe|svg|object)", html, re.IGNORECASE), repr(name)
        db.session.expunge(email)
    db.session.rollback()
