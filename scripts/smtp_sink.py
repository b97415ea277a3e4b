"""An SMTP sink for development: accepts every message and prints it."""

import argparse
import time
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


class Counting:
    """Accept every message and only count them (for benchmarks)."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 2.0.0 Message accepted for delivery"


class Printing:
    """Print each message's headers and text; name attachments instead of dumping them in base64."""

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        lines = ["---------- MESSAGE FOLLOWS ----------"]
        lines += [f"{name}: {value}" for name, value in message.items()]
        body = message.get_body(("plain",))
        lines += ["", body.get_content().rstrip() if body is not None else "(no text part)"]
        for part in message.iter_attachments():
            lines.append(f"[attachment: {part.get_filename()}, {len(part.get_content())} bytes]")
        lines.append("------------ END MESSAGE ------------")
        print("\n".join(lines), flush=True)
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--quiet", action="store_true", help="count messages instead of printing them")
    args = parser.parse_args()
    handler = Counting() if args.quiet else Printing()
    controller = Controller(handler, hostname=args.host, port=args.port, enable_SMTPUTF8=True)
    controller.start()
    print(f"smtp sink: accepting mail on {args.host}:{args.port} and printing it here", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
