"""The one place Redis clients are made: a bounded pooled client per event loop, and subscription clients."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from server.core.settings import get_settings

_clients: dict[int, aioredis.Redis] = {}


def redis_client() -> aioredis.Redis:
    """The shared client for commands (per running loop: worker threads each run their own loop)."""
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


def subscription_client() -> aioredis.Redis:
    """A client of its own for one long-lived pub/sub subscription; the caller closes it.

    socket_timeout=None: a quiet subscription is not a dead one (redis-py defaults to 5 s).
    """
    return aioredis.from_url(get_settings().redis_url, socket_timeout=None, socket_connect_timeout=3)
