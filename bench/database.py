"""The benchmarks' databases on the local PostgreSQL: one name per benchmark, migrated to head."""

from __future__ import annotations

import asyncio

import asyncpg

from server.core.db.migrate import upgrade
from server.core.settings import async_database_url

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "setterdesk_bench"


def database_url(name: str = BENCH_DB) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


async def prepare(name: str = BENCH_DB, *, fresh: bool = True) -> str:
    """Drop the database first unless `fresh` is False (rows of an earlier run would skew this one: the
    scheduler re-enqueues their unfinished messages), then create and migrate it. Returns its URL."""
    if fresh:
        admin = await asyncpg.connect(ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    url = database_url(name)
    await asyncio.to_thread(upgrade, async_database_url(url))  # creates the database too
    return url
