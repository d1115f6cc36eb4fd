"""The accept part: the web process alone (no worker runs) against the bare one-INSERT app, same bodies, the
same closed-loop load one after the other. A webhook is answered once its body is recorded, so the two
should be close: the issue's targets are ≥ 0.8× the bare req/s and a p99 ≤ 1.5× the bare p99."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from bench.database import BENCH_DB
from bench.load import LoadResult, Shot, drive
from bench.payloads import REPLIES
from bench.pg_activity import sampling
from bench.report import note, percentile
from bench.webhook_ingest.options import DATABASE_URL, Options
from bench.webhook_ingest.stack import Server, Workspace, bare_shots, new_workspace, webhook_shots

MIN_RPS_RATIO = 0.8
MAX_P99_RATIO = 1.5


@dataclass
class AcceptResult:
    bare: LoadResult
    webhook: LoadResult
    warm_failures: int
    workspace: Workspace  # its webhooks wait for the process part: no worker ran

    def summary(self) -> dict[str, Any]:
        rps = _ratio(self.webhook.rps, self.bare.rps)
        p99 = _ratio(percentile(self.webhook.latencies_ms, 99), percentile(self.bare.latencies_ms, 99))
        return {
            "bare": self.bare.summary(),
            "webhook": self.webhook.summary(),
            "ratio_webhook_to_bare_rps": rps,
            "ratio_webhook_to_bare_p99": p99,
            "target_rps_ratio_met": rps is not None and rps >= MIN_RPS_RATIO,
            "target_p99_ratio_met": p99 is not None and p99 <= MAX_P99_RATIO,
            "warmup_non_200": self.warm_failures,
        }


def _ratio(value: float | None, baseline: float | None) -> float | None:
    return round(value / baseline, 3) if value is not None and baseline else None


async def measure_accept(opts: Options, web: Server, bare: Server) -> AcceptResult:
    """Warm both up, then the bare INSERT and the webhook endpoint, one after the other, same bodies."""
    workspace = await new_workspace(web.base, "Bench ingest")
    run = uuid.uuid4().hex[:8]
    warm = webhook_shots(web.base, workspace, run, range(opts.warmup), REPLIES)
    measured = range(opts.warmup, opts.warmup + opts.requests)
    shots = webhook_shots(web.base, workspace, run, measured, REPLIES)

    async def load(name: str, server: Server, shots: list[Shot], with_outcome: bool = False) -> LoadResult:
        cpu_before = server.process.cpu_seconds()
        result = await drive(
            name, shots, concurrency=opts.concurrency, max_seconds=opts.max_seconds, with_outcome=with_outcome
        )
        cpu_after = server.process.cpu_seconds()
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu_s = cpu_after - cpu_before
        return result

    note(f"warm-up: {opts.warmup} requests each")
    warm_failures = 0
    for server, warm_shots in ((bare, bare_shots(bare.base, warm)), (web, warm)):
        warm_failures += (await load("warm-up", server, warm_shots)).non_200.total()
    note(f"bare INSERT: {opts.requests} requests, {opts.concurrency} concurrent")
    bare_result = await load("bare INSERT app", bare, bare_shots(bare.base, shots))
    note(
        f"webhooks: {opts.requests} requests, {opts.concurrency} concurrent "
        f"(capped at {opts.max_seconds:g}s), no worker running"
    )
    async with sampling(DATABASE_URL, BENCH_DB) as sessions:
        webhook_result = await load("POST /api/webhooks/*", web, shots, with_outcome=True)
    webhook_result.db_sessions = sessions.averages()
    return AcceptResult(bare_result, webhook_result, warm_failures, workspace)
