"""The websocket clients, all subscribed to the one lead: opened in batches, read in the background, closed
for sure."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect

from bench.realtime_fanout.lead import LEAD_EVENT, Account

WAIT_POLL_S = 0.05
LEAD_MARK = f'"type":"{LEAD_EVENT}"'


@dataclass(eq=False)
class Client:
    ws: ClientConnection
    ack_id: int
    # Every frame as it came, with its receive time; parsed after the round (parse()), so that the client's
    # own decoding work does not delay the frames it has yet to read.
    frames: list[tuple[float, str | bytes]] = field(default_factory=list)
    lead_frames: int = 0  # how many of them mention a lead.updated event: what wait_delivered counts
    # (receive time, event id, event at as epoch seconds, frame length) of every lead.updated event
    events: list[tuple[float, int, float, int]] = field(default_factory=list)
    other: int = 0  # presence.changed and anything else
    errors: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                self.frames.append((time.time(), raw))  # first thing: when it reached the benchmark's code
                if isinstance(raw, str) and LEAD_MARK in raw:
                    self.lead_frames += 1

    def parse(self) -> None:
        """Sort the frames received so far into events, error codes and others."""
        frames, self.frames = self.frames, []
        for received, raw in frames:
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


async def wait_delivered(clients: list[Client], per_client: int, deadline_s: float) -> None:
    """Until every socket has `per_client` events, or deadline_s passed."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if all(c.lead_frames >= per_client for c in clients):
            break
        await asyncio.sleep(WAIT_POLL_S)
    for client in clients:
        client.parse()
