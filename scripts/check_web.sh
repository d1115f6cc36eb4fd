#!/usr/bin/env bash
# The browser app's own checks, no browser needed: ESLint over web/, then node --test on the pure modules'
# unit tests (web/tests/). Installs web/'s pinned dev tools first when they are missing or the lock changed.
# Exits non-zero on any failure; the output ends with node's test runner summary.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "check_web: node and npm are needed (Node.js >= 20.19)" >&2
  exit 1
fi

# npm ci only when node_modules does not match the lock (it is slow, and wipes node_modules each time).
stamp=node_modules/.setterdesk-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  log=$(mktemp)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "check_web: npm ci failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$lock_sum" >"$stamp"
fi

echo "-- eslint"
npx --no-install eslint --max-warnings 0 .
echo "-- node --test"
node --test tests/
