"""The soak run from start to end: the stack, the workspaces, the sockets, the sends, the checks, the figures;
everything it started is stopped however it ends."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from typing import Any

import aiohttp
import asyncpg

from bench.database import BENCH_DB, prepare
from bench.environment import LOG_DIR, flush_namespace, raise_fd_limit
from bench.load import client
from bench.report import note, spread
from bench.soak.checks import (
    check_deliveries,
    drain_backlog,
    ingest_outcomes,
    pipeline_counts,
    settle,
    table_events,
    verdict,
)
from bench.soak.options import DATABASE_URL, Options
from bench.soak.sockets import Socket, close_sockets, open_sockets, plan_sockets
from bench.soak.stack import Cpu, LoopLag, Memory, base_env, start_stack
from bench.soak.traffic import Sends, Webhooks, send_paced, signup_all
from bench.webhook_events import lead_ids, until_drained
from tests.fakes.fake_openai import DRAFTING, FakeOpenAIServer
from tests.processes import Processes

PREWARM_RATE = 20.0  # webhooks per second that create the hot leads
SEND_CONNECTIONS = 200  # HTTP connections the webhook sender may hold open


async def prewarm(
    http: aiohttp.ClientSession, conn: asyncpg.Connection, hooks: Webhooks, workspace_ids: list[str]
) -> tuple[list[list[str]], Sends]:
    """The hot leads' first webhooks; once the workers have stored them, their leads are known; then wait for
    a draft in any workspace: the workers and the fake model answer. The hot leads' ids by workspace, and the
    sends."""
    sends = await send_paced(http, hooks, hooks.prewarm, rate=PREWARM_RATE, deadline_s=60)
    if sends.non_200:
        raise RuntimeError(f"pre-warm webhooks: {dict(sends.non_200)}")
    if not await until_drained(conn, workspace_ids, 60):
        raise RuntimeError("pre-warm webhooks not processed within 60 s; see bench/logs/soak-worker-*.log")
    lead_by_event = await lead_ids(conn, list(sends.accepted.values()))
    by_webhook = {i: lead_by_event[e] for i, e in sends.accepted.items() if e in lead_by_event}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM events WHERE workspace_id = ANY($1::uuid[]) "
            "AND type = 'draft.created')",
            workspace_ids,
        ):
            break
        await asyncio.sleep(0.5)
    else:
        raise RuntimeError("no draft within 60 s of the pre-warm webhooks; see bench/logs/soak-worker-*.log")
    return hooks.hot_lead_ids(by_webhook), sends


async def soak(
    opts: Options, procs: Processes, fake: FakeOpenAIServer, stopping: asyncio.Event, namespace: str
) -> dict[str, Any]:
    fd_limit = raise_fd_limit(opts.sockets)
    note(f"database {BENCH_DB}: recreated and migrated; Dramatiq namespace {namespace}")
    await prepare()
    env = base_env(opts, namespace, fake.start().base_url)
    sockets: list[Socket] = []
    conn = await asyncpg.connect(DATABASE_URL)
    lag, memory = LoopLag(), None
    try:
        webs, roles = await start_stack(procs, env)
        memory, cpu = Memory(roles), Cpu(roles)
        note(f"signing up {opts.workspaces} workspaces")
        accounts = await signup_all(webs, opts.workspaces)
        workspace_ids = [account.workspace_id for account in accounts]
        hooks = Webhooks(webs, accounts, opts.existing_share)
        async with client(SEND_CONNECTIONS) as http:
            note(
                f"pre-warm: {len(hooks.prewarm)} webhooks ({hooks.hot_per_workspace} hot leads per "
                f"workspace) at {PREWARM_RATE:g}/s, waiting for a first draft"
            )
            hot_lead_ids, prewarmed = await prewarm(http, conn, hooks, workspace_ids)
            sockets = plan_sockets(webs, accounts, hot_lead_ids, opts)
            note(f"opening {opts.sockets} sockets on 2 web processes, {opts.connect_batch} at a time")
            connect_s = await open_sockets(sockets, opts.connect_batch, stopping)
            lag.start()
            warm_count = round(opts.warmup_s * opts.rate)
            note(f"warm-up: {warm_count} webhooks at {opts.rate:g}/s")
            first = len(hooks.prewarm)
            warm_range = range(first, first + warm_count)
            warm = await send_paced(http, hooks, warm_range, opts.rate, 60, opts.retries)
            memory_start = memory.take()
            memory.start()
            cpu.start()
            count = round(opts.duration_s * opts.rate)
            note(f"soak: {count} webhooks at {opts.rate:g}/s for {opts.duration_s:g}s")
            first += warm_count
            sends = await send_paced(http, hooks, range(first, first + count), opts.rate, 60, opts.retries)
            cpu.stop()
            memory_end = memory.take()
        note(f"draining (up to {opts.drain_s:g}s after the last send): no webhook left `received`")
        drain_s, left = await drain_backlog(conn, workspace_ids, sends.last_sent_at, opts.drain_s)
        note(f"settling (up to {opts.settle_s:g}s): workers finish, sockets catch up")
        settle_took = await settle(conn, workspace_ids, sockets, opts.settle_s)
        memory.stop()
        memory_settled = memory.take()
        lag.stop()
        deliveries = check_deliveries(sockets, await table_events(conn, workspace_ids))
        pipeline = await pipeline_counts(conn, workspace_ids)
        accepted_ids = [e for phase in (prewarmed, warm, sends) for e in phase.accepted.values()]
        ingest = await ingest_outcomes(conn, accepted_ids, workspace_ids)
        ingest.update(drain_s=drain_s, left_at_drain_cap=left, drain_cap_s=opts.drain_s)
        alive = {name: p.alive() for name, p in roles.items()}
        note("closing sockets")
        await close_sockets(sockets, stopping)
        per_workspace = opts.sockets / opts.workspaces
        return {
            "setup": {
                "cpus": os.cpu_count(),
                "duration_s": opts.duration_s,
                "rate_per_s": opts.rate,
                "retries": opts.retries,
                "sockets": opts.sockets,
                "workspaces": opts.workspaces,
                "sockets_per_workspace": int(per_workspace)
                if per_workspace.is_integer()
                else round(per_workspace, 2),
                "lead_sockets": sum(s.lead_id is not None for s in sockets),
                "hot_leads": sum(len(ids) for ids in hot_lead_ids),
                "hot_leads_per_workspace": hooks.hot_per_workspace,
                "existing_share": opts.existing_share,
                "warmup_s": opts.warmup_s,
                "web": procs["soak-web-1"].command(),
                "worker": procs["soak-worker-1"].command(),
                "scheduler": procs["soak-scheduler"].command(),
                "model": "fake OpenAI (answers at once)",
                "rlimit_nofile": list(fd_limit),
            },
            "connect_s": round(connect_s, 2),
            "subscribed_at_start": sum(s.baseline is not None for s in sockets),
            "warmup_webhooks": warm.summary(),
            "webhooks": {
                **sends.summary(),
                "existing_lead_share": round(hooks.existing / max(1, first + count), 3),
            },
            "ingest": ingest,
            "deliveries": deliveries,
            "memory_mb": memory.table(memory_start, memory_end, memory_settled),
            "memory_samples_mb": memory.samples_mb(),
            "cpu_percent_of_one_core": cpu.percent,
            "machine_cpu_percent": cpu.machine_percent,
            "client_loop_lag_ms": spread(lag.lags_ms),
            "settle_s": round(settle_took, 1),
            "pipeline": pipeline,
            "model_calls": fake.request_count,
            "processes_alive_at_end": alive,
            "log_errors": {name: len(lines) for name, lines in procs.error_lines().items()},
        }
    finally:
        lag.stop()
        if memory is not None:
            memory.stop()
        with contextlib.suppress(Exception):
            await close_sockets(sockets, stopping)
        with contextlib.suppress(Exception):
            await conn.close()


async def run(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):  # cancel the run: its finally stops everything
        asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
    procs = Processes(LOG_DIR)
    fake = FakeOpenAIServer(prefer=DRAFTING, keep_requests=False)
    stopping = asyncio.Event()
    namespace = f"setterdesk-bench-soak-{uuid.uuid4().hex[:8]}"
    try:
        data = await soak(opts, procs, fake, stopping, namespace)
        data["verdict"] = verdict(data)
        return data
    finally:
        stopping.set()
        note("stopping processes")
        await asyncio.to_thread(procs.stop_all)
        await asyncio.to_thread(fake.stop)  # after the workers: it answers their last calls
        with contextlib.suppress(Exception):
            await flush_namespace(opts.redis_url, namespace)
