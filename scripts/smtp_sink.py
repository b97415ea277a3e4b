"""An SMTP sink for development: accepts every message and prints it."""

import argparse
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Debugging


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    controller = Controller(Debugging(), hostname=args.host, port=args.port)
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
