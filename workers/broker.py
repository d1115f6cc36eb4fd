"""The one Dramatiq broker setup, shared by the server (to enqueue) and the worker (to consume)."""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from server.settings import get_settings

_broker: RedisBroker | None = None


def get_broker() -> RedisBroker:
    global _broker
    if _broker is None:
        settings = get_settings()
        # A dead worker's messages are redelivered once its heartbeat is this old (ms).
        heartbeat_timeout = int(os.environ.get("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "60000"))
        _broker = RedisBroker(
            url=settings.redis_url,
            namespace=os.environ.get("DRAMATIQ_NAMESPACE", "setterdesk"),
            heartbeat_timeout=heartbeat_timeout,
        )
        _broker.add_middleware(AsyncIO())
        dramatiq.set_broker(_broker)
    return _broker
