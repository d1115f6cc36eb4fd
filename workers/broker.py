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
        # ...but only when a broker command runs queue maintenance: that many commands in a million do.
        # Dramatiq's 1000 left a dead worker's jobs waiting ~15 minutes on an idle system; 1 in 100 is cheap.
        maintenance_chance = int(os.environ.get("DRAMATIQ_MAINTENANCE_CHANCE", "10000"))
        _broker = RedisBroker(
            url=settings.redis_url,
            namespace=os.environ.get("DRAMATIQ_NAMESPACE", "setterdesk"),
            heartbeat_timeout=heartbeat_timeout,
            maintenance_chance=maintenance_chance,
        )
        _broker.add_middleware(AsyncIO())
        dramatiq.set_broker(_broker)
    return _broker
