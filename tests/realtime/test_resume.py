"""Invariant 6 (docs/ARCHITECTURE.md): a client that reconnects with `last_event_id` misses nothing and sees
nothing twice, also while events keep committing during the replay, and for the inbox."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import insert

from server.core.db.engine import session_factory
from server.core.db.models import Event
from server.realtime.event_log import REPLAY_LIMIT
from tests.realtime.conftest import OpenWs, Stack
from tests.realtime.helpers import (
    Tenant,
    as_broadcast,
    db_event_ids,
    eventually,
    ids_of,
    interested_email,
    types_of,
)

pytestmark = pytest.mark.slow


def at_least(count: int) -> Any:
    return lambda events: len(events) >= count


async def test_resume_replays_exactly_the_missed_events_then_continues_live(
    tenant: Tenant, open_ws: OpenWs
) -> None:
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    await client.subscribe(lead["id"])
    await tenant.patch_lead(lead["id"], company="Seen live")
    [seen] = await client.events(until=at_least(1), quiet_s=0.3)
    last_event_id = seen["id"]
    await client.close()

    for i in range(10):
        await tenant.patch_lead(lead["id"], company=f"Missed {i}")
    missed = await db_event_ids(tenant.id, lead["id"], after=last_event_id)
    assert len(missed) == 10

    # Reconnect to the other process, as a browser behind a load balancer may.
    again = await open_ws(tenant.token, web=1)
    assert await again.subscribe(lead["id"], last_event_id) == last_event_id
    replayed = await again.events(until=at_least(10), quiet_s=0.5)
    assert ids_of(replayed) == missed
    assert [e["data"]["lead"]["company"] for e in replayed] == [f"Missed {i}" for i in range(10)]

    await tenant.patch_lead(lead["id"], company="Live again")
    [live] = await again.events(until=at_least(1), quiet_s=0.5)
    assert live["id"] > missed[-1] and live["data"]["lead"]["company"] == "Live again"


async def test_unsubscribe_stops_the_feed_and_resubscribing_on_the_same_socket_resumes(
    tenant: Tenant, open_ws: OpenWs
) -> None:
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    await client.subscribe(lead["id"])
    await tenant.patch_lead(lead["id"], company="Seen")
    [seen] = await client.events(until=at_least(1), quiet_s=0.2)
    await client.send({"type": "unsubscribe", "lead_id": lead["id"]})
    await client.send({"type": "ping"})
    await client.recv_until(lambda f: f["type"] == "pong")  # the unsubscribe has been handled
    for i in range(3):
        await tenant.patch_lead(lead["id"], company=f"Unseen {i}")
    assert [f for f in await client.nothing_for(0.5) if f["type"] == "event"] == []

    await client.subscribe(lead["id"], seen["id"])
    replayed = await client.events(until=at_least(3), quiet_s=0.4)
    assert ids_of(replayed) == await db_event_ids(tenant.id, lead["id"], after=seen["id"])


@pytest.mark.parametrize("web", [0, 1])
async def test_events_committed_during_the_replay_are_neither_lost_nor_doubled(
    stack: Stack, tenant: Tenant, open_ws: OpenWs, web: int
) -> None:
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token, web=web)
    last_event_id = await client.subscribe(lead["id"])
    await client.close()
    for i in range(10):
        await tenant.patch_lead(lead["id"], company=f"Before {i}")

    writers = [tenant, tenant.on(stack.webs[1 - web].url)]
    again = await open_ws(tenant.token, web=web)
    try:

        async def writes(writer: Tenant, name: str) -> None:
            for i in range(10):
                await writer.patch_lead(lead["id"], company=f"{name} {i}")

        # The replay reads the log while these commit, through this process and the other one.
        await asyncio.gather(
            again.subscribe(lead["id"], last_event_id), writes(writers[0], "A"), writes(writers[1], "B")
        )
    finally:
        await writers[1].http.aclose()
    expected = await db_event_ids(tenant.id, lead["id"], after=last_event_id)
    assert len(expected) == 30
    received = await again.events(until=at_least(30), quiet_s=0.6, timeout=20)
    assert ids_of(received) == expected  # each exactly once, in commit order
    assert received[-1]["data"]["lead"] == as_broadcast((await tenant.lead(lead["id"]))["lead"])


async def test_inbox_resume(tenant: Tenant, open_ws: OpenWs) -> None:
    lead = await tenant.create_lead()
    inbox = await open_ws(tenant.token)
    last_event_id = await inbox.subscribe_inbox()
    await inbox.close()

    # Missed: a new lead, an edit of another, an inbound reply creating a third lead, worker events included.
    await tenant.create_lead(first_name="Newcomer")
    await tenant.patch_lead(lead["id"], company="Edited while away")
    reply = await tenant.webhook("email", interested_email(f"inbox-{uuid.uuid4().hex[:8]}@prospect.io"))

    async def drafted() -> list[int]:
        ids = await db_event_ids(tenant.id, reply["lead_id"])
        return ids if len(ids) >= 5 else []

    await eventually(drafted, timeout=20, every=0.1)
    missed = await db_event_ids(tenant.id, after=last_event_id)

    again = await open_ws(tenant.token, web=1)
    assert await again.subscribe_inbox(last_event_id) == last_event_id
    replayed = await again.events(until=at_least(len(missed)), quiet_s=0.5)
    assert ids_of(replayed) == missed
    leads = {e["lead_id"] for e in replayed}
    assert len(leads) == 3 and {lead["id"], reply["lead_id"]} <= leads
    assert "draft.created" in types_of(replayed)

    await tenant.patch_lead(lead["id"], company="Live")
    [live] = await again.events(until=at_least(1), quiet_s=0.5)
    assert live["id"] > missed[-1] and live["lead_id"] == lead["id"]


async def test_too_far_behind_is_told_to_resync(tenant: Tenant, open_ws: OpenWs) -> None:
    """More than REPLAY_LIMIT missed events: `resync_required`, and the connection stays usable."""
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    last_event_id = await client.subscribe(lead["id"])
    await client.send({"type": "unsubscribe", "lead_id": lead["id"]})
    # Cheaper than a thousand requests: rows as an action appends them (never published; only replayed).
    row = {"workspace_id": uuid.UUID(tenant.id), "lead_id": uuid.UUID(lead["id"]), "type": "lead.updated"}
    async with session_factory()() as session:
        await session.execute(insert(Event), [{**row, "data": {"lead": lead}}] * (REPLAY_LIMIT + 1))
        await session.commit()

    await client.subscribe(lead["id"], last_event_id)
    error = await client.recv_until(lambda f: f["type"] == "error")
    assert error["code"] == "resync_required"
    await client.subscribe_inbox(last_event_id)
    error = await client.recv_until(lambda f: f["type"] == "error")
    assert error["code"] == "resync_required"

    # Refetch, then subscribe from now on: live events flow.
    latest = await client.subscribe(lead["id"])
    assert latest == (await db_event_ids(tenant.id, lead["id"]))[-1]
    await tenant.patch_lead(lead["id"], company="After resync")
    [live] = await client.events(until=at_least(1), quiet_s=0.3)
    assert live["id"] > latest


async def test_an_id_from_the_future_is_told_to_resync(tenant: Tenant, open_ws: OpenWs) -> None:
    """A last_event_id larger than any event of the workspace (a database restored under an open browser)
    is never trusted: `resync_required`, not a subscription that misses everything until the ids catch up."""
    lead = await tenant.create_lead()
    client = await open_ws(tenant.token)
    latest = await client.subscribe(lead["id"])
    await client.send({"type": "unsubscribe", "lead_id": lead["id"]})
    future = max(await db_event_ids(tenant.id)) + 1_000
    for subscribe in ({"type": "subscribe", "lead_id": lead["id"]}, {"type": "subscribe_inbox"}):
        await client.send({**subscribe, "last_event_id": future})
        answer = await client.recv_until(lambda f: f["type"] in ("subscribed", "error"))
        assert answer["code"] == "resync_required", answer  # no "subscribed" first
    # The id it really saw still resumes.
    assert await client.subscribe(lead["id"], latest) == latest
