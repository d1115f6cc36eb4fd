"""Poke the web processes on Redis after a commit, one channel per workspace; they read the event log."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import redis.asyncio as aioredis

from server.logging import get_logger
from server.settings import get_settings

log = get_logger(__name__)

_clients: dict[int, aioredis.Redis] = {}


def events_channel(workspace_id: str) -> str:
    return f"setterdesk:events:{workspace_id}"


def redis_client() -> aioredis.Redis:
    key = id(asyncio.get_running_loop())
    client = _clients.get(key)
    if client is None:
        # Bounded: a reconnect storm of websocket clients waits for a connection instead of opening hundreds.
        pool = aioredis.BlockingConnectionPool.from_url(
            get_settings().redis_url,
            max_connections=20,
            timeout=5,
            socket_timeout=5,
            socket_connect_timeout=2,
        )
        client = aioredis.Redis(connection_pool=pool)
        _clients[key] = client
    return client


def poke(workspace_id: object, lead_id: object | None) -> bytes:
    """What subscribers are told: which streams have news. The events themselves are read from the log."""
    return msgspec.json.encode(
        {"workspace_id": str(workspace_id), "lead_id": None if lead_id is None else str(lead_id)}
    )


async def publish_events(events: list[dict[str, Any]]) -> None:
    """Best effort, one poke per stream touched: a client that misses one gets the events on resume."""
    streams = {(str(e["workspace_id"]), None if e["lead_id"] is None else str(e["lead_id"])) for e in events}
    if not streams:
        return
    try:
        pipe = redis_client().pipeline(transaction=False)
        for workspace_id, lead_id in sorted(streams, key=str):
            pipe.publish(events_channel(workspace_id), poke(workspace_id, lead_id))
        await pipe.execute()
    except Exception as exc:
        log.warning("events.publish_failed", error_type=type(exc).__name__, count=len(streams))
