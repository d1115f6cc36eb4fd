"""What the product's processes run with in a benchmark: the environment of their Procfile lines, and where
their logs go."""

from __future__ import annotations

from pathlib import Path

from tests.processes import process_env

LOG_DIR = Path(__file__).resolve().parent / "logs"


def bench_env(
    *, database_url: str, redis_url: str, namespace: str, unset: tuple[str, ...] = (), **settings: str
) -> dict[str, str]:
    """This environment for a Procfile process of a benchmark: without the `unset` variables (so the
    Procfile's or the server's defaults apply), on the benchmark's database and Dramatiq namespace, quiet
    logs, plus `settings`."""
    return process_env(
        unset=unset,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DRAMATIQ_NAMESPACE=namespace,
        LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
        **settings,
    )
