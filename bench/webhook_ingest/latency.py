"""The latency part: webhooks paced at a steady rate while a normal worker (every queue) runs; accepted (the
client has the 200) → processed (the message and its message.created event committed, in the transaction
that sets webhook_events.processed_at).

The bodies are never drafted and need no model call (bench.payloads.UNDRAFTED_REPLIES, decided by the
classifier's fast paths), so the worker's load is the ingest and a cheap post-processing, not drafting."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.load import Answer, paced
from bench.payloads import UNDRAFTED_REPLIES
from bench.report import note, percentile, rounded, spread
from bench.webhook_events import until_drained
from bench.webhook_ingest.options import Options
from bench.webhook_ingest.stack import Server, new_workspace, webhook_shots

WAIT_AFTER_SENDS_S = 60.0
# processed_at is the worker's clock, stamped as it lands the outcome just before the commit; the client's
# clock is the same host's.
ROWS_SQL = """
SELECT id::text AS id, status, EXTRACT(EPOCH FROM processed_at) AS processed_epoch,
       EXTRACT(EPOCH FROM (processed_at - received_at)) * 1000 AS recorded_ms
FROM webhook_events WHERE id = ANY($1::uuid[])
"""
# The post-processing those messages queued has caught up: nothing of it loads the parts that follow.
UNPROCESSED_SQL = "SELECT count(*) FROM messages WHERE workspace_id = $1::uuid AND post_processed_at IS NULL"


@dataclass
class LatencyResult:
    planned: int
    rate: float
    send_s: float = 0.0
    answered_at: dict[str, float] = field(default_factory=dict)  # webhook event id → client's wall clock
    send_errors: Counter[str] = field(default_factory=Counter)
    # processed_at − 200 arrived at the client; may be below 0: the job is queued before the answer is sent.
    accepted_ms: list[float] = field(default_factory=list)
    recorded_ms: list[float] = field(default_factory=list)  # processed_at − received_at (server clocks)
    statuses: Counter[str] = field(default_factory=Counter)
    drained: bool = False
    post_processing_caught_up_s: float | None = None

    def on_answer(self, answer: Answer, _sent_at: float) -> None:
        data = answer.data() if answer.status == 200 else {}
        event_id = data.get("webhook_event_id")
        if data.get("status") == "accepted" and isinstance(event_id, str):
            self.answered_at[event_id] = answer.answered_at
        else:
            self.send_errors[answer.error or f"HTTP {answer.status} {data.get('status') or ''}".strip()] += 1

    def summary(self) -> dict[str, Any]:
        quarter = max(1, len(self.accepted_ms) // 4)
        return {
            "planned": self.planned,
            "rate_per_s": self.rate,
            "send_s": round(self.send_s, 2),
            "accepted": len(self.answered_at),
            "send_errors": dict(self.send_errors),
            "statuses": dict(self.statuses),
            "drained_within_wait": self.drained,
            "accepted_to_processed_ms": spread(self.accepted_ms, digits=1),
            "received_to_processed_ms": spread(self.recorded_ms, digits=1),
            # Flat (the worker keeps up) or growing along the sends (a queue builds up)?
            "accepted_ms_p50_first_quarter": rounded(percentile(self.accepted_ms[:quarter], 50), 1),
            "accepted_ms_p50_last_quarter": rounded(percentile(self.accepted_ms[-quarter:], 50), 1),
            "post_processing_caught_up_s": self.post_processing_caught_up_s,
        }


async def measure_latency(opts: Options, web: Server, conn: asyncpg.Connection) -> LatencyResult:
    workspace = await new_workspace(web.base, "Bench latency")
    shots = webhook_shots(
        web.base, workspace, uuid.uuid4().hex[:8], range(opts.latency_count), UNDRAFTED_REPLIES
    )
    result = LatencyResult(opts.latency_count, opts.latency_rate)
    note(f"latency: {opts.latency_count} undrafted replies at {opts.latency_rate:g}/s, worker on every queue")
    result.send_s = await paced(shots, rate=opts.latency_rate, on_answer=result.on_answer)
    last_answer = time.monotonic()
    result.drained = await until_drained(conn, [workspace.id], WAIT_AFTER_SENDS_S)
    rows = {row["id"]: row for row in await conn.fetch(ROWS_SQL, list(result.answered_at))}
    for event_id, answered_at in sorted(result.answered_at.items(), key=lambda item: item[1]):
        row = rows.get(event_id)
        result.statuses[row["status"] if row else "missing"] += 1
        if row is not None and row["processed_epoch"] is not None:
            result.accepted_ms.append((float(row["processed_epoch"]) - answered_at) * 1000)
            result.recorded_ms.append(float(row["recorded_ms"]))
    while time.monotonic() - last_answer < WAIT_AFTER_SENDS_S:
        if not await conn.fetchval(UNPROCESSED_SQL, workspace.id):
            result.post_processing_caught_up_s = round(time.monotonic() - last_answer, 2)
            break
        await asyncio.sleep(0.1)
    return result
