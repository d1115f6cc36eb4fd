"""Who is viewing or composing on a lead: kept in Redis with timestamps, so a crashed browser disappears
within PRESENCE_TTL_S without anyone having to say goodbye."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from server.core.actors import SYSTEM
from server.core.event_schemas import PRESENCE_CHANGED
from server.core.redis import redis_client

PRESENCE_TTL_S = 30
PRESENCE_PREFIX = "setterdesk:presence:"
PRESENCE_PATTERN = PRESENCE_PREFIX + "*"
STATES = ("viewing", "composing", "idle")


def _key(lead_id: uuid.UUID) -> str:
    return f"{PRESENCE_PREFIX}lead:{lead_id}"


async def _poke(workspace_id: uuid.UUID, lead_id: uuid.UUID) -> None:
    payload = msgspec.json.encode({"workspace_id": str(workspace_id), "lead_id": str(lead_id)})
    await redis_client().publish(f"{PRESENCE_PREFIX}{workspace_id}", payload)


async def set_presence(
    workspace_id: uuid.UUID,
    lead_id: uuid.UUID,
    connection_id: str,
    *,
    user_id: uuid.UUID,
    name: str,
    state: str,
    channel: str | None,
) -> None:
    entry = {"user_id": str(user_id), "name": name, "state": state, "channel": channel, "at": time.time()}
    client = redis_client()
    await client.hset(_key(lead_id), connection_id, msgspec.json.encode(entry))
    await client.expire(_key(lead_id), PRESENCE_TTL_S * 4)
    await _poke(workspace_id, lead_id)


async def touch(lead_ids: list[uuid.UUID], connection_id: str) -> None:
    """Keep a live connection's entries fresh (called on the client's pings)."""
    client = redis_client()
    for lead_id in lead_ids:
        raw = await client.hget(_key(lead_id), connection_id)
        if raw:
            entry = msgspec.json.decode(raw)
            entry["at"] = time.time()
            await client.hset(_key(lead_id), connection_id, msgspec.json.encode(entry))


async def clear(workspace_id: uuid.UUID, lead_id: uuid.UUID, connection_id: str) -> None:
    if await redis_client().hdel(_key(lead_id), connection_id):
        await _poke(workspace_id, lead_id)


async def viewers(lead_id: uuid.UUID) -> list[dict[str, Any]]:
    """One entry per user (composing beats viewing beats idle), sorted by name; stale entries dropped."""
    now = time.time()
    rank = {"composing": 0, "viewing": 1, "idle": 2}
    best: dict[str, dict[str, Any]] = {}
    stale: list[bytes | str] = []
    for field, raw in (await redis_client().hgetall(_key(lead_id))).items():
        entry = msgspec.json.decode(raw)
        if now - entry["at"] > PRESENCE_TTL_S:
            stale.append(field)
            continue
        current = best.get(entry["user_id"])
        if current is None or rank[entry["state"]] < rank[current["state"]]:
            best[entry["user_id"]] = entry
    if stale:
        await redis_client().hdel(_key(lead_id), *stale)
    return [
        {"user_id": e["user_id"], "name": e["name"], "state": e["state"], "channel": e["channel"]}
        for e in sorted(best.values(), key=lambda e: (e["name"], e["user_id"]))
    ]


def presence_event(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, current: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": None,
        "type": PRESENCE_CHANGED,
        "workspace_id": str(workspace_id),
        "lead_id": str(lead_id),
        "at": datetime.now(UTC).isoformat(),
        "data": {"lead_id": str(lead_id), "viewers": current},
        "actor": SYSTEM,
    }
