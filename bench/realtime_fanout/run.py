"""The fan-out run from start to end: the web process, the account and its lead, then for each N a round of
sockets and commits; everything it started is stopped however it ends."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import redis.asyncio as aioredis

from bench.database import BENCH_DB, prepare
from bench.environment import LOG_DIR, bench_env, flush_namespace, raise_fd_limit
from bench.realtime_fanout.analysis import analyse
from bench.realtime_fanout.lead import (
    Account,
    create_account,
    latest_lead_event,
    lead_event_ids,
    make_commits,
)
from bench.realtime_fanout.options import DATABASE_URL, LOG_NAME, Options
from bench.realtime_fanout.redis_clients import web_redis_clients
from bench.realtime_fanout.relay_round import run_relay_round, sample_event, start_relay
from bench.realtime_fanout.sockets import Client, close_clients, open_clients, wait_delivered
from bench.report import note
from tests.processes import Process, Processes, free_port, wait_http


def web_env(opts: Options, port: int, namespace: str) -> dict[str, str]:
    return bench_env(
        database_url=DATABASE_URL,
        redis_url=opts.redis_url,
        namespace=namespace,
        unset=("OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_PROVIDER"),  # no model calls from this run
        PORT=str(port),
    )


async def run_round(
    opts: Options,
    account: Account,
    web: Process,
    fanout_base: str,
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    sockets: int,
    commits: int,
    clients: list[Client],
) -> dict[str, Any]:
    redis_port = urlsplit(opts.redis_url).port or 6379
    note(f"N={sockets}: opening sockets, {opts.connect_batch} handshakes at a time")
    opened_at = time.monotonic()
    # The sockets are on the fan-out process; the commits go through another web process, so the fan-out
    # process's CPU is the fan-out's alone (poke, log read, frames), as the bare relay's is.
    on_fanout = dataclasses.replace(account, base=fanout_base)
    failures = await open_clients(on_fanout, sockets, opts.connect_batch, opts.compression, clients)
    connect_s = time.monotonic() - opened_at
    if not clients:
        raise RuntimeError(f"N={sockets}: no socket opened: {failures[:3]}")
    await asyncio.sleep(1.0)  # the subscribe burst's presence reads and frames settle first
    redis_after_connect = await web_redis_clients(redis, web.pid, redis_port)
    before_id = await latest_lead_event(conn, account.lead_id)

    note(f"N={sockets}: {commits} commits at {opts.rate:g}/s")
    cpu_before, client_cpu_before = web.cpu_seconds(), time.process_time()
    load_before = os.getloadavg()[0]
    made = await make_commits(account, commits, opts.rate, f"N={sockets}")
    await wait_delivered(clients, commits, opts.settle_s)
    cpu_after, client_cpu_after = web.cpu_seconds(), time.process_time()
    redis_during = await web_redis_clients(redis, web.pid, redis_port)
    expected = await lead_event_ids(conn, account.lead_id, before_id)
    result = analyse(clients, expected, made)
    web_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    result.update(
        sockets=sockets,
        opened=len(clients),
        connect_failures=len(failures),
        connect_failure_examples=sorted(set(failures))[:3],
        connect_s=round(connect_s, 2),
        commits=commits,
        web_cpu_ms_per_commit=round(web_cpu * 1000 / commits, 1) if web_cpu is not None else None,
        client_cpu_ms_per_commit=round((client_cpu_after - client_cpu_before) * 1000 / commits, 1),
        loadavg_1m_before=round(load_before, 2),
        redis_after_connect=redis_after_connect,
        redis_during=redis_during,
        web_alive=web.alive(),
    )
    note(f"N={sockets}: closing sockets")
    await close_clients(clients, opts.connect_batch)
    return result


async def run(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):  # cancel the run: its finally stops everything
        asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
    fd_limit = raise_fd_limit(max(opts.sockets))
    namespace = f"setterdesk-bench-rt-{uuid.uuid4().hex[:8]}"
    procs = Processes(LOG_DIR)
    clients: list[Client] = []
    redis = aioredis.from_url(opts.redis_url)
    conn: asyncpg.Connection | None = None
    try:
        note(f"database {BENCH_DB}: recreated and migrated; Dramatiq namespace {namespace}")
        await prepare()
        conn = await asyncpg.connect(DATABASE_URL)
        env = web_env(opts, free_port(), namespace)
        redis_port = urlsplit(opts.redis_url).port or 6379
        web = procs.start_role(LOG_NAME, "web", env)
        base = f"http://127.0.0.1:{env['PORT']}"
        commit_env = web_env(opts, free_port(), namespace)
        committer = procs.start_role(f"{LOG_NAME}-commits", "web", commit_env)
        commit_base = f"http://127.0.0.1:{commit_env['PORT']}"
        relay_env = {**web_env(opts, free_port(), namespace), "BARE_RELAY_CHANNEL": f"{namespace}:relay"}
        relay = start_relay(procs, relay_env)
        relay_base = f"http://127.0.0.1:{relay_env['PORT']}"
        await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
        await asyncio.to_thread(wait_http, f"{commit_base}/healthz", process=committer)
        await asyncio.to_thread(wait_http, f"{relay_base}/", process=relay)
        account = await create_account(commit_base)
        redis_idle = await web_redis_clients(redis, web.pid, redis_port)
        if opts.warmup:
            note(f"warm-up: 1 socket, {opts.warmup} commits")
            on_fanout = dataclasses.replace(account, base=base)
            if failures := await open_clients(on_fanout, 1, 1, opts.compression, clients):
                raise RuntimeError(f"warm-up socket: {failures[0]}")
            await make_commits(account, opts.warmup, opts.rate, "warm-up")
            await wait_delivered(clients, opts.warmup, opts.settle_s)
            await close_clients(clients, 1)
        rounds = []
        for index, (sockets, commits) in enumerate(zip(opts.sockets, opts.commits, strict=True)):
            hub_round = await run_round(opts, account, web, base, conn, redis, sockets, commits, clients)
            await asyncio.sleep(1.0)  # the server's per-socket cleanup finishes before the next round
            if opts.relay:
                event = await sample_event(conn, account.lead_id)
                channel = relay_env["BARE_RELAY_CHANNEL"]
                hub_round["relay"] = await run_relay_round(
                    opts, account, relay, relay_base, channel, redis, event, sockets, commits, clients, index
                )
                await asyncio.sleep(1.0)
            rounds.append(hub_round)
        return {
            "setup": {
                "cpus": os.cpu_count(),
                "web": web.command(),
                "relay": relay.command() if opts.relay else None,
                "rate_per_s": opts.rate,
                "compression": "client offers deflate" if opts.compression else "no deflate offered",
                "connect_batch": opts.connect_batch,
                "rlimit_nofile": list(fd_limit),
            },
            "redis_idle": redis_idle,
            "rounds": rounds,
            "log_errors": len(web.error_lines()),
            "log_lines": len(web.output().splitlines()),
        }
    finally:
        note("closing sockets and stopping the web process")
        with contextlib.suppress(Exception):
            await close_clients(clients, opts.connect_batch)
        await asyncio.to_thread(procs.stop_all)
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
        with contextlib.suppress(Exception):
            await flush_namespace(opts.redis_url, namespace)
        with contextlib.suppress(Exception):
            await redis.aclose()
