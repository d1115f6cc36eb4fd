#!/usr/bin/env bash
# Install everything into .venv and run the whole product: services (configured, local or embedded),
# migrations, demo data, and web + worker + scheduler. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/setterdesk run "$@"
