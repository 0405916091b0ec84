"""A Standard Webhooks receiver built on PyPI standardwebhooks: 2xx when the library accepts a
delivery, 4xx when it refuses it. Listens on 127.0.0.1 on a port the OS chooses and prints one JSON
line, {"url": "http://127.0.0.1:PORT/"}; exits when its standard input closes.

    receiver.py [VARIANT]     the secret in the environment variable WEBHOOK_SECRET

VARIANT (each departs from the correct receiver in one way, for the tests that prove the receiver
checks catch it):
  correct            (default) verify() refusing with WebhookVerificationError, or with the
                     ValueError that standardwebhooks 1.1.0 raises on a malformed signature
                     header, answers 400
  skip-verification  never verifies (parses the body)
  uncaught           catches only WebhookVerificationError, as the library's docstring suggests;
                     the ValueError of 1.1.0 on a `webhook-signature` item without exactly one
                     comma (or binascii.Error on bad Base64) reaches the server, which answers 500
                     as web frameworks do
  ignore-tolerance   the library's timestamp check replaced by one that only parses the timestamp
"""

import json
import os
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

VARIANTS = ["correct", "skip-verification", "uncaught", "ignore-tolerance"]


class IgnoresTolerance(Webhook):
    """The library with its timestamp check replaced by one that only parses the timestamp."""

    def _Webhook__verify_timestamp(self, timestamp_header):
        return datetime.fromtimestamp(float(timestamp_header), tz=timezone.utc)


def receiver(variant, secret):
    webhook = (IgnoresTolerance if variant == "ignore-tolerance" else Webhook)(secret)
    caught = (WebhookVerificationError,) if variant == "uncaught" else (WebhookVerificationError, ValueError)

    def handle(body, headers):
        if variant == "skip-verification":
            json.loads(body)
            return 204
        try:
            webhook.verify(body, headers)
        except caught:
            return 400
        return 204

    return handle


def main():
    variant = sys.argv[1] if len(sys.argv) > 1 else "correct"
    secret = os.environ.get("WEBHOOK_SECRET")
    if variant not in VARIANTS or not secret:
        sys.stderr.write(f"usage: WEBHOOK_SECRET=... receiver.py [{'|'.join(VARIANTS)}]\n")
        sys.exit(2)
    handle = receiver(variant, secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                status = handle(body, dict(self.headers.items()))
            except Exception:  # what a web framework does with an error the handler lets through
                status = 500
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write(json.dumps({"url": f"http://127.0.0.1:{server.server_address[1]}/"}) + "\n")
    sys.stdout.flush()

    def stop_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
