#!/usr/bin/env bash
# Schemathesis against the standalone mock of every spec with a REST API: every check
# (`--checks all`, selected in schemathesis.toml), at least 200 examples per operation, a fixed seed, 0 failures expected.
#
#   harness/tests/schemathesis/run.sh [SPEC...]       (default: every spec below)
#
# Each mock is started here (`xtask mock --port 0 --json`, on 127.0.0.1), its URI and tenant-a's
# credentials are read from the JSON line it prints, Schemathesis runs with those credentials as
# headers, and the mock is stopped. The settings Schemathesis cannot take from the spec (the
# uc.alxgsv project id, the checks that do not apply to an operation, with why) are in
# schemathesis.toml beside this script.
#
# Environment: XTASK (the xtask binary; default: built with cargo), SCHEMATHESIS (the command;
# default: schemathesis), SCHEMATHESIS_EXAMPLES (default 200), SCHEMATHESIS_TIMEOUT (seconds per
# spec, default 300).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

examples="${SCHEMATHESIS_EXAMPLES:-200}"
limit="${SCHEMATHESIS_TIMEOUT:-300}"
schemathesis="${SCHEMATHESIS:-schemathesis}"
if [ -z "${XTASK:-}" ]; then
  cargo build -q -p xtask
  XTASK="${CARGO_TARGET_DIR:-$repo/target}/debug/xtask"
fi

# name=spec file: the built-in specs with REST operations, and the GitHub-style test spec.
specs=(
  "betterez=specs/betterez.yaml"
  "happycolis=specs/happycolis.yaml"
  "standard-webhooks=specs/standard-webhooks.yaml"
  "swsh=specs/swsh.yaml"
  "uc-alxgsv=specs/uc-alxgsv.yaml"
  "hookshot=harness/tests/specs/hookshot.yaml"
)
if [ "$#" -gt 0 ]; then
  wanted=("$@")
  selected=()
  for entry in "${specs[@]}"; do
    for name in "${wanted[@]}"; do
      [ "${entry%%=*}" = "$name" ] && selected+=("$entry")
    done
  done
  [ "${#selected[@]}" -gt 0 ] || { echo "no spec named $*" >&2; exit 2; }
  specs=("${selected[@]}")
fi

work="$(mktemp -d)"
mock_pid=""
stop_mock() {
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=""
  fi
}
trap 'stop_mock; rm -rf "$work"' EXIT

# The headers that authenticate tenant-a: one per security scheme of the spec, from the
# credentials the mock printed.
headers() {
  python3 - "$1" "$2" <<'PY'
import json, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
mock = json.loads(open(sys.argv[2]).readline())
secrets = mock["credentials"]["tenants"][0]["secrets"]
for name, scheme in spec.get("components", {}).get("securitySchemes", {}).items():
    if name not in secrets:
        continue
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        print(f"{scheme['name']}: {secrets[name]}")
    elif scheme.get("type") == "http":
        print(f"Authorization: Bearer {secrets[name]}")
PY
}

failed=()
for entry in "${specs[@]}"; do
  name="${entry%%=*}"
  file="${entry#*=}"
  out="$work/$name.json"
  "$XTASK" mock --spec "$file" --port 0 --json >"$out" 2>"$work/$name.err" &
  mock_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$out" ] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! [ -s "$out" ]; then
    echo "schemathesis: the $name mock did not start: $(cat "$work/$name.err")" >&2
    failed+=("$name")
    stop_mock
    continue
  fi
  uri="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["uri"])' "$out")"
  args=()
  while IFS= read -r header; do
    [ -n "$header" ] && args+=(-H "$header")
  done < <(headers "$file" "$out")
  echo "schemathesis: $name ($file) at $uri, $examples examples per operation"
  if ! NO_COLOR=1 timeout "$limit" "$schemathesis" --config-file "$here/schemathesis.toml" \
      run "$file" --url "$uri" "${args[@]}" --max-examples "$examples" --seed 1 \
      --no-color; then
    failed+=("$name")
  fi
  stop_mock
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "schemathesis: failures against the mocks of: ${failed[*]}" >&2
  exit 1
fi
echo "schemathesis: no failures against the mocks of ${#specs[@]} specs"
