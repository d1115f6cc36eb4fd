"""The run from start to end: accept (web alone), process (one ingest-only worker drains what was accepted),
then a normal worker and the fake model for the latency and draft parts; everything it started is stopped
however it ends."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from typing import Any

import asyncpg

from bench.database import BENCH_DB
from bench.drafts import DraftResult, measure
from bench.environment import LOG_DIR, flush_namespace
from bench.payloads import INTERESTED_REPLIES
from bench.report import note
from bench.webhook_ingest.accept import AcceptResult, measure_accept
from bench.webhook_ingest.drain import DrainResult, measure_drain
from bench.webhook_ingest.latency import LatencyResult, measure_latency
from bench.webhook_ingest.options import DATABASE_URL, NAMESPACE, Options
from bench.webhook_ingest.stack import (
    Server,
    base_env,
    new_workspace,
    prepare_database,
    start_bare,
    start_web,
    start_worker,
    webhook_shots,
)
from tests.fakes.fake_openai import DRAFTING, FakeOpenAIServer
from tests.processes import Process, Processes, free_port

WORKER_WARMUP = 4


async def warm_worker(web: Server, conn: asyncpg.Connection) -> None:
    """A few drafts end to end first: the worker has booted and its connections are open."""
    workspace = await new_workspace(web.base, "Bench worker warm-up")
    shots = webhook_shots(web.base, workspace, uuid.uuid4().hex[:8], range(WORKER_WARMUP), INTERESTED_REPLIES)
    result = await measure(conn, workspace.id, shots, rate=10, timeout_s=60)
    if len(result.watch.found) < len(shots):
        raise RuntimeError(
            f"worker warm-up: {len(result.watch.found)}/{len(shots)} drafts in 60s "
            f"(draft failures: {result.failures}, send errors: {dict(result.watch.send_errors)}); "
            "see bench/logs/worker.log"
        )


async def measure_drafts(
    opts: Options, web: Server, worker: Process, conn: asyncpg.Connection, fake: FakeOpenAIServer
) -> tuple[DraftResult, int | None]:
    """Paced interested replies, each to a pending draft; the model calls they made (None: offline)."""
    workspace = await new_workspace(web.base, "Bench drafts")
    shots = webhook_shots(web.base, workspace, uuid.uuid4().hex[:8], range(opts.drafts), INTERESTED_REPLIES)
    fake.reset()  # count the measured messages' model calls only
    note(f"drafts: {opts.drafts} interested replies at {opts.draft_rate:g}/s")
    processes = {"web": web.process, "worker": worker}
    before = {name: process.cpu_seconds() for name, process in processes.items()}
    result = await measure(conn, workspace.id, shots, rate=opts.draft_rate, timeout_s=opts.draft_timeout_s)
    for name, process in processes.items():
        start, end = before[name], process.cpu_seconds()
        if start is not None and end is not None:
            result.cpu_s[name] = end - start
    return result, None if opts.offline else fake.request_count


async def run(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):  # cancel the run: its finally stops every process
        asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
    procs = Processes(LOG_DIR)
    fake = FakeOpenAIServer(prefer=DRAFTING, keep_requests=False)
    conn: asyncpg.Connection | None = None
    try:
        note(f"database {BENCH_DB}: {'kept' if opts.keep_db else 'recreated'} and migrated")
        await prepare_database(opts.keep_db)
        await flush_namespace(opts.redis_url, NAMESPACE)
        env = base_env(opts, free_port())
        web, bare = await start_web(procs, env), await start_bare(procs, env)
        accept = await measure_accept(opts, web, bare)
        conn = await asyncpg.connect(DATABASE_URL)
        drain = await measure_drain(opts, procs, env, conn, accept.workspace)
        worker = start_worker(procs, env, None if opts.offline else fake.start().base_url)
        note("worker (every queue) warm-up")
        await warm_worker(web, conn)
        latency = await measure_latency(opts, web, conn)
        drafts, model_calls = await measure_drafts(opts, web, worker, conn, fake)
        return figures(opts, accept, drain, latency, drafts, model_calls, procs)
    finally:
        note("stopping processes")
        if conn is not None:
            await conn.close()
        await asyncio.to_thread(procs.stop_all)
        await asyncio.to_thread(fake.stop)  # after the worker: it answers the worker's last calls
        await flush_namespace(opts.redis_url, NAMESPACE)


def figures(
    opts: Options,
    accept: AcceptResult,
    drain: DrainResult,
    latency: LatencyResult,
    drafts: DraftResult,
    model_calls: int | None,
    procs: Processes,
) -> dict[str, Any]:
    return {
        "setup": {
            "cpus": os.cpu_count(),
            "concurrency": opts.concurrency,
            "requests": opts.requests,
            "warmup": opts.warmup,
            "provider": "offline" if opts.offline else "openai (fake, answers at once)",
            "worker": procs["worker"].command(),
        },
        "ingest": accept.summary(),
        "process": drain.summary(),
        "latency": latency.summary(),
        "drafts": {**drafts.summary(), "model_calls": model_calls},
        "log_errors": {name: len(lines) for name, lines in procs.error_lines().items()},
    }
