// A webhook receiver built on an official Node library: 2xx when the library accepts a delivery,
// 4xx when it refuses it. Listens on 127.0.0.1 on a port the OS chooses and prints one JSON line,
// {"url": "http://127.0.0.1:PORT/"}; exits when its standard input closes.
//
//   receiver.mjs CONVENTION [VARIANT]     the secret in the environment variable WEBHOOK_SECRET
//
// CONVENTION:
//   standardwebhooks   npm standardwebhooks: new Webhook(secret).verify(body, headers)
//   github             @octokit/webhooks
// VARIANT (each departs from the correct receiver in one way, for the tests that prove the
// receiver checks catch it):
//   correct             (default) standardwebhooks: every error of verify() answers 400;
//                       github: the library's own handler, createNodeMiddleware
//   handwritten         github: webhooks.verify() then webhooks.receive(), errors answered 400
//   skip-verification   never verifies (standardwebhooks: parses the body; github: the middleware
//                       with verifyAndReceive replaced by receive)
//   uncaught            catches only the library's verification error; anything else the library
//                       throws reaches the server, which answers 500 as web frameworks do
//                       (github: `handwritten` without its try/catch: webhooks.verify() throws a
//                       TypeError when the signature header is missing or empty)
//   ignore-tolerance    standardwebhooks: the library's timestamp check replaced by one that only
//                       parses the timestamp
//
// Run with the installed packages resolvable (the tests run it with `node --input-type=module -e`
// from target/verifiers/node, see install.sh).

import http from "node:http";
import { fileURLToPath } from "node:url";

import standardwebhooks from "standardwebhooks";
import { Webhooks, createNodeMiddleware } from "@octokit/webhooks";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// Arguments after the script (`node FILE ARGS` or `node -e CODE -- ARGS`).
const first = process.argv[1] && process.argv[1] === fileURLToPath(import.meta.url) ? 2 : 1;
const [convention, variant = "correct"] = process.argv.slice(first);
const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error("WEBHOOK_SECRET is not set");
  process.exit(2);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function answer(response, status, text = "") {
  response.writeHead(status, { "content-type": "text/plain" });
  response.end(text);
}

function standardWebhooksReceiver() {
  const webhook = new standardwebhooks.Webhook(secret);
  if (variant === "ignore-tolerance") {
    webhook.verifyTimestamp = (value) => new Date(Number.parseInt(value, 10) * 1000);
  }
  return async (request, response) => {
    const body = await readBody(request);
    if (variant === "skip-verification") {
      JSON.parse(body.toString("utf8"));
      return answer(response, 204);
    }
    try {
      webhook.verify(body, request.headers);
    } catch (error) {
      if (variant === "uncaught" && !(error instanceof standardwebhooks.WebhookVerificationError)) {
        throw error;
      }
      return answer(response, 400, `${error.message}\n`);
    }
    return answer(response, 204);
  };
}

function githubReceiver() {
  const webhooks = new Webhooks({ secret, log: quiet });
  webhooks.onAny(() => {});
  if (variant === "correct" || variant === "skip-verification") {
    if (variant === "skip-verification") {
      webhooks.verifyAndReceive = ({ id, name, payload }) =>
        webhooks.receive({ id, name, payload: JSON.parse(payload) });
    }
    const middleware = createNodeMiddleware(webhooks, { path: "/", log: quiet });
    return (request, response) => middleware(request, response);
  }
  if (variant !== "handwritten" && variant !== "uncaught") return null;
  return async (request, response) => {
    const body = (await readBody(request)).toString("utf8");
    const signature = request.headers["x-hub-signature-256"];
    let valid;
    if (variant === "uncaught") {
      valid = await webhooks.verify(body, signature);
    } else {
      try {
        valid = await webhooks.verify(body, signature);
      } catch (error) {
        return answer(response, 400, `${error.message}\n`);
      }
    }
    if (!valid) return answer(response, 401, "signature does not match\n");
    await webhooks.receive({
      id: request.headers["x-github-delivery"],
      name: request.headers["x-github-event"],
      payload: JSON.parse(body),
    });
    return answer(response, 200, "ok\n");
  };
}

const receivers = { standardwebhooks: standardWebhooksReceiver, github: githubReceiver };
const variants = {
  standardwebhooks: ["correct", "skip-verification", "uncaught", "ignore-tolerance"],
  github: ["correct", "handwritten", "skip-verification", "uncaught"],
};
if (!receivers[convention] || !variants[convention].includes(variant)) {
  console.error(`usage: receiver.mjs standardwebhooks|github [${JSON.stringify(variants)}]`);
  process.exit(2);
}
const handle = receivers[convention]();

const server = http.createServer((request, response) => {
  Promise.resolve()
    .then(() => handle(request, response))
    .catch((error) => {
      // What a web framework does with an error the handler lets through.
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`${error.name}: ${error.message}\n`);
    });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/` })}\n`);
});
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.exit(0));
