"""Redis pub/sub is only a poke: when a hub loses its subscription, events committed meanwhile (whose pokes
are lost) still reach its clients, because the hub re-reads the log after reconnecting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.realtime.conftest import OpenWs, Stack
from tests.realtime.helpers import (
    Tenant,
    db_event_ids,
    ids_of,
    kill_hub_subscriptions,
    wait_hubs_subscribed,
)

pytestmark = pytest.mark.slow


def at_least(count: int) -> Any:
    return lambda events: len(events) >= count


def lost_count(stack: Stack) -> list[int]:
    return [web.role.output().count('"hub.redis_lost"') for web in stack.webs]


async def test_events_during_a_lost_subscription_arrive_in_order_once(
    stack: Stack, tenant: Tenant, open_ws: OpenWs
) -> None:
    lead = await tenant.create_lead()
    pids = [web.pid for web in stack.webs]
    clients = [await open_ws(tenant.token, web=w) for w in (0, 1)]
    baseline = min([await c.subscribe(lead["id"]) for c in clients])
    inbox = await open_ws(tenant.token, web=1)
    inbox_baseline = await inbox.subscribe_inbox()
    # This one will leave half-way and resume after the outage.
    leaver = await open_ws(tenant.token, web=1)
    await leaver.subscribe(lead["id"])
    await wait_hubs_subscribed(pids)
    lost_before = lost_count(stack)

    killed = kill_hub_subscriptions(pids)
    assert len(killed) == 2
    # Right away, while each hub waits to reconnect: these pokes go nowhere.
    for i in range(5):
        await tenant.patch_lead(lead["id"], company=f"During {i}")
    await wait_hubs_subscribed(pids, exclude_ids=killed)
    assert [now > before for now, before in zip(lost_count(stack), lost_before, strict=True)] == [True, True]

    # Nothing else is committed now: only the hubs' re-reading of the log can deliver these.
    during = await db_event_ids(tenant.id, lead["id"], after=baseline)
    assert len(during) == 5
    for client in [*clients, leaver]:
        events = await client.events(until=at_least(5), quiet_s=0.3, timeout=10)
        assert ids_of(events) == during
    inbox_events = await inbox.events(until=at_least(5), quiet_s=0.3, timeout=10)
    assert ids_of(inbox_events) == await db_event_ids(tenant.id, after=inbox_baseline)
    resume_from = during[-1]
    await leaver.close()

    for i in range(5):
        await tenant.patch_lead(lead["id"], company=f"After {i}")
    expected = await db_event_ids(tenant.id, lead["id"], after=baseline)
    assert len(expected) == 10
    for client in clients:
        events = await client.events(until=at_least(5), quiet_s=0.5, timeout=10)
        assert ids_of(events) == expected[5:]

    # Resuming after the outage replays only what the leaver had not seen.
    back = await open_ws(tenant.token, web=1)
    await back.subscribe(lead["id"], resume_from)
    replayed = await back.events(until=at_least(5), quiet_s=0.5, timeout=10)
    assert ids_of(replayed) == expected[5:]


async def test_subscription_killed_while_changes_stream_in(
    stack: Stack, tenant: Tenant, open_ws: OpenWs
) -> None:
    """Kills land at random points of a stream of commits through both processes: nothing lost or doubled."""
    lead = await tenant.create_lead()
    pids = [web.pid for web in stack.webs]
    clients = [await open_ws(tenant.token, web=w) for w in (0, 1)]
    baseline = min([await c.subscribe(lead["id"]) for c in clients])
    await wait_hubs_subscribed(pids)
    other = tenant.on(stack.webs[1].url)

    async def writes(writer: Tenant, name: str) -> None:
        for i in range(12):
            await writer.patch_lead(lead["id"], title=f"{name} {i}")

    async def kills() -> None:
        for _ in range(3):
            await asyncio.sleep(0.15)
            killed = await asyncio.to_thread(kill_hub_subscriptions, pids)
            await wait_hubs_subscribed(pids, exclude_ids=killed)

    try:
        await asyncio.gather(writes(tenant, "A"), writes(other, "B"), kills())
    finally:
        await other.http.aclose()
    expected = await db_event_ids(tenant.id, lead["id"], after=baseline)
    assert len(expected) == 24
    for client in clients:
        events = await client.events(until=at_least(24), quiet_s=0.5, timeout=15)
        assert ids_of(events) == expected
