// Verifies deliveries with the official Node libraries of each signing convention.
//
// Input (stdin): one JSON object per line,
//   {"library": "...", "secret": "...", "headers": {"name": "value", ...}, "body": "<base64>"}
// Output (stdout): one JSON verdict per input line, in order,
//   {"ok": true, ...} when the library accepts the delivery, {"ok": false, "error": "..."} when not.
//
// Libraries:
//   standardwebhooks            npm standardwebhooks: new Webhook(secret).verify(body, headers)
//   @octokit/webhooks-methods   verify(secret, body, X-Hub-Signature-256)
//   @octokit/webhooks           the library's own request handler (createWebMiddleware), which also
//                               requires Content-Type application/json, X-GitHub-Event and
//                               X-GitHub-Delivery; the verdict carries the event name and id it read
//   stripe                      stripe.webhooks.constructEvent(body, Stripe-Signature, secret)
//   ed25519                     Standard Webhooks v1a: no official npm or PyPI library verifies
//                               it (as far as we know), so Node's own crypto.verify does, with the
//                               public key derived here from the whsk_ secret
//
// Run with the installed packages resolvable (the tests run it with `node --input-type=module -e`
// from target/verifiers/node, see install.sh).

import crypto from "node:crypto";
import readline from "node:readline";

import standardwebhooks from "standardwebhooks";
import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { Webhooks, createWebMiddleware } from "@octokit/webhooks";
import Stripe from "stripe";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function header(headers, name) {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

// The Ed25519 public key of a whsk_ secret (its Base64 is the 32-byte seed, or seed and public key).
function ed25519PublicKey(secret) {
  const raw = Buffer.from(secret.replace(/^whsk_/, ""), "base64");
  if (raw.length !== 32 && raw.length !== 64) throw new Error(`an Ed25519 secret of ${raw.length} bytes`);
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), raw.subarray(0, 32)]);
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const publicKey = crypto.createPublicKey(privateKey);
  if (raw.length === 64) {
    const derived = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    if (!derived.equals(raw.subarray(32))) throw new Error("the secret's public half is not its seed's");
  }
  return publicKey;
}

const verifiers = {
  standardwebhooks({ secret, headers, body }) {
    new standardwebhooks.Webhook(secret).verify(body.toString("utf8"), headers);
    return {};
  },

  async "@octokit/webhooks-methods"({ secret, headers, body }) {
    const ok = await octokitVerify(secret, body.toString("utf8"), header(headers, "x-hub-signature-256"));
    if (!ok) throw new Error("signature does not match");
    return {};
  },

  async "@octokit/webhooks"({ secret, headers, body }) {
    const webhooks = new Webhooks({ secret, log: quiet });
    let received = null;
    webhooks.onAny((event) => {
      received = { event: event.name, id: event.id };
    });
    const handle = createWebMiddleware(webhooks, { path: "/", log: quiet });
    const response = await handle(new Request("http://127.0.0.1/", { method: "POST", headers, body }));
    if (response.status !== 200) {
      throw new Error(`answered ${response.status}: ${await response.text()}`);
    }
    if (received === null) throw new Error("answered 200 but no event was received");
    return received;
  },

  stripe({ secret, headers, body }) {
    const stripe = new Stripe("sk_test_webhook_harness");
    stripe.webhooks.constructEvent(body, header(headers, "stripe-signature"), secret);
    return {};
  },

  ed25519({ secret, headers, body }) {
    const id = header(headers, "webhook-id");
    const timestamp = header(headers, "webhook-timestamp");
    const value = header(headers, "webhook-signature");
    if (!id || !timestamp || !value) throw new Error("missing webhook-id, webhook-timestamp or webhook-signature");
    const now = Math.floor(Date.now() / 1000);
    if (Math.abs(now - Number.parseInt(timestamp, 10)) > 300) throw new Error("timestamp outside 5 minutes");
    const publicKey = ed25519PublicKey(secret);
    const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
    for (const item of value.split(" ")) {
      const comma = item.indexOf(",");
      if (comma < 0 || item.slice(0, comma) !== "v1a") continue;
      const signature = Buffer.from(item.slice(comma + 1), "base64");
      if (signature.length === 64 && crypto.verify(null, signed, publicKey, signature)) return {};
    }
    throw new Error("no matching v1a signature");
  },
};

async function verdict(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    return { ok: false, error: `bad input line: ${error.message}` };
  }
  const verifier = verifiers[request.library];
  if (!verifier) return { ok: false, error: `unknown library ${request.library}` };
  try {
    const body = Buffer.from(request.body, "base64");
    const extra = await verifier({ secret: request.secret, headers: request.headers, body });
    return { ok: true, ...extra };
  } catch (error) {
    return { ok: false, error: `${error.name}: ${error.message}` };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  process.stdout.write(`${JSON.stringify(await verdict(line))}\n`);
}
