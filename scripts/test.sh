#!/usr/bin/env bash
# Install everything into .venv and run the whole test suite: lint, type checks, pytest.
# Uses DATABASE_URL / REDIS_URL when set, else the local PostgreSQL and Redis, else embedded ones.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e '.[test]'

# The browser tests need Chromium; on Debian/Ubuntu as root, install it when it is missing.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing chromium for the browser tests"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The configured services, else the local ones, else embedded PostgreSQL and Redis (stopped again at exit).
data_dir=.data/test
trap '.venv/bin/python -m server.launcher.services down --data-dir "$data_dir"' EXIT
eval "$(.venv/bin/python -m server.launcher.services up --data-dir "$data_dir")"
echo "services: database $(echo "$DATABASE_URL" | sed 's/:[^:@/]*@/@/'), redis $REDIS_URL"

echo "== ruff"
sources=(server workers tests)
[ -d bench ] && sources+=(bench)
.venv/bin/ruff check "${sources[@]}"
.venv/bin/ruff format --check "${sources[@]}"
echo "== mypy"
.venv/bin/mypy
echo "== import contracts (lint-imports: no cycles between packages)"
.venv/bin/lint-imports
echo "== web (eslint, node --test)"
bash scripts/check_web.sh
echo "== pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
