"""Poke the web processes on Redis after a commit, one channel per workspace; they read the event log."""

from __future__ import annotations

from typing import Any

import msgspec
from redis.asyncio.client import Pipeline

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


def add_pokes(pipe: Pipeline, events: list[dict[str, Any]]) -> int:
    """Add one poke per stream the events touch to a pipeline the caller sends after commit (with its jobs,
    in one round trip: `server.core.jobs.send_jobs`). Best effort: a client that misses a poke gets the
    events on resume. Returns the number of pokes."""
    streams = {(str(e["workspace_id"]), None if e["lead_id"] is None else str(e["lead_id"])) for e in events}
    for workspace_id, lead_id in sorted(streams, key=str):
        pipe.publish(events_channel(workspace_id), poke(workspace_id, lead_id))
    return len(streams)
