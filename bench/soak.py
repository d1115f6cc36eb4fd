"""Soak: websockets on two web processes, paced webhooks, two workers and the fake model, for minutes.

    .venv/bin/python -m bench.soak                      # 1,000 sockets, 50 webhooks/s, 120 s; table
    .venv/bin/python -m bench.soak --json               # the same figures as JSON
    .venv/bin/python -m bench.soak --sockets 200 --rate 10 --duration 60

It recreates and migrates the database setterdesk_bench, gives the run a Dramatiq namespace of its own
(deleted at the end) and starts the Procfile's lines: two `web` processes, two `worker` processes (the fake
OpenAI server of bench/fake_openai.py answering at once, on this process's loop) and one `scheduler`. It signs
up one workspace and sends a few webhooks first: they create the "hot" leads and prove the workers draft.

Then it opens the sockets, half on each web process: by default half of them subscribed to the inbox
(`subscribe_inbox`, last_event_id null) and half to one of the hot leads each. A socket the server closes
(1013 when it cannot keep up, 1001 on shutdown) reconnects and resumes from the last id it received, as the
browser app does; reconnections are counted. Webhooks go out at --rate per second on a fixed schedule (open
loop, whatever the answers take), alternating between the two web processes: EmailBison replies and
GoHighLevel SMS (one in four), from new leads and from existing ones (hot leads among them). A warm-up of
--warmup seconds at the same rate comes first; memory "at start" is read after it, "at end" when the
--duration of measured sends is over.

Checked and reported:
- webhook latency p50/p99 of the measured sends (client: request sent → answer), and every non-200 answer;
- fan-out latency: the client's receive time − the event's `at` (stamped in the web process or worker inside
  the transaction, just before the INSERT, so an upper bound of commit → received), every first delivery;
- RSS of each process (with what it forked: Dramatiq's worker processes) after warm-up and at the end, growth;
- lost, duplicated, out-of-order events per socket: an inbox socket must receive every event id of the
  workspace after its subscribe ack, a lead socket every event id of its lead, each exactly once, in
  increasing order, compared with the events table once everything has settled.

The client shares the machine's cores with everything it measures, so its own event-loop lag and the lag of
the sends behind their schedule are reported too, and the run is flagged "saturated" when the machine could
not drive the configuration. Everything it started is stopped however the run ends (Ctrl-C too); process
logs go to bench/logs/soak-*.log.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import bisect
import contextlib
import itertools
import json
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import asyncpg
import msgspec
import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.database import BENCH_DB, database_url, prepare
from bench.fake_openai import FakeOpenAI
from bench.load import Answer, Shot, client, post
from bench.payloads import INTERESTED_REPLIES, REPLIES, Webhook, emailbison_reply, ghl_sms
from bench.procs import Process, Processes, free_port, procfile_command, wait_http
from bench.realtime_fanout import flush_namespace, raise_fd_limit
from bench.report import fmt, percentile, table

DATABASE_URL = database_url()
TEXTS = REPLIES + INTERESTED_REPLIES
SMS_EVERY = 4  # one webhook in four is a GoHighLevel SMS, the others EmailBison replies
HOT_LEADS = 20  # leads created before the sockets open; the lead sockets subscribe to them
MAX_GROWTH_PCT = 10.0
MEMORY_SAMPLE_S = 5.0
LAG_TICK_S = 0.1
RECONNECT_LIMIT = 50  # per socket: a socket closed more often than this gives up (and counts its losses)
SEND_CONNECTIONS = 200  # HTTP connections the webhook sender may hold open
STABLE_S = 3.0  # settled: no new event for this long and every socket caught up


@dataclass(frozen=True)
class Options:
    duration_s: float
    rate: float
    sockets: int
    lead_share: float
    existing_share: float
    warmup_s: float
    settle_s: float
    connect_batch: int
    redis_url: str
    as_json: bool


def note(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


# --- processes -------------------------------------------------------------------------------------------


def base_env(opts: Options, namespace: str, openai_url: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("WORKER_PROCESSES", "WORKER_THREADS", "WS_SEND_QUEUE_MAX"):  # the Procfile's defaults
        env.pop(name, None)
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=opts.redis_url,
        DRAMATIQ_NAMESPACE=namespace,
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="bench-key",
        OPENAI_BASE_URL=openai_url,
        LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass(frozen=True)
class Web:
    base: str
    process: Process

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://", 1) + "/ws"


async def start_stack(procs: Processes, env: dict[str, str]) -> tuple[list[Web], dict[str, Process]]:
    """Two web processes, two workers and the scheduler, all from the Procfile; the roles by name."""
    webs: list[Web] = []
    for n in (1, 2):
        web_env = {**env, "PORT": str(free_port())}
        process = procs.start(f"soak-web-{n}", procfile_command("web", web_env), web_env)
        webs.append(Web(f"http://127.0.0.1:{web_env['PORT']}", process))
    roles = {f"web-{n}": web.process for n, web in enumerate(webs, 1)}
    for n in (1, 2):
        roles[f"worker-{n}"] = procs.start(f"soak-worker-{n}", procfile_command("worker", env), env)
    roles["scheduler"] = procs.start("soak-scheduler", procfile_command("scheduler", env), env)
    for web in webs:
        await wait_http(f"{web.base}/healthz", web.process)
    return webs, roles


def rss_bytes(process: Process) -> int | None:
    """Resident memory of the process and everything it forked (Dramatiq's worker processes)."""
    if process.popen is None or not process.running:
        return None
    try:
        root = psutil.Process(process.popen.pid)
        total = root.memory_info().rss
        for child in root.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return int(total)
    except psutil.Error:
        return None


def memory_sample(roles: dict[str, Process]) -> dict[str, int | None]:
    return {name: rss_bytes(process) for name, process in roles.items()}


# --- the workspace and the webhooks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    workspace_id: str
    secret: str
    token: str


async def signup(base: str) -> Account:
    body = {
        "workspace_name": "Bench soak",
        "name": "Bench Owner",
        "email": f"bench-soak-{uuid.uuid4().hex[:12]}@example.com",
        "password": "bench password 1234",
    }
    async with aiohttp.ClientSession() as http, http.post(f"{base}/api/signup", json=body) as response:
        payload = await response.json()
        if response.status != 201:
            raise RuntimeError(f"POST /api/signup answered {response.status}: {payload}")
    data = payload["data"]
    return Account(data["workspace"]["id"], data["workspace"]["webhook_secret"], data["token"])


class Webhooks:
    """Webhook i: every SMS_EVERY-th an SMS, the rest emails; from a new lead, or (existing_share of them,
    once there are some) from a lead an earlier webhook created, a hot lead half of the time."""

    def __init__(self, webs: list[Web], account: Account, existing_share: float) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.webs = webs
        self.account = account
        self.existing_share = existing_share
        self.new_leads: dict[str, list[int]] = {"email": [], "sms": []}
        self.hot: dict[str, list[int]] = {"email": [], "sms": []}
        self.existing = 0
        self.headers = {"Content-Type": "application/json", "X-Webhook-Secret": account.secret}

    def shot(self, i: int) -> Shot:
        rng = random.Random(i)
        channel = "sms" if i % SMS_EVERY == SMS_EVERY - 1 else "email"
        text = TEXTS[i % len(TEXTS)]
        earlier = self.new_leads[channel]
        if i >= HOT_LEADS and earlier and rng.random() < self.existing_share:
            pool = self.hot[channel] if self.hot[channel] and rng.random() < 0.5 else earlier
            lead_n = rng.choice(pool)
            self.existing += 1
        else:
            lead_n = i
            earlier.append(i)
            if i < HOT_LEADS:
                self.hot[channel].append(i)
        hook = self.body(channel, lead_n, i, text)
        web = self.webs[i % len(self.webs)]
        return Shot(
            f"{web.base}/api/webhooks/{hook.channel}?workspace={self.account.workspace_id}",
            hook.body,
            self.headers,
        )

    def body(self, channel: str, lead_n: int, i: int, text: str) -> Webhook:
        """The realistic body of lead `lead_n`, with a message id of webhook i's own."""
        hook = (
            ghl_sms(self.run, lead_n, text) if channel == "sms" else emailbison_reply(self.run, lead_n, text)
        )
        if lead_n == i:
            return hook
        body = json.loads(hook.body)
        if channel == "sms":
            body["messageId"] = f"{self.run}-sms-{i}"
        else:
            reply = body["data"]["reply"]
            reply.update(id=reply["id"] - lead_n + i, uuid=f"{self.run}-reply-{i}")
        return Webhook(channel, json.dumps(body).encode())


@dataclass
class Sends:
    planned: int
    latencies_ms: list[float] = field(default_factory=list)
    non_200: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    behind_ms: list[float] = field(default_factory=list)  # actual send − scheduled send
    lead_ids: dict[int, str] = field(default_factory=dict)  # webhook i → lead id (the answer's)
    wall_s: float = 0.0

    def record(self, i: int, answer: Answer) -> None:
        if answer.status is None:
            self.non_200[answer.error or "error"] += 1
            return
        self.latencies_ms.append(answer.latency_ms)
        if answer.status != 200:
            self.non_200[f"HTTP {answer.status}"] += 1
            return
        data = answer.data()
        self.outcomes[str(data.get("status"))] += 1
        if isinstance(data.get("lead_id"), str):
            self.lead_ids[i] = str(data["lead_id"])

    def summary(self) -> dict[str, Any]:
        answered = len(self.latencies_ms)
        return {
            "planned": self.planned,
            "answered": answered,
            "achieved_rate_per_s": round(answered / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": _round(percentile(self.latencies_ms, 50)),
            "p99_ms": _round(percentile(self.latencies_ms, 99)),
            "max_ms": _round(max(self.latencies_ms) if self.latencies_ms else None),
            "non_200": sum(self.non_200.values()),
            "non_200_kinds": dict(self.non_200),
            "outcomes": dict(self.outcomes),
            "send_behind_schedule_ms": spread(self.behind_ms),
        }


async def send_paced(
    http: aiohttp.ClientSession, hooks: Webhooks, numbers: range, rate: float, deadline_s: float
) -> Sends:
    """Webhook i at start + k/rate (its rank k) whatever the answers take (open loop), built when sent."""
    sends = Sends(planned=len(numbers))
    tasks: list[asyncio.Task[None]] = []

    async def one(i: int, shot: Shot) -> None:
        sends.record(i, await post(http, shot))

    start = time.perf_counter()
    for k, i in enumerate(numbers):
        scheduled = start + k / rate
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        sends.behind_ms.append((time.perf_counter() - scheduled) * 1000)
        tasks.append(asyncio.create_task(one(i, hooks.shot(i))))
    if tasks:  # each request has its own 30 s timeout; this bounds the wait as a whole
        _done, pending = await asyncio.wait(tasks, timeout=deadline_s)
        for task in pending:
            task.cancel()
            sends.non_200["unanswered"] += 1
    sends.wall_s = time.perf_counter() - start
    return sends


# --- the sockets -----------------------------------------------------------------------------------------


class EventBody(msgspec.Struct):
    id: int | None = None
    type: str = ""
    at: str | None = None


class Frame(msgspec.Struct):
    type: str = ""
    event: EventBody | None = None
    last_event_id: int | None = None
    code: str | None = None


FRAME = msgspec.json.Decoder(Frame)
AT_CACHE: dict[int, float] = {}  # event id → its `at` as epoch seconds, parsed once for every socket


@dataclass(eq=False)
class Socket:
    url: str
    lead_id: str | None  # None: the inbox
    baseline: int | None = None  # last_event_id of the first ack: what must arrive is everything after it
    ids: array.array[int] = field(default_factory=lambda: array.array("q"))
    latencies_ms: array.array[float] = field(default_factory=lambda: array.array("f"))
    last_id: int = 0
    closes: Counter[str] = field(default_factory=Counter)  # close codes the server sent, by reconnection
    errors: Counter[str] = field(default_factory=Counter)  # error frames (resync_required, ...)
    other_frames: int = 0
    gave_up: str | None = None
    ws: ClientConnection | None = None
    task: asyncio.Task[None] | None = None
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def live(self) -> bool:
        return self.gave_up is None and self.task is not None and not self.task.done()

    def subscribe_frame(self) -> str:
        resume = None if self.baseline is None else max(self.last_id, self.baseline)
        if self.lead_id is None:
            return json.dumps({"type": "subscribe_inbox", "last_event_id": resume})
        return json.dumps({"type": "subscribe", "lead_id": self.lead_id, "last_event_id": resume})

    async def run(self, stopping: asyncio.Event) -> None:
        """Connect, subscribe (resume after a reconnection), read; reconnect when the server closes."""
        for attempt in range(RECONNECT_LIMIT + 1):
            if stopping.is_set():
                return
            if attempt:
                await asyncio.sleep(0.2 + random.random())  # jitter: not every closed socket at once
            try:
                async with connect(
                    self.url, compression=None, open_timeout=30, close_timeout=5, max_queue=None
                ) as ws:
                    self.ws = ws
                    await ws.send(self.subscribe_frame())
                    await self.read(ws)
            except ConnectionClosed as closed:
                if stopping.is_set():
                    return
                self.closes[str(closed.rcvd.code if closed.rcvd else "no close frame")] += 1
            except Exception as exc:  # refused handshake, reset, timeout: try again, counted
                self.closes[type(exc).__name__] += 1
            finally:
                self.ws = None
            if self.gave_up is not None:
                return
        self.gave_up = f"closed more than {RECONNECT_LIMIT} times"

    async def read(self, ws: ClientConnection) -> None:
        while True:
            raw = await ws.recv(decode=False)
            received = time.time()  # first thing: the moment this frame reached the benchmark's code
            frame = FRAME.decode(raw)
            event = frame.event
            if frame.type == "event" and event is not None and event.id is not None:
                event_id = event.id
                if event_id > self.last_id:  # a first delivery (anything else is found in `ids` later)
                    at = AT_CACHE.get(event_id)
                    if at is None and event.at is not None:
                        at = AT_CACHE[event_id] = datetime.fromisoformat(event.at).timestamp()
                    if at is not None:
                        self.latencies_ms.append((received - at) * 1000)
                    self.last_id = event_id
                self.ids.append(event_id)
            elif frame.type == "subscribed":
                if self.baseline is None:
                    self.baseline = self.last_id = frame.last_event_id or 0
                self.subscribed.set()
            elif frame.type == "error":
                self.errors[str(frame.code)] += 1
                if frame.code == "resync_required":
                    self.gave_up = "resync_required"
                    await ws.close()
                    return
            else:
                self.other_frames += 1  # presence, pong


async def open_sockets(
    webs: list[Web], account: Account, hot_lead_ids: list[str], opts: Options, stopping: asyncio.Event
) -> tuple[list[Socket], float]:
    """opts.sockets sockets, alternating between the web processes, each waiting for its subscribe ack."""
    lead_sockets = round(opts.sockets * opts.lead_share)
    sockets: list[Socket] = []
    started = time.monotonic()
    for n in range(opts.sockets):
        web = webs[n % len(webs)]
        lead_id = hot_lead_ids[n % len(hot_lead_ids)] if n < lead_sockets and hot_lead_ids else None
        sockets.append(Socket(f"{web.ws_url}?token={account.token}", lead_id))
    for first in range(0, len(sockets), opts.connect_batch):
        batch = sockets[first : first + opts.connect_batch]
        for sock in batch:
            sock.task = asyncio.create_task(sock.run(stopping))
        waits = [asyncio.create_task(sock.subscribed.wait()) for sock in batch]
        _done, pending = await asyncio.wait(waits, timeout=30)
        for wait in pending:
            wait.cancel()
    return sockets, time.monotonic() - started


async def close_sockets(sockets: list[Socket], stopping: asyncio.Event) -> None:
    stopping.set()
    for first in range(0, len(sockets), 200):
        chunk = [s.ws for s in sockets[first : first + 200] if s.ws is not None]
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await asyncio.gather(*(ws.close() for ws in chunk), return_exceptions=True)
    tasks = [s.task for s in sockets if s.task is not None and not s.task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=10)


# --- watching ---------------------------------------------------------------------------------------------


class LoopLag:
    """How late this process's event loop wakes a 100 ms sleep: the client's own saturation."""

    def __init__(self) -> None:
        self.lags_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(LAG_TICK_S)
            self.lags_ms.append((time.perf_counter() - before - LAG_TICK_S) * 1000)

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class Memory:
    """RSS of every role every MEMORY_SAMPLE_S, in a task of its own."""

    def __init__(self, roles: dict[str, Process]) -> None:
        self.roles = roles
        self.samples: list[tuple[float, dict[str, int | None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._t0 = time.monotonic()

    async def _sample(self) -> None:
        while True:
            self.take()
            await asyncio.sleep(MEMORY_SAMPLE_S)

    def take(self) -> dict[str, int | None]:
        sample = memory_sample(self.roles)
        self.samples.append((round(time.monotonic() - self._t0, 1), sample))
        return sample

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def peak(self, name: str) -> int | None:
        values = [s[name] for _, s in self.samples if s.get(name) is not None]
        return max(v for v in values if v is not None) if values else None


async def workspace_events(conn: asyncpg.Connection, workspace_id: str) -> list[tuple[int, str | None]]:
    rows = await conn.fetch(
        "SELECT id, lead_id::text AS lead_id FROM events WHERE workspace_id = $1::uuid ORDER BY id",
        workspace_id,
    )
    return [(row["id"], row["lead_id"]) for row in rows]


async def latest_event(conn: asyncpg.Connection, workspace_id: str) -> int:
    return int(
        await conn.fetchval("SELECT max(id) FROM events WHERE workspace_id = $1::uuid", workspace_id) or 0
    )


async def settle(conn: asyncpg.Connection, account: Account, sockets: list[Socket], settle_s: float) -> float:
    """Until no event has been added for STABLE_S and every live socket has the last one it should get
    (or settle_s passed): the workers' drafts are done and the fan-out caught up. Returns the seconds."""
    started = time.monotonic()
    last_max, last_change = -1, started
    lead_max: dict[str, int] = {}
    while time.monotonic() - started < settle_s:
        latest = await latest_event(conn, account.workspace_id)
        if latest != last_max:
            last_max, last_change = latest, time.monotonic()
            rows = await conn.fetch(
                "SELECT lead_id::text AS lead_id, max(id) AS id FROM events WHERE workspace_id = $1::uuid "
                "AND lead_id IS NOT NULL GROUP BY lead_id",
                account.workspace_id,
            )
            lead_max = {row["lead_id"]: row["id"] for row in rows}
        caught_up = all(
            s.last_id >= (last_max if s.lead_id is None else lead_max.get(s.lead_id, 0))
            for s in sockets
            if s.live and s.baseline is not None
        )
        if caught_up and time.monotonic() - last_change >= STABLE_S:
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - started


def check_deliveries(sockets: list[Socket], events: list[tuple[int, str | None]]) -> dict[str, Any]:
    """Each socket against the events table: lost, duplicated, out of order, unexpected; the latencies."""
    all_ids = [event_id for event_id, _ in events]
    by_lead: dict[str, list[int]] = {}
    for event_id, lead_id in events:
        if lead_id is not None:
            by_lead.setdefault(lead_id, []).append(event_id)
    last_in_table = all_ids[-1] if all_ids else 0
    totals: dict[str, dict[str, int]] = {}
    latencies: array.array[float] = array.array("f")
    for sock in sockets:
        kind = "inbox" if sock.lead_id is None else "lead"
        t = totals.setdefault(
            kind,
            {
                "sockets": 0,
                "subscribed": 0,
                "expected": 0,
                "delivered": 0,
                "lost": 0,
                "duplicated": 0,
                "out_of_order": 0,
                "unexpected": 0,
                "exact": 0,
                "reconnected": 0,
                "gave_up": 0,
            },
        )
        t["sockets"] += 1
        t["reconnected"] += sum(sock.closes.values()) > 0
        t["gave_up"] += sock.gave_up is not None
        latencies.extend(sock.latencies_ms)
        if sock.baseline is None:
            continue  # never subscribed: reported as not subscribed, nothing to compare
        t["subscribed"] += 1
        ids = [i for i in sock.ids if i <= last_in_table]  # later ones: after the table was read
        source = all_ids if sock.lead_id is None else by_lead.get(sock.lead_id, [])
        expected = source[bisect.bisect_right(source, sock.baseline) :]
        received, wanted = set(ids), set(expected)
        t["expected"] += len(expected)
        t["delivered"] += len(received & wanted)
        t["lost"] += len(wanted - received)
        t["duplicated"] += len(ids) - len(received)
        t["out_of_order"] += sum(1 for a, b in itertools.pairwise(ids) if b < a)
        t["unexpected"] += len(received - wanted)
        t["exact"] += ids == expected
    closes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for sock in sockets:
        closes.update(sock.closes)
        errors.update(sock.errors)
    return {
        "by_kind": totals,
        "fanout_ms": spread(list(latencies)),
        "deliveries": len(latencies),
        "close_codes": dict(closes),
        "error_frames": dict(errors),
        "other_frames": sum(s.other_frames for s in sockets),
        "events_in_table": len(all_ids),
    }


def spread(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": _round(percentile(values, 50)),
        "p99": _round(percentile(values, 99)),
        "max": _round(max(values) if values else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the run ---------------------------------------------------------------------------------------------


async def prewarm(
    http: aiohttp.ClientSession, conn: asyncpg.Connection, hooks: Webhooks, account: Account
) -> list[str]:
    """The hot leads' first webhooks, then wait for a draft: the workers and the fake model answer."""
    sends = await send_paced(http, hooks, range(HOT_LEADS), rate=10, deadline_s=60)
    if sends.non_200:
        raise RuntimeError(f"pre-warm webhooks: {dict(sends.non_200)}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        drafts = await conn.fetchval(
            "SELECT count(*) FROM events WHERE workspace_id = $1::uuid AND type = 'draft.created'",
            account.workspace_id,
        )
        if drafts:
            break
        await asyncio.sleep(0.5)
    else:
        raise RuntimeError("no draft within 60 s of the pre-warm webhooks; see bench/logs/soak-worker-*.log")
    return [sends.lead_ids[i] for i in sorted(sends.lead_ids)]


async def soak(
    opts: Options, procs: Processes, fake: FakeOpenAI, stopping: asyncio.Event, namespace: str
) -> dict[str, Any]:
    fd_limit = raise_fd_limit(opts.sockets)
    note(f"database {BENCH_DB}: recreated and migrated; Dramatiq namespace {namespace}")
    await prepare()
    openai_url = await fake.start(free_port())
    env = base_env(opts, namespace, openai_url)
    sockets: list[Socket] = []
    conn = await asyncpg.connect(DATABASE_URL)
    lag, memory = LoopLag(), None
    try:
        webs, roles = await start_stack(procs, env)
        memory = Memory(roles)
        account = await signup(webs[0].base)
        hooks = Webhooks(webs, account, opts.existing_share)
        async with client(SEND_CONNECTIONS) as http:
            note(f"pre-warm: {HOT_LEADS} webhooks (the hot leads), waiting for a first draft")
            hot_lead_ids = await prewarm(http, conn, hooks, account)
            note(f"opening {opts.sockets} sockets on 2 web processes, {opts.connect_batch} at a time")
            sockets, connect_s = await open_sockets(webs, account, hot_lead_ids, opts, stopping)
            lag.start()
            warm_count = round(opts.warmup_s * opts.rate)
            note(f"warm-up: {warm_count} webhooks at {opts.rate:g}/s")
            first = HOT_LEADS
            warm = await send_paced(http, hooks, range(first, first + warm_count), opts.rate, 60)
            memory_start = memory.take()
            memory.start()
            cpu_before = {name: p.cpu_seconds() for name, p in roles.items()}
            client_cpu_before, wall_before = time.process_time(), time.monotonic()
            psutil.cpu_percent()  # starts the machine-wide CPU measurement
            count = round(opts.duration_s * opts.rate)
            note(f"soak: {count} webhooks at {opts.rate:g}/s for {opts.duration_s:g}s")
            first += warm_count
            sends = await send_paced(http, hooks, range(first, first + count), opts.rate, 60)
            machine_cpu = psutil.cpu_percent()
            memory_end = memory.take()
            cpu_after = {name: p.cpu_seconds() for name, p in roles.items()}
            client_cpu = time.process_time() - client_cpu_before
            wall = time.monotonic() - wall_before
        note(f"settling (up to {opts.settle_s:g}s): workers finish, sockets catch up")
        settle_took = await settle(conn, account, sockets, opts.settle_s)
        memory.stop()
        memory_settled = memory.take()
        lag.stop()
        events = await workspace_events(conn, account.workspace_id)
        deliveries = check_deliveries(sockets, events)
        pipeline = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM messages WHERE workspace_id = $1::uuid) AS messages, "
            "(SELECT count(*) FROM leads WHERE workspace_id = $1::uuid) AS leads, "
            "(SELECT count(*) FROM drafts WHERE workspace_id = $1::uuid) AS drafts, "
            "(SELECT count(*) FROM draft_failures WHERE workspace_id = $1::uuid) AS draft_failures",
            account.workspace_id,
        )
        alive = {name: p.running for name, p in roles.items()}
        note("closing sockets")
        await close_sockets(sockets, stopping)
        cpu: dict[str, float] = {}
        for name, before in cpu_before.items():
            after = cpu_after[name]
            if before is not None and after is not None:
                cpu[name] = round((after - before) / wall * 100, 1)
        return {
            "setup": {
                "cpus": os.cpu_count(),
                "duration_s": opts.duration_s,
                "rate_per_s": opts.rate,
                "sockets": opts.sockets,
                "lead_sockets": round(opts.sockets * opts.lead_share),
                "hot_leads": len(hot_lead_ids),
                "existing_share": opts.existing_share,
                "warmup_s": opts.warmup_s,
                "web": procs.command("soak-web-1"),
                "worker": procs.command("soak-worker-1"),
                "scheduler": procs.command("soak-scheduler"),
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
            "deliveries": deliveries,
            "memory_mb": memory_table(memory, memory_start, memory_end, memory_settled),
            "memory_samples_mb": [
                {"t_s": t, **{k: _mb(v) for k, v in sample.items()}} for t, sample in memory.samples
            ],
            "cpu_percent_of_one_core": {**cpu, "client (this process)": round(client_cpu / wall * 100, 1)},
            "machine_cpu_percent": machine_cpu,
            "client_loop_lag_ms": spread(lag.lags_ms),
            "settle_s": round(settle_took, 1),
            "pipeline": dict(pipeline) if pipeline else {},
            "model_calls": fake.requests,
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


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


def memory_table(
    memory: Memory, start: dict[str, int | None], end: dict[str, int | None], settled: dict[str, int | None]
) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for name in start:
        s, e = start[name], end[name]
        growth = round((e - s) / s * 100, 1) if s and e is not None else None
        out[name] = {
            "start": _mb(s),
            "end": _mb(e),
            "growth_pct": growth,
            "peak": _mb(memory.peak(name)),
            "after_settle": _mb(settled[name]),
        }
    return out


def verdict(data: dict[str, Any]) -> dict[str, Any]:
    """The targets, and whether the machine could drive the configuration at all."""
    hooks, deliveries, setup = data["webhooks"], data["deliveries"], data["setup"]
    kinds = deliveries["by_kind"].values()
    lost = sum(k["lost"] for k in kinds)
    duplicated = sum(k["duplicated"] for k in kinds)
    growths = [m["growth_pct"] for m in data["memory_mb"].values()]
    saturated: list[str] = []
    achieved = hooks["achieved_rate_per_s"] or 0
    if achieved < 0.95 * setup["rate_per_s"]:
        saturated.append(f"webhooks answered at {achieved:g}/s of {setup['rate_per_s']:g}/s")
    behind = hooks["send_behind_schedule_ms"]["p99"]
    if behind is not None and behind > 250:
        saturated.append(f"sends p99 {behind:,.0f} ms behind schedule")
    loop_p99 = data["client_loop_lag_ms"]["p99"]
    if loop_p99 is not None and loop_p99 > 250:
        saturated.append(f"client event loop p99 {loop_p99:,.0f} ms late")
    if data["machine_cpu_percent"] >= 90:
        saturated.append(f"machine CPU {data['machine_cpu_percent']:g}%")
    too_slow = deliveries["close_codes"].get("1013", 0)
    if too_slow:
        saturated.append(f"{too_slow} socket closes 1013 (client too slow for the server)")
    if data["subscribed_at_start"] < setup["sockets"]:
        saturated.append(f"only {data['subscribed_at_start']}/{setup['sockets']} sockets subscribed")
    return {
        "webhook_non_200_zero": hooks["non_200"] == 0,
        "no_lost_or_duplicated": lost == 0 and duplicated == 0,
        "memory_growth_under_10pct": all(g is not None and g < MAX_GROWTH_PCT for g in growths),
        "saturated": saturated,
    }


async def run(opts: Options) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):  # cancel the run: its finally stops everything
        asyncio.get_running_loop().add_signal_handler(signum, task.cancel)
    procs = Processes()
    fake = FakeOpenAI()
    stopping = asyncio.Event()
    namespace = f"setterdesk-bench-soak-{uuid.uuid4().hex[:8]}"
    try:
        data = await soak(opts, procs, fake, stopping, namespace)
        data["verdict"] = verdict(data)
        return data
    finally:
        stopping.set()
        note("stopping processes")
        # In a thread: the fake OpenAI server lives on this loop and must answer the workers' last calls.
        await asyncio.to_thread(procs.stop_all)
        await fake.stop()
        with contextlib.suppress(Exception):
            await flush_namespace(opts.redis_url, namespace)


# --- output ------------------------------------------------------------------------------------------------


def render(data: dict[str, Any]) -> str:
    setup, hooks, deliveries = data["setup"], data["webhooks"], data["deliveries"]
    title = (
        f"Soak: {setup['sockets']:,} sockets ({setup['lead_sockets']:,} on {setup['hot_leads']} leads, "
        f"the rest on the inbox) on 2 web processes, {setup['rate_per_s']:g} webhooks/s "
        f"for {setup['duration_s']:g}s after {setup['warmup_s']:g}s warm-up, 2 workers, "
        f"{setup['model']}, {setup['cpus']} CPUs"
    )
    first = table(
        title,
        ["", "count", "rate/s", "p50 ms", "p99 ms", "max ms", "non-200"],
        [
            [
                "POST /api/webhooks (measured)",
                f"{hooks['answered']:,}/{hooks['planned']:,}",
                fmt(hooks["achieved_rate_per_s"]),
                fmt(hooks["p50_ms"]),
                fmt(hooks["p99_ms"]),
                fmt(hooks["max_ms"]),
                str(hooks["non_200"]),
            ],
            [
                "event fan-out (recv − at)",
                f"{deliveries['deliveries']:,}",
                "",
                fmt(deliveries["fanout_ms"]["p50"]),
                fmt(deliveries["fanout_ms"]["p99"]),
                fmt(deliveries["fanout_ms"]["max"]),
                "",
            ],
        ],
    )
    kinds = deliveries["by_kind"]
    second = table(
        f"Events per socket against the events table "
        f"({deliveries['events_in_table']:,} events in the workspace)",
        [
            "",
            "sockets",
            "subscribed",
            "expected",
            "delivered",
            "lost",
            "dup",
            "out of order",
            "unexpected",
            "exact",
            "reconnected",
            "gave up",
        ],
        [
            [
                kind,
                *(
                    f"{k[c]:,}"
                    for c in (
                        "sockets",
                        "subscribed",
                        "expected",
                        "delivered",
                        "lost",
                        "duplicated",
                        "out_of_order",
                        "unexpected",
                        "exact",
                        "reconnected",
                        "gave_up",
                    )
                ),
            ]
            for kind, k in sorted(kinds.items())
        ],
    )
    memory = data["memory_mb"]
    cpu = data["cpu_percent_of_one_core"]
    third = table(
        "Memory (RSS with forked children, MB) and CPU (% of one core during the measured sends)",
        ["", "start", "end", "growth %", "peak", "after settle", "CPU %"],
        [
            [
                name,
                fmt(m["start"]),
                fmt(m["end"]),
                fmt(m["growth_pct"]),
                fmt(m["peak"]),
                fmt(m["after_settle"]),
                fmt(cpu.get(name)),
            ]
            for name, m in memory.items()
        ]
        + [["client (this process)", "", "", "", "", "", fmt(cpu["client (this process)"])]],
    )
    v = data["verdict"]
    lag = data["client_loop_lag_ms"]
    notes = [
        f"web: `{setup['web']}`; worker: `{setup['worker']}` (×2); scheduler: `{setup['scheduler']}`",
        f"sockets: {data['subscribed_at_start']:,}/{setup['sockets']:,} subscribed after "
        f"{data['connect_s']:g}s; server close codes {deliveries['close_codes'] or 'none'}; "
        f"error frames {deliveries['error_frames'] or 'none'}; "
        f"other frames (presence) {deliveries['other_frames']:,}",
        f"webhooks: outcomes {hooks['outcomes']}; non-200 kinds {hooks['non_200_kinds'] or 'none'}; "
        f"existing-lead share {hooks['existing_lead_share']:g}; sends behind schedule p50/p99/max "
        f"{fmt(hooks['send_behind_schedule_ms']['p50'])}/{fmt(hooks['send_behind_schedule_ms']['p99'])}/"
        f"{fmt(hooks['send_behind_schedule_ms']['max'])} ms; "
        f"warm-up non-200 {data['warmup_webhooks']['non_200']}",
        f"pipeline: {data['pipeline']}; model calls {data['model_calls']:,}; "
        f"settled in {data['settle_s']:g}s",
        f"machine CPU during the sends {data['machine_cpu_percent']:g}%; client event-loop lag p50/p99/max "
        f"{fmt(lag['p50'])}/{fmt(lag['p99'])}/{fmt(lag['max'])} ms",
        f"processes alive at the end: {data['processes_alive_at_end']}; "
        f"error lines in logs: {data['log_errors']}",
        f"targets: webhook non-200 = 0: {_yes(v['webhook_non_200_zero'])}; 0 lost or duplicated: "
        f"{_yes(v['no_lost_or_duplicated'])}; every process's memory growth < {MAX_GROWTH_PCT:g}%: "
        f"{_yes(v['memory_growth_under_10pct'])}",
        "SATURATED (this machine could not drive the configuration): " + "; ".join(v["saturated"])
        if v["saturated"]
        else "not saturated: sends on schedule, client loop on time, no socket closed for being too slow",
    ]
    return "\n\n".join([first, second, third, "\n".join(notes)])


def _yes(ok: bool) -> str:
    return "met" if ok else "NOT met"


def parse_args(argv: list[str] | None = None) -> Options:
    description = (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=description)
    parser.add_argument("--duration", type=float, default=120.0, help="measured seconds of webhooks")
    parser.add_argument("--rate", type=float, default=50.0, help="webhooks per second")
    parser.add_argument(
        "--sockets", type=int, default=1000, help="websocket clients, split over 2 web processes"
    )
    parser.add_argument(
        "--lead-share", type=float, default=0.5, help="share of sockets on a lead, not the inbox"
    )
    parser.add_argument(
        "--existing-share", type=float, default=0.3, help="share of webhooks from existing leads"
    )
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of webhooks before measuring")
    parser.add_argument("--settle", type=float, default=60.0, help="cap on the wait after the last send (s)")
    parser.add_argument("--connect-batch", type=int, default=100, help="websocket handshakes at a time")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the tables")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.rate <= 0 or args.sockets < 1 or args.connect_batch < 1:
        parser.error("--duration, --rate, --sockets and --connect-batch must be positive")
    if not 0 <= args.lead_share <= 1 or not 0 <= args.existing_share <= 1:
        parser.error("--lead-share and --existing-share are between 0 and 1")
    if args.duration > 3600 or args.warmup > 600 or args.settle > 600:
        parser.error("bounded: --duration ≤ 3600 s, --warmup and --settle ≤ 600 s")
    return Options(
        duration_s=args.duration,
        rate=args.rate,
        sockets=args.sockets,
        lead_share=args.lead_share,
        existing_share=args.existing_share,
        warmup_s=args.warmup,
        settle_s=args.settle,
        connect_batch=args.connect_batch,
        redis_url=args.redis_url,
        as_json=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    try:
        data = asyncio.run(run(opts))
    except (KeyboardInterrupt, asyncio.CancelledError):
        note("interrupted; every socket was closed and every process stopped")
        return 130
    print(json.dumps(data, indent=2) if opts.as_json else render(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
