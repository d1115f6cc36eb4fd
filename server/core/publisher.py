"""Poke the web processes on Redis after a commit, one channel per workspace; they read the event log."""

from __future__ import annotations

from typing import Any

import msgspec

from server.core.logging import get_logger
from server.core.redis import redis_client

log = get_logger(__name__)

_EVENTS_PREFIX = "setterdesk:events:"
# What each web process's hub subscribes to: every workspace's channel.
EVENTS_PATTERN = _EVENTS_PREFIX + "*"


def events_channel(workspace_id: str) -> str:
    return _EVENTS_PREFIX + workspace_id


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
