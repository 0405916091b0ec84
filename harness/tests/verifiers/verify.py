"""Verifies deliveries with the official Python libraries of each signing convention.

Input (stdin): one JSON object per line,
  {"library": "...", "secret": "...", "headers": {"name": "value", ...}, "body": "<base64>"}
Output (stdout): one JSON verdict per input line, in order,
  {"ok": true} when the library accepts the delivery, {"ok": false, "error": "..."} when not.

Libraries:
  standardwebhooks  PyPI standardwebhooks: Webhook(secret).verify(body, headers)
  slack-sdk         slack_sdk.signature.SignatureVerifier(secret).is_valid(body, timestamp, signature)

Run with the virtual environment that install.sh makes (target/verifiers/venv).
"""

import base64
import json
import sys

from slack_sdk.signature import SignatureVerifier
from standardwebhooks import Webhook


def header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def standardwebhooks(secret, headers, body):
    Webhook(secret).verify(body, headers)


def slack_sdk(secret, headers, body):
    ok = SignatureVerifier(secret).is_valid(
        body=body,
        timestamp=header(headers, "x-slack-request-timestamp"),
        signature=header(headers, "x-slack-signature"),
    )
    if not ok:
        raise ValueError("is_valid answered False")


VERIFIERS = {"standardwebhooks": standardwebhooks, "slack-sdk": slack_sdk}


def verdict(line):
    try:
        request = json.loads(line)
    except ValueError as error:
        return {"ok": False, "error": f"bad input line: {error}"}
    verifier = VERIFIERS.get(request.get("library"))
    if verifier is None:
        return {"ok": False, "error": f"unknown library {request.get('library')}"}
    try:
        body = base64.b64decode(request["body"], validate=True)
        verifier(request["secret"], request["headers"], body)
        return {"ok": True}
    except Exception as error:  # every way a library refuses is a verdict, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(verdict(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
