"""An SMTP sink for development: accepts every message and prints it."""

import argparse
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Debugging


class Counting:
    """Accept every message and only count them (for benchmarks)."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--quiet", action="store_true", help="count messages instead of printing them")
    args = parser.parse_args()
    handler = Counting() if args.quiet else Debugging()
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
