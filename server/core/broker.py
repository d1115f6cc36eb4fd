"""The one Dramatiq broker setup, shared by the server (to enqueue) and the worker (to consume)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from server.core.settings import get_settings

_broker: RedisBroker | None = None


def get_broker() -> RedisBroker:
    global _broker
    if _broker is None:
        settings = get_settings()
        _broker = RedisBroker(
            url=settings.redis_url,
            namespace=settings.dramatiq_namespace,
            heartbeat_timeout=settings.dramatiq_heartbeat_timeout_ms,
            maintenance_chance=settings.dramatiq_maintenance_chance,
        )
        _broker.add_middleware(AsyncIO())
        dramatiq.set_broker(_broker)
    return _broker
