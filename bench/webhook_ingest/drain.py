"""The process part: the accept part's webhooks wait, recorded and queued, as no worker ran. One worker
process that only ingests (`WORKER_QUEUES=webhooks`, `WORKER_PROCESSES=1`) drains them: messages per second
and its CPU per message. The post-processing jobs it queues on the `default` queue are flushed afterwards,
unrun."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.environment import flush_namespace
from bench.report import note
from bench.webhook_events import Outcomes, outcomes_by_workspace, waiting
from bench.webhook_ingest.options import NAMESPACE, Options
from bench.webhook_ingest.stack import Workspace, start_worker
from tests.processes import Processes

BOOT_TIMEOUT_S = 60.0  # worker start → its first webhook processed
DRAIN_TIMEOUT_S = 300.0  # its first webhook processed → none left
POLL_INTERVAL_S = 0.05
WORKER_NAME = "ingest-worker"
# Both ends stamped by the worker as it lands each outcome: the drain rate without the poll's resolution.
PROCESSED_SPAN_SQL = """
SELECT count(*) AS n, EXTRACT(EPOCH FROM (max(processed_at) - min(processed_at))) AS span_s
FROM webhook_events WHERE workspace_id = $1::uuid AND status <> 'received' AND processed_at >= $2
"""


@dataclass
class DrainResult:
    backlog: int  # rows waiting when the worker started
    boot_s: float  # worker start → first row processed (imports, connections): not drain time
    drained: int  # rows processed inside the window (first row seen processed → none left)
    drain_s: float
    cpu_s: float | None  # the worker's CPU (with what it forked) inside that window
    left: int  # still waiting at the time cap
    outcomes: Outcomes
    db_rate_per_s: float | None
    command: str
    flushed_keys: int = 0

    def summary(self) -> dict[str, Any]:
        rate = self.drained / self.drain_s if self.drain_s else None
        return {
            "backlog": self.backlog,
            "worker": self.command,
            "worker_processes": 1,
            "boot_s": round(self.boot_s, 2),
            "drained_in_window": self.drained,
            "drain_s": round(self.drain_s, 2),
            "messages_per_s_per_worker_process": round(rate, 1) if rate is not None else None,
            "messages_per_s_from_processed_at": self.db_rate_per_s,
            "worker_cpu_ms_per_message": (
                round(self.cpu_s * 1000 / self.drained, 2)
                if self.cpu_s is not None and self.drained
                else None
            ),
            "left_at_cap": self.left,
            "outcomes": self.outcomes.summary(),
            "all_processed": self.outcomes.processed == self.backlog and not self.outcomes.others(),
            "duplicates": self.outcomes.duplicates,
            "flushed_redis_keys": self.flushed_keys,
        }


async def measure_drain(
    opts: Options, procs: Processes, env: dict[str, str], conn: asyncpg.Connection, workspace: Workspace
) -> DrainResult:
    backlog = await waiting(conn, [workspace.id])
    started_wall = await conn.fetchval("SELECT now()")
    note(f"process: {backlog} webhooks waiting; one ingest-only worker process drains them")
    worker = start_worker(procs, env, None, WORKER_NAME, WORKER_QUEUES="webhooks", WORKER_PROCESSES="1")
    try:
        started = time.perf_counter()
        left = backlog
        # The window opens at the first row processed: the worker's boot is not drain time.
        while left == backlog and backlog:
            if not worker.alive():
                raise RuntimeError(f"the ingest worker exited; see {worker.log_path}")
            if time.perf_counter() - started > BOOT_TIMEOUT_S:
                raise RuntimeError(
                    f"no webhook processed {BOOT_TIMEOUT_S:g}s after the ingest worker started"
                )
            await asyncio.sleep(POLL_INTERVAL_S)
            left = await waiting(conn, [workspace.id])
        opened, cpu_opened, left_opened = time.perf_counter(), worker.cpu_seconds(), left
        while left and time.perf_counter() - opened < DRAIN_TIMEOUT_S:
            await asyncio.sleep(POLL_INTERVAL_S)
            left = await waiting(conn, [workspace.id])
        closed, cpu_closed = time.perf_counter(), worker.cpu_seconds()
        span = await conn.fetchrow(PROCESSED_SPAN_SQL, workspace.id, started_wall)
        outcomes = await outcomes_by_workspace(conn, [workspace.id])
    finally:
        await asyncio.to_thread(worker.stop)
    # The post-processing jobs the ingest queued (classify, draft): not wanted by the parts that follow.
    flushed = await flush_namespace(opts.redis_url, NAMESPACE)
    note(f"process: worker stopped; flushed {flushed} Redis keys (the unrun post-processing jobs)")
    cpu_s = cpu_closed - cpu_opened if cpu_opened is not None and cpu_closed is not None else None
    span_s = float(span["span_s"] or 0) if span else 0.0
    return DrainResult(
        backlog=backlog,
        boot_s=opened - started,
        drained=left_opened - left,
        drain_s=closed - opened,
        cpu_s=cpu_s,
        left=left,
        outcomes=outcomes,
        db_rate_per_s=round(span["n"] / span_s, 1) if span and span_s else None,
        command=worker.command(),
        flushed_keys=flushed,
    )
