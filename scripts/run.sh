#!/usr/bin/env bash
# Install everything into .venv, migrate, and run web + worker + scheduler (the Procfile) in the foreground.
# Uses DATABASE_URL / REDIS_URL when set; otherwise the local PostgreSQL and Redis on their default ports.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e '.[test]' honcho

export PATH="$PWD/.venv/bin:$PATH"
export LOG_JSON="${LOG_JSON:-false}"
python -m server.db.migrate
if [ -z "${OPENAI_API_KEY:-}" ]; then
  echo "model provider: OFFLINE (deterministic drafts; set OPENAI_API_KEY to use OpenAI)"
fi
echo "Setterdesk on http://${HOST:-127.0.0.1}:${PORT:-8000}  (Ctrl-C stops everything)"
exec honcho start -f Procfile web worker scheduler
