"""The websocket clients: the teams of every workspace, each socket on its inbox or one of its hot leads."""

from __future__ import annotations

import array
import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.soak.options import Options
from bench.soak.stack import Web, web_for
from bench.soak.traffic import Account

RECONNECT_LIMIT = 50  # per socket: a socket closed more often than this gives up (and counts its losses)


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
    workspace_id: str
    lead_id: str | None  # None: the workspace's inbox
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


def plan_sockets(
    webs: list[Web], accounts: list[Account], hot_lead_ids: list[list[str]], opts: Options
) -> list[Socket]:
    """Socket n is the (n // N)-th of workspace n % N's team: the first lead_share of a team on the
    workspace's hot leads (round robin), the rest on its inbox; consecutive sockets and teammates alternate
    between the web processes."""
    sockets: list[Socket] = []
    for n in range(opts.sockets):
        workspace, rank = n % opts.workspaces, n // opts.workspaces
        account, hot = accounts[workspace], hot_lead_ids[workspace]
        on_lead = rank < round(opts.team(workspace) * opts.lead_share) and hot
        lead_id = hot[rank % len(hot)] if on_lead else None
        url = f"{web_for(webs, n, opts.workspaces).ws_url}?token={account.token}"
        sockets.append(Socket(url, account.workspace_id, lead_id))
    return sockets


async def open_sockets(sockets: list[Socket], connect_batch: int, stopping: asyncio.Event) -> float:
    """Start the sockets connect_batch at a time, each batch waiting for its subscribe acks; the seconds."""
    started = time.monotonic()
    for first in range(0, len(sockets), connect_batch):
        batch = sockets[first : first + connect_batch]
        for sock in batch:
            sock.task = asyncio.create_task(sock.run(stopping))
        waits = [asyncio.create_task(sock.subscribed.wait()) for sock in batch]
        _done, pending = await asyncio.wait(waits, timeout=30)
        for wait in pending:
            wait.cancel()
    return time.monotonic() - started


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
