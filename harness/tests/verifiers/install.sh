#!/usr/bin/env bash
# Installs the official verification libraries that harness/tests/official_libraries.rs runs:
# the npm packages pinned in package.json (package-lock.json) into target/verifiers/node, and a
# Python virtual environment with the PyPI packages pinned in requirements.txt into
# target/verifiers/venv (or under $WEBHOOK_HARNESS_VERIFIERS when set).
#
# Idempotent and quiet: a part whose pinned list is unchanged since its last install is skipped;
# an install prints its log only when it fails. Each install is given at most 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/../../.."

here=harness/tests/verifiers
out=${WEBHOOK_HARNESS_VERIFIERS:-$PWD/target/verifiers}
limit=300
mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs "$@" with its output in the log, printing the log if it fails.
quietly() {
  if ! "$@" >"$log" 2>&1; then
    echo "install.sh: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

# The stamp of a part: the hash of what it installs from.
stamp() { cat "$@" | sha256sum | cut -d' ' -f1; }

# npm packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: node and npm are needed for the Node verifiers" >&2
  exit 1
fi
node_stamp=$(node --version; stamp "$here/package.json" "$here/package-lock.json")
if [ "$(cat "$out/node/.installed" 2>/dev/null)" != "$node_stamp" ]; then
  rm -rf "$out/node"
  mkdir -p "$out/node"
  cp "$here/package.json" "$here/package-lock.json" "$out/node/"
  quietly timeout "$limit" npm ci --prefix "$out/node" --no-audit --no-fund --loglevel=error
  echo "$node_stamp" >"$out/node/.installed"
fi

# PyPI packages, in a virtual environment of their own.
venv_stamp=$(python3 --version; stamp "$here/requirements.txt")
if [ "$(cat "$out/venv/.installed" 2>/dev/null)" != "$venv_stamp" ]; then
  rm -rf "$out/venv"
  quietly timeout "$limit" python3 -m venv "$out/venv"
  quietly timeout "$limit" "$out/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input -r "$here/requirements.txt"
  echo "$venv_stamp" >"$out/venv/.installed"
fi
