"""The test command on a machine with no services: it starts embedded PostgreSQL and Redis and runs green.

Runs a representative slice of the suite (webhooks, the worker pipeline) in a child pytest against
embedded services brought up the way scripts/test.sh does, with the local defaults pointed at closed ports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("SETTERDESK_NESTED_SUITE") == "1", reason="already the nested run"),
]

ROOT = Path(__file__).resolve().parents[2]


def test_suite_slice_runs_green_on_embedded_services(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        SETTERDESK_LOCAL_DATABASE_URL="postgresql://postgres@127.0.0.1:1/setterdesk",
        SETTERDESK_LOCAL_REDIS_URL="redis://127.0.0.1:1/0",
        SETTERDESK_NESTED_SUITE="1",
    )
    services = [sys.executable, "-m", "server.launcher.services"]
    data_dir = str(tmp_path / "services")
    up = subprocess.run(
        [*services, "up", "--data-dir", data_dir], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert up.returncode == 0, up.stderr
    try:
        for line in up.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")
        assert "host=" in env["DATABASE_URL"] and ":1/" not in env["REDIS_URL"]  # embedded, not local
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/handlers/test_webhooks.py",
                "tests/drafts/test_pipeline.py",
            ],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-4000:]
        assert " passed" in run.stdout and "failed" not in run.stdout
    finally:
        subprocess.run([*services, "down", "--data-dir", data_dir], env=env, capture_output=True, cwd=ROOT)
