#!/usr/bin/env bash
# Builds this workspace, starts the receiver on 127.0.0.1 (a port the OS chooses) and checks it
# with the harness, against the transcripts committed in snapshots/conformance/ (CI=true: a
# missing or changed transcript fails the run and nothing is written).
set -euo pipefail
cd "$(dirname "$0")"
target_dir=${CARGO_TARGET_DIR:-target}

cargo fmt --all -- --check
cargo build --workspace --quiet
# The receiver's own test, with the mock alone (`default-features = false`); `-p` keeps the
# xtask's features out of this build.
cargo test --quiet -p my-receiver

url_file=$(mktemp)
"$target_dir/debug/my-receiver" >"$url_file" &
receiver=$!
trap 'kill "$receiver" 2>/dev/null || true; rm -f "$url_file"' EXIT
for _ in $(seq 1 100); do
  [ -s "$url_file" ] && break
  sleep 0.1
done
url=$(head -n 1 "$url_file")

CI=true cargo xtask conformance receiver --spec standard-webhooks --target "$url" \
  --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
