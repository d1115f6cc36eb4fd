"""The webhook event log (`webhook_events`) as the benchmarks read it: the queue of record. A webhook answered
"accepted" has a row `received` until a worker lands its outcome (status `processed`, result.status
processed | duplicate, message_id, lead_id) in the transaction that stores its message."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg

POLL_INTERVAL_S = 0.05
WAITING_SQL = (
    "SELECT count(*) FROM webhook_events WHERE workspace_id = ANY($1::uuid[]) AND status = 'received'"
)
# result.status only for the processed rows: "processed" or "duplicate" (the message was stored before).
_OUTCOMES = """
SELECT status, CASE WHEN status = 'processed' THEN result ->> 'status' END AS result, count(*) AS n
FROM webhook_events WHERE {where} GROUP BY 1, 2
"""
OUTCOMES_BY_WORKSPACE_SQL = _OUTCOMES.format(where="workspace_id = ANY($1::uuid[])")
OUTCOMES_BY_ID_SQL = _OUTCOMES.format(where="id = ANY($1::uuid[])")
LEAD_IDS_SQL = (
    "SELECT id::text AS id, result ->> 'lead_id' AS lead_id FROM webhook_events "
    "WHERE id = ANY($1::uuid[]) AND status = 'processed'"
)


async def waiting(conn: asyncpg.Connection, workspace_ids: list[str]) -> int:
    """Rows of the workspaces no worker has processed yet."""
    return int(await conn.fetchval(WAITING_SQL, workspace_ids))


async def until_drained(
    conn: asyncpg.Connection, workspace_ids: list[str], timeout_s: float, poll_s: float = POLL_INTERVAL_S
) -> bool:
    """Poll until no row of the workspaces is `received`; False when timeout_s passed first."""
    deadline = time.monotonic() + timeout_s
    while await waiting(conn, workspace_ids):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(poll_s)
    return True


@dataclass
class Outcomes:
    """How rows ended: by status (received | processed | ignored | failed) and, for the processed ones, by
    result (processed: a new message stored; duplicate: its message was already there)."""

    statuses: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return sum(self.statuses.values())

    @property
    def processed(self) -> int:
        return self.statuses["processed"]

    @property
    def duplicates(self) -> int:
        return self.results["duplicate"]

    def others(self) -> dict[str, int]:
        """Statuses other than processed: what should be none once everything drained."""
        return {status: n for status, n in self.statuses.items() if status != "processed" and n}

    def summary(self) -> dict[str, object]:
        return {"rows": self.rows, "statuses": dict(self.statuses), "results": dict(self.results)}


async def _outcomes(conn: asyncpg.Connection, sql: str, keys: list[str]) -> Outcomes:
    outcomes = Outcomes()
    for row in await conn.fetch(sql, keys):
        outcomes.statuses[row["status"]] += row["n"]
        if row["result"] is not None:
            outcomes.results[row["result"]] += row["n"]
    return outcomes


async def outcomes_by_workspace(conn: asyncpg.Connection, workspace_ids: list[str]) -> Outcomes:
    return await _outcomes(conn, OUTCOMES_BY_WORKSPACE_SQL, workspace_ids)


async def outcomes_of(conn: asyncpg.Connection, event_ids: list[str]) -> Outcomes:
    return await _outcomes(conn, OUTCOMES_BY_ID_SQL, event_ids)


async def lead_ids(conn: asyncpg.Connection, event_ids: list[str]) -> dict[str, str]:
    """Webhook event id → the lead its message was stored under, for the processed ones."""
    rows = await conn.fetch(LEAD_IDS_SQL, event_ids)
    return {row["id"]: row["lead_id"] for row in rows if row["lead_id"] is not None}
