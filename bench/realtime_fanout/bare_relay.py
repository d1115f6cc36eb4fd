"""The floor the hub is measured against: the simplest realistic Redis → websocket relay.

One uvicorn process (the Procfile web line's flags), one Redis subscription, and for each published frame a
plain loop `for send in sockets: await send(frame)` over the raw ASGI send callables: no event log, no
per-subscription filtering, no queues, no framework. It answers the benchmark clients' `subscribe` with the
`subscribed` acknowledgement they wait for, so the same clients measure both.

    uvicorn bench.realtime_fanout.bare_relay:app   (REDIS_URL, BARE_RELAY_CHANNEL from the environment)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

CHANNEL_ENV = "BARE_RELAY_CHANNEL"
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_sockets: set[Send] = set()
_tasks: set[asyncio.Task[None]] = set()
_SUBSCRIBED = '{"type":"subscribed","lead_id":null,"last_event_id":0}'


async def _relay() -> None:
    client = aioredis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    async with client.pubsub() as pubsub:
        await pubsub.subscribe(os.environ[CHANNEL_ENV])
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            frame = {"type": "websocket.send", "text": message["data"].decode()}
            for send in list(_sockets):
                try:
                    await send(frame)
                except Exception:
                    _sockets.discard(send)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            task = asyncio.create_task(_relay())
            _tasks.add(task)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for task in _tasks:
                task.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _websocket(receive: Receive, send: Send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if '"subscribe"' in (message.get("text") or ""):
                await send({"type": "websocket.send", "text": _SUBSCRIBED})
                _sockets.add(send)
    finally:
        _sockets.discard(send)


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "websocket":
        with contextlib.suppress(Exception):
            await _websocket(receive, send)
    else:  # any HTTP request: "ok", so the benchmark can wait for the process to listen
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})
