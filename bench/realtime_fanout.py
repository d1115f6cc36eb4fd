"""Real-time fan-out benchmark: N websockets on one lead, commit → event received latency, one web process.

    .venv/bin/python -m bench.realtime_fanout            # table
    .venv/bin/python -m bench.realtime_fanout --json     # the same figures as JSON
    .venv/bin/python -m bench.realtime_fanout --sockets 1,100 --commits 20

It starts the Procfile's web line once (LOG_LEVEL=WARNING, the database setterdesk_bench migrated but not
dropped, a Dramatiq namespace of its own), signs up a workspace and creates a lead. Then, for each N, it opens
N websockets from this process, all subscribed to that lead, makes K commits that each emit one event for it
(PATCH /api/leads/{id} at a steady pace, one after the other) and checks that every socket got exactly those
K events, in order. Latency is the client's receive time minus the event's own `at` (stamped by the web
process inside the transaction, just before the INSERT, so a little before the commit: an upper bound of
commit → received, never an underestimate; one machine, one clock). The client shares the machine's cores
with the server, PostgreSQL and Redis, so its own receive work is part of the figures too.

It also counts the Redis connections the web process holds (its TCP sockets to Redis matched against CLIENT
LIST), and how many of them are subscriptions. Everything it started is stopped however the run ends;
the web log goes to bench/logs/realtime-web.log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect

from bench.database import BENCH_DB, database_url, prepare
from bench.environment import LOG_DIR, bench_env
from bench.report import fmt, percentile, run_cli, table
from tests.processes import Process, Processes, free_port, wait_http

DATABASE_URL = database_url()
LEAD_EVENT = "lead.updated"
TARGET_P99_MS = 50.0
TARGET_AT_SOCKETS = 1000
FD_HEADROOM = 512
WAIT_POLL_S = 0.05
LOG_NAME = "realtime-web"  # bench/logs/realtime-web.log


@dataclass(frozen=True)
class Options:
    sockets: tuple[int, ...]
    commits: tuple[int, ...]
    rate: float
    connect_batch: int
    settle_s: float
    warmup: int
    compression: bool
    redis_url: str
    as_json: bool


def note(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


# --- setup ----------------------------------------------------------------------------------------------


def raise_fd_limit(sockets: int) -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to what N sockets need (here and in the web process, which inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = sockets + FD_HEADROOM
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise RuntimeError(f"RLIMIT_NOFILE hard limit {hard} < {needed} needed for {sockets} sockets")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def web_env(opts: Options, port: int, namespace: str) -> dict[str, str]:
    return bench_env(
        database_url=DATABASE_URL,
        redis_url=opts.redis_url,
        namespace=namespace,
        unset=("OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_PROVIDER"),  # no model calls from this run
        PORT=str(port),
    )


async def flush_namespace(redis_url: str, namespace: str) -> None:
    redis = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@dataclass(frozen=True)
class Account:
    base: str
    token: str
    workspace_id: str
    lead_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_account(base: str) -> Account:
    body = {
        "workspace_name": "Bench realtime",
        "name": "Bench Owner",
        "email": f"bench-rt-{uuid.uuid4().hex[:12]}@example.com",
        "password": "bench password 1234",
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/signup", json=body) as response:
            payload = await response.json()
            if response.status != 201:
                raise RuntimeError(f"POST /api/signup answered {response.status}: {payload}")
        token = payload["data"]["token"]
        workspace_id = payload["data"]["workspace"]["id"]
        lead = {"first_name": "Fan", "last_name": "Out", "company": "Bench Co"}
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(f"{base}/api/leads", json=lead, headers=headers) as response:
            payload = await response.json()
            if response.status != 201:
                raise RuntimeError(f"POST /api/leads answered {response.status}: {payload}")
    return Account(base, token, workspace_id, payload["data"]["id"])


# --- Redis connections of the web process ---------------------------------------------------------------


def tcp_local_ports(pid: int, remote_port: int) -> set[int]:
    """Local ports of `pid`'s TCP connections to `remote_port` (from /proc: its socket fds, net tables)."""
    inodes: set[str] = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        with contextlib.suppress(OSError):
            link = os.readlink(f"{fd_dir}/{fd}")
            if link.startswith("socket:["):
                inodes.add(link[len("socket:[") : -1])
    ports: set[int] = set()
    for name in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/net/{name}") as table_file:
            for line in table_file.readlines()[1:]:
                cells = line.split()
                local, remote, inode = cells[1], cells[2], cells[9]
                if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == remote_port:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


async def web_redis_clients(redis: aioredis.Redis, pid: int, redis_port: int) -> dict[str, Any]:
    """The web process's entries in CLIENT LIST: how many, how many subscribed, their last commands."""
    ports = tcp_local_ports(pid, redis_port)
    mine = [c for c in await redis.client_list() if int(str(c["addr"]).rsplit(":", 1)[1]) in ports]
    subscribed = [c for c in mine if int(c.get("sub", 0)) + int(c.get("psub", 0)) + int(c.get("ssub", 0)) > 0]
    commands: dict[str, int] = {}
    for c in mine:
        commands[str(c.get("cmd"))] = commands.get(str(c.get("cmd")), 0) + 1
    return {
        "total": len(mine),
        "subscriptions": len(subscribed),
        "patterns_per_subscription": [int(c.get("psub", 0)) for c in subscribed],
        "last_commands": dict(sorted(commands.items())),
    }


# --- the sockets ----------------------------------------------------------------------------------------


@dataclass(eq=False)
class Client:
    ws: ClientConnection
    ack_id: int
    # (receive time, event id, event at as epoch seconds, frame length) of every lead.updated event
    events: list[tuple[float, int, float, int]] = field(default_factory=list)
    other: int = 0  # presence.changed and anything else
    errors: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                received = time.time()  # first thing: the moment this frame reached the benchmark's code
                message = msgspec.json.decode(raw)
                if message.get("type") == "event" and message["event"]["type"] == LEAD_EVENT:
                    event = message["event"]
                    at = datetime.fromisoformat(event["at"]).timestamp()
                    self.events.append((received, event["id"], at, len(raw)))
                elif message.get("type") == "error":
                    self.errors.append(str(message.get("code")))
                else:
                    self.other += 1


async def open_client(url: str, lead_id: str, compression: bool) -> Client:
    ws = await connect(
        url, compression="deflate" if compression else None, open_timeout=30, close_timeout=5, max_queue=None
    )
    try:
        subscribe = {"type": "subscribe", "lead_id": lead_id, "last_event_id": None}
        await ws.send(json.dumps(subscribe))  # a text frame: the server reads text
        async with asyncio.timeout(30):
            while True:
                message = msgspec.json.decode(await ws.recv())
                if message.get("type") == "subscribed":
                    client = Client(ws, int(message["last_event_id"]))
                    break
                if message.get("type") == "error":
                    raise RuntimeError(f"subscribe answered {message}")
    except BaseException:
        ws.transport.abort()
        raise
    client.reader = asyncio.create_task(client.read())
    return client


async def open_clients(
    account: Account, count: int, batch: int, compression: bool, clients: list[Client]
) -> list[str]:
    """Open `count` subscribed sockets, `batch` handshakes at a time, into `clients`; failures' reasons."""
    url = f"ws://{urlsplit(account.base).netloc}/ws?token={account.token}"
    failures: list[str] = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        results = await asyncio.gather(
            *(open_client(url, account.lead_id, compression) for _ in range(size)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Client):
                clients.append(result)
            elif isinstance(result, BaseException):
                failures.append(f"{type(result).__name__}: {result}"[:200])
    return failures


async def close_clients(clients: list[Client], batch: int) -> None:
    """Close every socket (handshake, then abort whatever has not closed) and stop the readers."""
    for start in range(0, len(clients), batch):
        chunk = clients[start : start + batch]
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await asyncio.gather(*(c.ws.close() for c in chunk), return_exceptions=True)
    for client in clients:
        with contextlib.suppress(Exception):
            client.ws.transport.abort()
        if client.reader is not None:
            client.reader.cancel()
    readers = [c.reader for c in clients if c.reader is not None]
    if readers:
        await asyncio.wait(readers, timeout=10)
    clients.clear()


# --- one round: N sockets, K commits --------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    sent: float
    answered: float
    status: int | None


async def make_commits(account: Account, count: int, rate: float, label: str) -> list[Commit]:
    """`count` PATCHes one after the other, started on a fixed schedule of `rate` per second."""
    url = f"{account.base}/api/leads/{account.lead_id}"
    commits: list[Commit] = []
    async with aiohttp.ClientSession(
        headers=account.headers, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.time()
            status: int | None
            try:
                async with http.patch(url, json={"company": f"Bench Co {label} #{i}"}) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = None
            commits.append(Commit(sent, time.time(), status))
    return commits


async def lead_event_ids(conn: asyncpg.Connection, lead_id: str, after_id: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM events WHERE lead_id = $1 AND type = $2 AND id > $3 ORDER BY id",
        uuid.UUID(lead_id),
        LEAD_EVENT,
        after_id,
    )
    return [row["id"] for row in rows]


async def latest_lead_event(conn: asyncpg.Connection, lead_id: str) -> int:
    value = await conn.fetchval("SELECT max(id) FROM events WHERE lead_id = $1", uuid.UUID(lead_id))
    return int(value or 0)


async def wait_delivered(clients: list[Client], per_client: int, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if all(len(c.events) >= per_client for c in clients):
            return
        await asyncio.sleep(WAIT_POLL_S)


async def run_round(
    opts: Options,
    account: Account,
    web: Process,
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    sockets: int,
    commits: int,
    clients: list[Client],
) -> dict[str, Any]:
    redis_port = urlsplit(opts.redis_url).port or 6379
    note(f"N={sockets}: opening sockets, {opts.connect_batch} handshakes at a time")
    opened_at = time.monotonic()
    failures = await open_clients(account, sockets, opts.connect_batch, opts.compression, clients)
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


def analyse(clients: list[Client], expected: list[int], made: list[Commit]) -> dict[str, Any]:
    """Lost, duplicated, out-of-order and unexpected deliveries; latency of each first delivery."""
    expected_set = set(expected)
    sent_at = {event_id: commit.sent for event_id, commit in zip(expected, made, strict=False)}
    at_ms: list[float] = []
    sent_ms: list[float] = []
    first_last: dict[int, list[float]] = {}
    lost = duplicated = unexpected = out_of_order = complete = 0
    frame_bytes: list[int] = []
    for client in clients:
        ids = [event_id for _, event_id, _, _ in client.events]
        seen: set[int] = set()
        for received, event_id, at, size in client.events:
            if event_id in seen:
                continue
            seen.add(event_id)
            if event_id not in expected_set:
                continue
            at_ms.append((received - at) * 1000)
            if event_id in sent_at:
                sent_ms.append((received - sent_at[event_id]) * 1000)
            span = first_last.setdefault(event_id, [received, received])
            span[0], span[1] = min(span[0], received), max(span[1], received)
            frame_bytes.append(size)
        duplicated += len(ids) - len(seen)
        unexpected += len(seen - expected_set)
        lost += len(expected_set - seen)
        out_of_order += any(b <= a for a, b in itertools.pairwise(ids))
        complete += ids == expected
    spreads = [(last - first) * 1000 for first, last in first_last.values()]
    answer_ms = [(c.answered - c.sent) * 1000 for c in made]
    close_codes: dict[str, int] = {}
    for client in clients:
        if client.ws.close_code is not None:
            close_codes[str(client.ws.close_code)] = close_codes.get(str(client.ws.close_code), 0) + 1
    return {
        "events_in_log": len(expected),
        "commit_errors": sum(1 for c in made if c.status != 200),
        "deliveries_expected": len(expected) * len(clients),
        "delivered": len(at_ms),
        "lost": lost,
        "duplicated": duplicated,
        "unexpected": unexpected,
        "sockets_out_of_order": out_of_order,
        "sockets_exact": complete,
        "server_errors": sum(len(c.errors) for c in clients),
        "other_frames": sum(c.other for c in clients),
        "closed_by_server": close_codes,
        "frame_bytes": round(sum(frame_bytes) / len(frame_bytes)) if frame_bytes else None,
        "latency_ms": spread(at_ms),
        "sent_to_received_ms": spread(sent_ms),
        "fanout_spread_ms": spread(spreads),
        "patch_ms": spread(answer_ms),
    }


def spread(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": _round(percentile(values, 50)),
        "p99": _round(percentile(values, 99)),
        "max": _round(max(values) if values else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the run --------------------------------------------------------------------------------------------


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
        await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
        account = await create_account(base)
        redis_idle = await web_redis_clients(redis, web.pid, redis_port)
        if opts.warmup:
            note(f"warm-up: 1 socket, {opts.warmup} commits")
            if failures := await open_clients(account, 1, 1, opts.compression, clients):
                raise RuntimeError(f"warm-up socket: {failures[0]}")
            await make_commits(account, opts.warmup, opts.rate, "warm-up")
            await wait_delivered(clients, opts.warmup, opts.settle_s)
            await close_clients(clients, 1)
        rounds = []
        for sockets, commits in zip(opts.sockets, opts.commits, strict=True):
            rounds.append(await run_round(opts, account, web, conn, redis, sockets, commits, clients))
            await asyncio.sleep(1.0)  # the server's per-socket cleanup finishes before the next round
        return {
            "setup": {
                "cpus": os.cpu_count(),
                "web": web.command(),
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


def render(data: dict[str, Any]) -> str:
    setup, rounds = data["setup"], data["rounds"]
    rows = []
    for r in rounds:
        lat, sent, fan = r["latency_ms"], r["sent_to_received_ms"], r["fanout_spread_ms"]
        rows.append(
            [
                f"{r['sockets']:,} sockets",
                f"{r['opened']:,}",
                str(r["commits"]),
                f"{r['delivered']:,}/{r['deliveries_expected']:,}",
                str(r["lost"]),
                str(r["duplicated"]),
                fmt(lat["p50"]),
                fmt(lat["p99"]),
                fmt(lat["max"]),
                fmt(sent["p99"]),
                fmt(fan["p50"]),
                fmt(r["web_cpu_ms_per_commit"]),
                fmt(r["client_cpu_ms_per_commit"]),
                f"{r['redis_during']['total']} ({r['redis_during']['subscriptions']})",
            ]
        )
    first = table(
        f"Commit → websocket event, every socket on one lead: PATCH /api/leads/{{id}} at "
        f"{setup['rate_per_s']:g}/s, one web process, {setup['compression']}, {setup['cpus']} CPUs",
        [
            "",
            "open",
            "commits",
            "delivered",
            "lost",
            "dup",
            "p50 ms",
            "p99 ms",
            "max ms",
            "sent→recv p99",
            "fan-out spread p50",
            "web CPU ms/commit",
            "client CPU ms/commit",
            "Redis conns (subs)",
        ],
        rows,
    )
    notes = [
        f"web process: `{setup['web']}`",
        "latency: client receive time − the event's `at` (set in the web process just before the INSERT, "
        "so before the commit); sent→recv: PATCH sent → event received; fan-out spread: first → last "
        "socket to receive the same event",
        f"web process Redis connections when idle, before any socket: {data['redis_idle']['total']} "
        f"({data['redis_idle']['subscriptions']} subscribed)",
    ]
    for r in rounds:
        exact = f"{r['sockets_exact']}/{r['opened']} sockets got exactly the {r['events_in_log']} events"
        notes.append(
            f"N={r['sockets']}: {exact}; out of order {r['sockets_out_of_order']}, unexpected "
            f"{r['unexpected']}, error frames {r['server_errors']}, other frames {r['other_frames']}, closed "
            f"by server {r['closed_by_server'] or 0}; connect {r['connect_s']:g}s, failures "
            f"{r['connect_failures']} {r['connect_failure_examples'] or ''}; PATCH p50/p99 "
            f"{fmt(r['patch_ms']['p50'])}/{fmt(r['patch_ms']['p99'])} ms, non-200 {r['commit_errors']}; "
            f"frame {fmt(r['frame_bytes'])} B; "
            f"load avg {r['loadavg_1m_before']}; Redis after connect {r['redis_after_connect']['total']} "
            f"({r['redis_after_connect']['subscriptions']} subs), last commands "
            f"{r['redis_during']['last_commands']}"
        )
    at_target = [r for r in rounds if r["sockets"] == TARGET_AT_SOCKETS]
    if at_target:
        p99 = at_target[0]["latency_ms"]["p99"]
        lost = at_target[0]["lost"] + at_target[0]["duplicated"] + at_target[0]["unexpected"]
        ok = p99 is not None and p99 < TARGET_P99_MS and lost == 0
        notes.append(
            f"target p99 < {TARGET_P99_MS:g} ms at {TARGET_AT_SOCKETS:,} sockets, none lost or duplicated: "
            f"{'met' if ok else 'NOT met'} (p99 {fmt(p99)} ms)"
        )
    subscriptions = {r["redis_during"]["subscriptions"] for r in rounds} | {
        data["redis_idle"]["subscriptions"]
    }
    notes.append(
        "target one Redis subscription per web process whatever N: "
        f"{'met' if subscriptions == {1} else 'NOT met'} (seen {sorted(subscriptions)})"
    )
    notes.append(f"web log ({LOG_NAME}.log): {data['log_lines']} lines, {data['log_errors']} at error level")
    return "\n\n".join([first, "\n".join(notes)])


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse_args(argv: list[str] | None = None) -> Options:
    description = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.realtime_fanout", description=description)
    parser.add_argument("--sockets", default="1,100,1000", help="socket counts, comma-separated")
    parser.add_argument(
        "--commits", default="50,50,30", help="commits per socket count (one value: the same for all)"
    )
    parser.add_argument("--rate", type=float, default=5.0, help="commits per second")
    parser.add_argument("--connect-batch", type=int, default=100, help="websocket handshakes at a time")
    parser.add_argument("--settle", type=float, default=15.0, help="wait after the last commit (s)")
    parser.add_argument("--warmup", type=int, default=5, help="commits with one socket first, not reported")
    parser.add_argument("--no-compression", action="store_true", help="do not offer permessage-deflate")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    sockets, commits = _ints(args.sockets), _ints(args.commits)
    if len(commits) == 1:
        commits = commits * len(sockets)
    if not sockets or len(commits) != len(sockets) or min(sockets + commits) < 1:
        parser.error("--sockets and --commits: positive counts, one commit count per socket count (or one)")
    if args.rate <= 0 or args.connect_batch < 1:
        parser.error("--rate and --connect-batch must be positive")
    return Options(
        sockets=sockets,
        commits=commits,
        rate=args.rate,
        connect_batch=args.connect_batch,
        settle_s=args.settle,
        warmup=args.warmup,
        compression=not args.no_compression,
        redis_url=args.redis_url,
        as_json=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    return run_cli(lambda: run(opts), opts.as_json, render, note)


if __name__ == "__main__":
    sys.exit(main())
