"""Publish committed events on Redis, one channel per workspace; every web process fans them out."""

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


async def publish_events(events: list[dict[str, Any]]) -> None:
    """Best effort: a client that misses a live event gets it on resume from the database."""
    if not events:
        return
    try:
        pipe = redis_client().pipeline(transaction=False)
        for event in events:
            pipe.publish(events_channel(str(event["workspace_id"])), msgspec.json.encode(event))
        await pipe.execute()
    except Exception as exc:
        log.warning("events.publish_failed", error_type=type(exc).__name__, count=len(events))
