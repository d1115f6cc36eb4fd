"""Presence over /ws: who views or composes on a lead reaches the others at once, leaves when its socket
closes, and a browser that vanished without a goodbye expires after PRESENCE_TTL_S."""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec
import pytest

from server.core.event_schemas import PresenceChanged, decode_event
from server.realtime import presence
from tests.realtime.conftest import OpenWs
from tests.realtime.helpers import Tenant, WsClient, sync_redis

pytestmark = pytest.mark.slow


async def next_presence(client: WsClient, match: Any = None, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Viewers of the next presence.changed (that `match` accepts), checked against its schema."""

    def wanted(frame: dict[str, Any]) -> bool:
        if frame["type"] != "event" or frame["event"]["type"] != "presence.changed":
            return False
        return match is None or match(frame["event"]["data"]["viewers"])

    frame = await client.recv_until(wanted, timeout=timeout)
    event, data = decode_event(frame["event"])
    assert isinstance(data, PresenceChanged) and event.id is None
    viewers: list[dict[str, Any]] = frame["event"]["data"]["viewers"]
    return viewers


def user_ids(viewers: list[dict[str, Any]]) -> set[str]:
    return {v["user_id"] for v in viewers}


async def test_presence_reaches_the_other_viewer_and_leaves_with_the_socket(
    tenant: Tenant, open_ws: OpenWs
) -> None:
    b = await tenant.add_member("Bruno Setter")
    lead = await tenant.create_lead()
    a_ws = await open_ws(tenant.token, web=0)
    b_ws = await open_ws(b.token, web=1)  # another process: presence crosses processes too
    await a_ws.subscribe(lead["id"])
    await b_ws.subscribe(lead["id"])
    assert await next_presence(b_ws) == []  # the snapshot sent on subscribe

    await a_ws.send({"type": "presence", "lead_id": lead["id"], "state": "viewing", "channel": None})
    olive = {"user_id": tenant.user["id"], "name": "Olive Owner"}
    assert await next_presence(b_ws) == [{**olive, "state": "viewing", "channel": None}]

    await a_ws.send({"type": "presence", "lead_id": lead["id"], "state": "composing", "channel": "email"})
    assert await next_presence(b_ws) == [{**olive, "state": "composing", "channel": "email"}]
    # A sees itself too; B joins as a viewer and both are listed, sorted by name.
    await b_ws.send({"type": "presence", "lead_id": lead["id"], "state": "viewing", "channel": None})
    both = await next_presence(a_ws, lambda v: len(v) == 2)
    assert [(v["name"], v["state"]) for v in both] == [
        ("Bruno Setter", "viewing"),
        ("Olive Owner", "composing"),
    ]

    started = time.monotonic()
    await a_ws.close()
    viewers = await next_presence(b_ws, lambda v: tenant.user["id"] not in user_ids(v), timeout=2.5)
    assert time.monotonic() - started < 2.0
    assert user_ids(viewers) == {b.user["id"]}
    assert await presence.viewers(uuid.UUID(lead["id"])) == viewers


async def test_unsubscribe_clears_presence(tenant: Tenant, open_ws: OpenWs) -> None:
    b = await tenant.add_member("Bruno Setter")
    lead = await tenant.create_lead()
    a_ws, b_ws = await open_ws(tenant.token), await open_ws(b.token)
    await a_ws.subscribe(lead["id"])
    await b_ws.subscribe(lead["id"])
    await a_ws.send({"type": "presence", "lead_id": lead["id"], "state": "viewing", "channel": "sms"})
    await next_presence(b_ws, lambda v: len(v) == 1)
    await a_ws.send({"type": "unsubscribe", "lead_id": lead["id"]})
    assert await next_presence(b_ws, lambda v: v == []) == []


async def test_a_vanished_browser_expires_after_the_ttl(tenant: Tenant, open_ws: OpenWs) -> None:
    lead = await tenant.create_lead()
    b_ws = await open_ws(tenant.token)
    await b_ws.subscribe(lead["id"])
    assert await next_presence(b_ws) == []
    # A browser on a process that died: its entry stays in Redis, nobody clears it.
    key = f"{presence.PRESENCE_PREFIX}lead:{lead['id']}"
    ghost_id = str(uuid.uuid4())
    entry = {"user_id": ghost_id, "name": "Ghost", "state": "composing", "channel": "email"}
    redis = sync_redis()

    def write(at: float) -> None:
        redis.hset(key, f"dead-connection-{ghost_id}", msgspec.json.encode({**entry, "at": at}))
        poke = {"workspace_id": tenant.id, "lead_id": lead["id"]}
        redis.publish(f"{presence.PRESENCE_PREFIX}{tenant.id}", msgspec.json.encode(poke))

    write(time.time())
    assert await next_presence(b_ws) == [entry]
    # Its last sign of life is now older than the TTL: the next read drops it.
    write(time.time() - presence.PRESENCE_TTL_S - 1)
    assert await next_presence(b_ws) == []
    assert redis.hlen(key) == 0

    # And without any poke: the hub's periodic sweep notices the expiry by itself.
    write(time.time() - presence.PRESENCE_TTL_S + 2)
    assert await next_presence(b_ws) == [entry]
    assert await next_presence(b_ws, timeout=10) == []


async def test_pings_keep_a_live_connections_entry_fresh(tenant: Tenant, open_ws: OpenWs) -> None:
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    await client.subscribe(lead["id"])
    await client.send({"type": "presence", "lead_id": lead["id"], "state": "viewing", "channel": None})
    await next_presence(client, lambda v: len(v) == 1)
    redis = sync_redis()
    key = f"{presence.PRESENCE_PREFIX}lead:{lead['id']}"
    [(field, raw)] = redis.hgetall(key).items()
    # Pretend its last sign of life is nearly a TTL ago; a ping renews it.
    old = time.time() - presence.PRESENCE_TTL_S + 3
    redis.hset(key, field, msgspec.json.encode({**msgspec.json.decode(raw), "at": old}))
    for _ in range(2):  # frames are handled in order: the second pong comes after the first ping's renewal
        await client.send({"type": "ping"})
        await client.recv_until(lambda f: f["type"] == "pong")
    renewed = redis.hget(key, field)
    assert renewed is not None and msgspec.json.decode(renewed)["at"] > old + 2
