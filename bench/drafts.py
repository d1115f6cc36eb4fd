"""Received → pending draft committed: send paced webhooks, then watch the database for their drafts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from bench.load import Answer, Shot, paced
from bench.report import percentile, rounded, spread

POLL_INTERVAL_S = 0.05
# Both times come from the processes' own clocks (same host): messages.created_at is set by the web
# process as it inserts the message, drafts.created_at by the worker as it inserts the draft.
DRAFTS_SQL = """
SELECT d.trigger_message_id::text AS id,
       EXTRACT(EPOCH FROM (d.created_at - m.created_at)) * 1000 AS ms
FROM drafts d JOIN messages m ON m.id = d.trigger_message_id
WHERE d.trigger_message_id = ANY($1::uuid[]) AND d.status = 'pending'
"""
FAILURES_SQL = "SELECT count(*) FROM draft_failures WHERE workspace_id = $1::uuid"


@dataclass
class DraftWatch:
    """Messages sent, and for each one whose pending draft is committed: (db latency, observed latency)."""

    sent: dict[str, float] = field(default_factory=dict)  # message id → perf_counter when its POST began
    found: dict[str, tuple[float, float]] = field(default_factory=dict)
    send_errors: Counter[str] = field(default_factory=Counter)

    def on_answer(self, answer: Answer, sent_at: float) -> None:
        message_id = answer.data().get("message_id") if answer.status == 200 else None
        if isinstance(message_id, str):
            self.sent[message_id] = sent_at
        else:
            self.send_errors[answer.error or f"HTTP {answer.status}"] += 1

    @property
    def waiting(self) -> list[str]:
        return [m for m in self.sent if m not in self.found]

    async def poll(self, conn: asyncpg.Connection) -> None:
        waiting = self.waiting
        if not waiting:
            return
        rows = await conn.fetch(DRAFTS_SQL, waiting)
        now = time.perf_counter()
        for row in rows:
            self.found[row["id"]] = (float(row["ms"]), (now - self.sent[row["id"]]) * 1000)

    async def until_done(
        self, conn: asyncpg.Connection, sending: asyncio.Task[float], timeout_s: float
    ) -> None:
        """Poll while sending, then until every sent message has its draft or timeout_s has passed."""
        deadline: float | None = None
        while True:
            await self.poll(conn)
            if sending.done():
                deadline = deadline or time.perf_counter() + timeout_s
                if not self.waiting or time.perf_counter() > deadline:
                    return
            await asyncio.sleep(POLL_INTERVAL_S)


@dataclass
class DraftResult:
    planned: int
    rate: float
    send_s: float
    watch: DraftWatch
    failures: int
    cpu_s: dict[str, float] = field(default_factory=dict)  # process name → CPU used meanwhile

    def summary(self) -> dict[str, object]:
        db = [ms for ms, _ in self.watch.found.values()]
        observed = [ms for _, ms in self.watch.found.values()]
        in_order = [self.watch.found[m][0] for m in self.watch.sent if m in self.watch.found]
        quarter = max(1, len(in_order) // 4)
        accepted = len(self.watch.sent)
        return {
            "planned": self.planned,
            "rate_per_s": self.rate,
            "send_s": round(self.send_s, 2),
            "accepted": len(self.watch.sent),
            "send_errors": dict(self.watch.send_errors),
            "drafts": len(self.watch.found),
            "draft_failures": self.failures,
            "db_ms": spread(db, digits=1),
            "observed_ms": spread(observed, digits=1),
            # Does the latency stay flat (keeping up) or grow along the run (a queue builds up)?
            "db_ms_p50_first_quarter": rounded(percentile(in_order[:quarter], 50), 1),
            "db_ms_p50_last_quarter": rounded(percentile(in_order[-quarter:], 50), 1),
            "cpu_ms_per_message": {
                name: round(cpu * 1000 / accepted, 2) if accepted else None
                for name, cpu in self.cpu_s.items()
            },
        }


async def measure(
    conn: asyncpg.Connection, workspace_id: str, shots: list[Shot], *, rate: float, timeout_s: float
) -> DraftResult:
    watch = DraftWatch()
    sending = asyncio.create_task(paced(shots, rate=rate, on_answer=watch.on_answer))
    try:
        await watch.until_done(conn, sending, timeout_s)
    finally:
        if not sending.done():
            sending.cancel()
            await asyncio.gather(sending, return_exceptions=True)
    send_s = sending.result()  # raises what the sending raised
    failures = int(await conn.fetchval(FAILURES_SQL, workspace_id))
    return DraftResult(len(shots), rate, send_s, watch, failures)
