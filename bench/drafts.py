"""Received → pending draft committed: send paced webhooks, then watch the database for their drafts.

A webhook is answered once recorded (the answer carries its webhook event id, not a message id); a worker
stores its message later, and another job classifies it and drafts. So drafts are found through the event
log: webhook_events.result holds the message id once the message is stored."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from bench.load import Answer, Shot, paced
from bench.report import percentile, rounded, spread

POLL_INTERVAL_S = 0.05
# All three times come from the processes' own clocks (same host): webhook_events.received_at is set by the
# web process as it records the body, messages.created_at by the worker that stores the message,
# drafts.created_at by the worker that drafts.
DRAFTS_SQL = """
SELECT e.id::text AS id,
       EXTRACT(EPOCH FROM (d.created_at - e.received_at)) * 1000 AS received_ms,
       EXTRACT(EPOCH FROM (d.created_at - m.created_at)) * 1000 AS message_ms
FROM webhook_events e
JOIN drafts d ON d.trigger_message_id = CAST(e.result ->> 'message_id' AS uuid)
JOIN messages m ON m.id = d.trigger_message_id
WHERE e.id = ANY($1::uuid[]) AND d.status = 'pending'
"""
FAILURES_SQL = "SELECT count(*) FROM draft_failures WHERE workspace_id = $1::uuid"


@dataclass(frozen=True)
class DraftTimes:
    received_ms: float  # draft committed − webhook recorded: the whole asynchronous path
    message_ms: float  # draft committed − message stored: classification and drafting only
    observed_ms: float  # the client: POST sent → draft visible to its poll


@dataclass
class DraftWatch:
    """Webhooks accepted, and for each one whose pending draft is committed: its times."""

    sent: dict[str, float] = field(
        default_factory=dict
    )  # webhook event id → perf_counter when its POST began
    found: dict[str, DraftTimes] = field(default_factory=dict)
    send_errors: Counter[str] = field(default_factory=Counter)

    def on_answer(self, answer: Answer, sent_at: float) -> None:
        data = answer.data() if answer.status == 200 else {}
        event_id = data.get("webhook_event_id")
        if data.get("status") == "accepted" and isinstance(event_id, str):
            self.sent[event_id] = sent_at
        else:
            self.send_errors[answer.error or f"HTTP {answer.status} {data.get('status') or ''}".strip()] += 1

    @property
    def waiting(self) -> list[str]:
        return [e for e in self.sent if e not in self.found]

    async def poll(self, conn: asyncpg.Connection) -> None:
        waiting = self.waiting
        if not waiting:
            return
        rows = await conn.fetch(DRAFTS_SQL, waiting)
        now = time.perf_counter()
        for row in rows:
            observed_ms = (now - self.sent[row["id"]]) * 1000
            self.found[row["id"]] = DraftTimes(
                float(row["received_ms"]), float(row["message_ms"]), observed_ms
            )

    async def until_done(
        self, conn: asyncpg.Connection, sending: asyncio.Task[float], timeout_s: float
    ) -> None:
        """Poll while sending, then until every accepted webhook has its draft or timeout_s has passed."""
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
        found = self.watch.found.values()
        in_order = [self.watch.found[e].received_ms for e in self.watch.sent if e in self.watch.found]
        quarter = max(1, len(in_order) // 4)
        accepted = len(self.watch.sent)
        return {
            "planned": self.planned,
            "rate_per_s": self.rate,
            "send_s": round(self.send_s, 2),
            "accepted": accepted,
            "send_errors": dict(self.watch.send_errors),
            "drafts": len(self.watch.found),
            "draft_failures": self.failures,
            "received_ms": spread([t.received_ms for t in found], digits=1),
            "db_ms": spread([t.message_ms for t in found], digits=1),
            "observed_ms": spread([t.observed_ms for t in found], digits=1),
            # Does the latency stay flat (keeping up) or grow along the run (a queue builds up)?
            "received_ms_p50_first_quarter": rounded(percentile(in_order[:quarter], 50), 1),
            "received_ms_p50_last_quarter": rounded(percentile(in_order[-quarter:], 50), 1),
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
