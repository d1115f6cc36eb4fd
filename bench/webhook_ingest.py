"""Webhook ingest benchmark: the server's webhook endpoint against a bare INSERT, then reply → draft latency.

    .venv/bin/python -m bench.webhook_ingest            # table
    .venv/bin/python -m bench.webhook_ingest --json     # the same figures as JSON
    .venv/bin/python -m bench.webhook_ingest --offline  # drafts from the embedded offline provider

It uses a database of its own (setterdesk_bench, dropped and migrated at start unless --keep-db) and the
Redis namespace setterdesk-bench (flushed at start, between the parts, and at the end). It starts the
Procfile's web line, a bare Litestar INSERT app (bench/bare_insert_app.py), later the Procfile's worker line
and a fake OpenAI server, and stops all of them however the run ends. Process logs go to bench/logs/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg

from bench.bare_insert_app import TABLE_DDL
from bench.database import BENCH_DB, database_url, prepare
from bench.drafts import DraftResult, measure
from bench.environment import LOG_DIR, bench_env, flush_namespace
from bench.load import LoadResult, Shot, drive
from bench.payloads import INTERESTED_REPLIES, REPLIES, mixed
from bench.pg_activity import sampling
from bench.report import fmt, note, run_cli, table
from bench.signup import signup
from tests.fakes.fake_openai import DRAFTING, FakeOpenAIServer
from tests.processes import Process, Processes, free_port, venv_argv, wait_http

DATABASE_URL = database_url()
NAMESPACE = "setterdesk-bench"
WORKER_WARMUP = 4


@dataclass(frozen=True)
class Options:
    requests: int
    warmup: int
    concurrency: int
    max_seconds: float
    drafts: int
    draft_rate: float
    draft_timeout_s: float
    offline: bool
    keep_db: bool
    redis_url: str
    as_json: bool


@dataclass(frozen=True)
class Workspace:
    id: str
    secret: str


# --- database and redis -------------------------------------------------------------------------------


async def prepare_database(keep: bool) -> None:
    await prepare(fresh=not keep)
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        await conn.execute(TABLE_DDL)
        await conn.execute("TRUNCATE bench_bare")
    finally:
        await conn.close()


# --- processes -------------------------------------------------------------------------------------------


def base_env(opts: Options, port: int) -> dict[str, str]:
    # The Procfile's own defaults apply (1 worker process, 8 threads); the model settings are chosen below.
    return bench_env(
        database_url=DATABASE_URL,
        redis_url=opts.redis_url,
        namespace=NAMESPACE,
        unset=("WORKER_PROCESSES", "WORKER_THREADS", "OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_PROVIDER"),
        PORT=str(port),
    )


@dataclass(frozen=True)
class Server:
    base: str
    process: Process


async def start_web(procs: Processes, env: dict[str, str]) -> Server:
    web = procs.start_role("web", "web", env)
    base = f"http://127.0.0.1:{env['PORT']}"
    await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
    return Server(base, web)


async def start_bare(procs: Processes, env: dict[str, str]) -> Server:
    port = free_port()
    argv = ["uvicorn", "--factory", "bench.bare_insert_app:create_app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log"]
    bare = procs.start("bare", venv_argv(argv), {**env, "BENCH_DATABASE_URL": DATABASE_URL})
    base = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(wait_http, f"{base}/insert", process=bare)  # up: GET on a POST-only route, 405
    return Server(base, bare)


def start_worker(procs: Processes, env: dict[str, str], openai_url: str | None) -> Process:
    if openai_url:
        env = {**env, "LLM_PROVIDER": "openai", "OPENAI_API_KEY": "bench-key", "OPENAI_BASE_URL": openai_url}
    else:
        env = {**env, "LLM_PROVIDER": "offline"}
    return procs.start_role("worker", "worker", env)


async def new_workspace(base: str, name: str) -> Workspace:
    async with aiohttp.ClientSession() as http:
        workspace = (await signup(http, base, name))["workspace"]
    return Workspace(workspace["id"], workspace["webhook_secret"])


# --- the two measurements --------------------------------------------------------------------------------


def webhook_shots(
    base: str, workspace: Workspace, run: str, numbers: range, texts: tuple[str, ...]
) -> list[Shot]:
    headers = {"Content-Type": "application/json", "X-Webhook-Secret": workspace.secret}
    hooks = (mixed(run, n, texts) for n in numbers)
    return [
        Shot(f"{base}/api/webhooks/{hook.channel}?workspace={workspace.id}", hook.body, headers)
        for hook in hooks
    ]


def bare_shots(base: str, shots: list[Shot]) -> list[Shot]:
    return [Shot(f"{base}/insert", shot.body, {"Content-Type": "application/json"}) for shot in shots]


async def measure_ingest(opts: Options, web: Server, bare: Server) -> tuple[LoadResult, LoadResult, int]:
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
        f"webhooks: {opts.requests} requests, {opts.concurrency} concurrent (capped at {opts.max_seconds:g}s)"
    )
    async with sampling(DATABASE_URL, BENCH_DB) as sessions:
        webhook_result = await load("POST /api/webhooks/*", web, shots, with_outcome=True)
    webhook_result.db_sessions = sessions.averages()
    return bare_result, webhook_result, warm_failures


async def wait_for_worker(conn: asyncpg.Connection, workspace: Workspace, shots: list[Shot]) -> None:
    """A few drafts end to end first: the worker has booted and its connections are open."""
    result = await measure(conn, workspace.id, shots, rate=10, timeout_s=60)
    if len(result.watch.found) < len(shots):
        raise RuntimeError(
            f"worker warm-up: {len(result.watch.found)}/{len(shots)} drafts in 60s "
            f"(draft failures: {result.failures}); see bench/logs/worker.log"
        )


async def measure_drafts(
    opts: Options, procs: Processes, env: dict[str, str], web: Server, fake: FakeOpenAIServer
) -> DraftResult:
    """Worker and (unless offline) fake OpenAI up, a few drafts to warm up, then the paced replies."""
    workspace = await new_workspace(web.base, "Bench drafts")
    run = uuid.uuid4().hex[:8]
    # The ingest part's queued jobs: nobody wants them.
    flushed = await flush_namespace(opts.redis_url, NAMESPACE)
    note(f"flushed {flushed} Redis keys of the ingest part's jobs")
    openai_url = None if opts.offline else fake.start().base_url
    worker = start_worker(procs, env, openai_url)
    warm = webhook_shots(web.base, workspace, run, range(WORKER_WARMUP), INTERESTED_REPLIES)
    shots = webhook_shots(
        web.base, workspace, run, range(WORKER_WARMUP, WORKER_WARMUP + opts.drafts), INTERESTED_REPLIES
    )
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        note("worker warm-up")
        await wait_for_worker(conn, workspace, warm)
        fake.reset()  # count the measured messages' model calls only
        note(f"drafts: {opts.drafts} interested replies at {opts.draft_rate:g}/s")
        processes = {"web": web.process, "worker": worker}
        before = {name: process.cpu_seconds() for name, process in processes.items()}
        result = await measure(
            conn, workspace.id, shots, rate=opts.draft_rate, timeout_s=opts.draft_timeout_s
        )
        for name, process in processes.items():
            start, end = before[name], process.cpu_seconds()
            if start is not None and end is not None:
                result.cpu_s[name] = end - start
        return result
    finally:
        await conn.close()


# --- the run ---------------------------------------------------------------------------------------------


async def run(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):  # cancel the run: its finally stops every process
        asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
    procs = Processes(LOG_DIR)
    fake = FakeOpenAIServer(prefer=DRAFTING, keep_requests=False)
    try:
        note(f"database {BENCH_DB}: {'kept' if opts.keep_db else 'recreated'} and migrated")
        await prepare_database(opts.keep_db)
        await flush_namespace(opts.redis_url, NAMESPACE)
        env = base_env(opts, free_port())
        web, bare = await start_web(procs, env), await start_bare(procs, env)
        bare_result, webhook_result, warm_failures = await measure_ingest(opts, web, bare)
        drafts = await measure_drafts(opts, procs, env, web, fake)
        return figures(opts, bare_result, webhook_result, warm_failures, drafts, fake, procs)
    finally:
        note("stopping processes")
        await asyncio.to_thread(procs.stop_all)
        await asyncio.to_thread(fake.stop)  # after the worker: it answers the worker's last calls
        await flush_namespace(opts.redis_url, NAMESPACE)


def figures(
    opts: Options,
    bare: LoadResult,
    webhook: LoadResult,
    warm_failures: int,
    drafts: DraftResult,
    fake: FakeOpenAIServer,
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
        "ingest": {
            "bare": bare.summary(),
            "webhook": webhook.summary(),
            "ratio_webhook_to_bare_rps": round(webhook.rps / bare.rps, 3) if bare.rps else None,
            "warmup_non_200": warm_failures,
        },
        "drafts": {**drafts.summary(), "model_calls": None if opts.offline else fake.request_count},
        "log_errors": {name: len(lines) for name, lines in procs.error_lines().items()},
    }


def render(data: dict[str, Any]) -> str:
    setup, ingest, drafts = data["setup"], data["ingest"], data["drafts"]
    ratio = fmt(ingest["ratio_webhook_to_bare_rps"], 3)
    rows = [
        _load_cells("bare INSERT (baseline)", ingest["bare"]),
        _load_cells("POST /api/webhooks", ingest["webhook"]),
        ["ratio webhook / bare req/s", "", "", ratio, "", "", "", ""],
    ]
    first = table(
        f"Webhook ingest: {setup['concurrency']} concurrent senders, {setup['requests']} requests each "
        f"after {setup['warmup']} warm-up ({setup['cpus']} CPUs)",
        ["", "requests", "seconds", "req/s", "p50 ms", "p99 ms", "non-200", "server CPU ms/req"],
        rows,
    )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(ingest["webhook"]["outcomes"].items()))
    second = table(
        f"Received → pending draft committed: {drafts['planned']} interested replies at "
        f"{drafts['rate_per_s']:g}/s, `{setup['worker']}`, {setup['provider']}",
        ["", "p50 ms", "p99 ms", "max ms"],
        [
            ["draft.created_at − message.created_at", *_spread_cells(drafts["db_ms"])],
            ["client: POST sent → draft visible", *_spread_cells(drafts["observed_ms"])],
        ],
    )
    webhook = ingest["webhook"]
    capped = webhook["requests"] < webhook["planned"]
    notes = [
        f"webhook answers: {outcomes}; warm-up non-200: {ingest['warmup_non_200']}"
        + (f"; stopped at the time cap, {webhook['requests']} of {webhook['planned']}" if capped else ""),
        "database sessions during the webhook load, on average: "
        + ", ".join(f"{k} {v:g}" for k, v in webhook["db_sessions"].items()),
        "client CPU ms/req (this process): "
        f"bare {fmt(ingest['bare']['client_cpu_ms_per_request'], 2)}, "
        f"webhook {fmt(webhook['client_cpu_ms_per_request'], 2)}",
        f"drafts arrived: {drafts['drafts']}/{drafts['accepted']} accepted webhooks "
        f"({drafts['planned']} sent, send errors {drafts['send_errors'] or 0}), "
        f"draft failures: {drafts['draft_failures']}, model calls: {fmt(drafts['model_calls'])}",
        f"draft latency p50, first vs last quarter of the sends: {fmt(drafts['db_ms_p50_first_quarter'])} vs "
        f"{fmt(drafts['db_ms_p50_last_quarter'])} ms; CPU ms per message: "
        + ", ".join(f"{k} {fmt(v, 2)}" for k, v in drafts["cpu_ms_per_message"].items()),
        "error lines in process logs: " + ", ".join(f"{k} {v}" for k, v in data["log_errors"].items()),
    ]
    return "\n\n".join([first, second, "\n".join(notes)])


def _load_cells(label: str, s: dict[str, Any]) -> list[str]:
    figures = (s["requests"], s["wall_s"], s["rps"], s["p50_ms"], s["p99_ms"], s["non_200"])
    return [label, *(fmt(value) for value in figures), fmt(s["server_cpu_ms_per_request"], 2)]


def _spread_cells(spread: dict[str, float | None]) -> list[str]:
    return [fmt(spread["p50"]), fmt(spread["p99"]), fmt(spread["max"])]


def parse_args(argv: list[str] | None = None) -> Options:
    description = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_ingest", description=description)
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per target")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per target")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=20.0, help="cap on each load measurement")
    parser.add_argument("--drafts", type=int, default=200, help="webhooks in the draft-latency part")
    parser.add_argument("--draft-rate", type=float, default=20.0, help="webhooks per second there")
    parser.add_argument("--draft-timeout", type=float, default=30.0, help="wait after the last send (s)")
    parser.add_argument("--offline", action="store_true", help="the embedded offline model provider")
    parser.add_argument("--keep-db", action="store_true", help=f"do not drop {BENCH_DB} first")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    return Options(
        requests=args.requests,
        warmup=args.warmup,
        concurrency=args.concurrency,
        max_seconds=args.max_seconds,
        drafts=args.drafts,
        draft_rate=args.draft_rate,
        draft_timeout_s=args.draft_timeout,
        offline=args.offline,
        keep_db=args.keep_db,
        redis_url=args.redis_url,
        as_json=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    return run_cli(lambda: run(opts), opts.as_json, render, note)


if __name__ == "__main__":
    sys.exit(main())
