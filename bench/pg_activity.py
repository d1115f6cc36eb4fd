"""Sample pg_stat_activity of the benchmark database while a load runs: who waits on what."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

SAMPLE_INTERVAL_S = 0.25
SESSIONS_SQL = """
SELECT CASE
         WHEN wait_event_type = 'Lock' THEN 'waiting on lock (' || wait_event || ')'
         ELSE state
       END AS what,
       count(*) AS n
FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid()
GROUP BY 1
"""


class SessionSampler:
    """Average number of sessions per state over the samples taken."""

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.samples = 0

    async def sample(self, conn: asyncpg.Connection, database: str) -> None:
        for row in await conn.fetch(SESSIONS_SQL, database):
            self.totals[row["what"] or "unknown"] += row["n"]
        self.samples += 1

    def averages(self) -> dict[str, float]:
        if not self.samples:
            return {}
        return {what: round(n / self.samples, 1) for what, n in self.totals.most_common()}


@asynccontextmanager
async def sampling(url: str, database: str) -> AsyncIterator[SessionSampler]:
    sampler = SessionSampler()
    conn = await asyncpg.connect(url)

    async def loop() -> None:
        while True:
            await sampler.sample(conn, database)
            await asyncio.sleep(SAMPLE_INTERVAL_S)

    task = asyncio.create_task(loop())
    try:
        yield sampler
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await conn.close()
