"""What the product's processes run with in a benchmark: the environment of their Procfile lines, a Dramatiq
namespace of the run's own in Redis (flushed afterwards), the open-file limit they inherit, and where their
logs go."""

from __future__ import annotations

import resource
from pathlib import Path

import redis.asyncio as aioredis

from tests.processes import process_env

LOG_DIR = Path(__file__).resolve().parent / "logs"
FD_HEADROOM = 512  # files and sockets beyond the benchmark's websockets: logs, pools, Redis, PostgreSQL


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


async def flush_namespace(redis_url: str, namespace: str) -> int:
    """Delete every key of the Dramatiq namespace (queued jobs, acks, heartbeats); how many there were."""
    redis = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
        return len(keys)
    finally:
        await redis.aclose()


def raise_fd_limit(sockets: int) -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to what N sockets need (here and in the processes started after, which inherit
    it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = sockets + FD_HEADROOM
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise RuntimeError(f"RLIMIT_NOFILE hard limit {hard} < {needed} needed for {sockets} sockets")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)
