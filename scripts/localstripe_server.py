"""Run localstripe on a loopback address (its own CLI listens on every interface)."""

import argparse
import logging

from aiohttp import web
from localstripe.server import app
from localstripe.webhooks import register_webhook


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", default="", help="send Stripe events here (as Stripe would)")
    parser.add_argument("--webhook-secret", default="", help="the secret that signs them (STRIPE_WEBHOOK_SECRET)")
    args = parser.parse_args()
    if args.webhook_url and args.webhook_secret:
        register_webhook("development", args.webhook_url, args.webhook_secret, None)
    # Always from scratch: never load the state another run left in the temp folder.
    logging.basicConfig(level=logging.INFO, format="localstripe %(message)s")
    print(f"localstripe: Stripe API and Stripe.js on http://{args.host}:{args.port}", flush=True)
    web.run_app(app, host=args.host, port=args.port, access_log=logging.getLogger("aiohttp.access"), print=None)


if __name__ == "__main__":
    main()
