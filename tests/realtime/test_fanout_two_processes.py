"""Each web process holds one Redis subscription and fans events out to its own sockets: clients on two
processes see the same events, with the same ids, in increasing order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.realtime.conftest import OpenWs, Stack
from tests.realtime.helpers import (
    Tenant,
    as_broadcast,
    db_event_ids,
    ids_of,
    interested_email,
    types_of,
)

pytestmark = pytest.mark.slow

PIPELINE = ["message.created", "lead.updated", "lead.sentiment_changed", "draft.created", "lead.updated"]


def has_all(events: list[dict[str, Any]]) -> bool:
    return {"message.created", "lead.sentiment_changed", "draft.created"} <= set(types_of(events))


async def test_inbound_reply_reaches_clients_on_both_processes(
    stack: Stack, tenant: Tenant, open_ws: OpenWs
) -> None:
    lead = await tenant.create_lead()
    clients = [await open_ws(tenant.token, web=0), await open_ws(tenant.token, web=1)]
    baselines = [await c.subscribe(lead["id"]) for c in clients]
    assert baselines[0] == baselines[1]
    # The inbox of a third client, on the second process, sees the same lead events among the workspace's.
    inbox = await open_ws(tenant.token, web=1)
    inbox_baseline = await inbox.subscribe_inbox()

    await tenant.webhook("email", interested_email(lead["email"]))

    received = [await c.events(until=has_all, timeout=20) for c in clients]
    first, second = (ids_of(events) for events in received)
    assert first == second
    assert first == sorted(set(first))  # increasing, no duplicates
    assert types_of(received[0]) == types_of(received[1]) == PIPELINE
    assert [e["data"] for e in received[0]] == [e["data"] for e in received[1]]
    assert first == await db_event_ids(tenant.id, lead["id"], after=baselines[0])

    inbox_events = await inbox.events(until=has_all, timeout=10)
    assert ids_of(inbox_events) == await db_event_ids(tenant.id, after=inbox_baseline)
    assert [i for i in ids_of(inbox_events) if i in first] == first


async def test_many_quick_changes_arrive_everywhere_in_order(
    stack: Stack, tenant: Tenant, open_ws: OpenWs
) -> None:
    """Changes made through both processes at once: every client gets every event once, in id order."""
    lead = await tenant.create_lead()
    clients = [await open_ws(tenant.token, web=w) for w in (0, 1, 0, 1)]
    baseline = min([await c.subscribe(lead["id"]) for c in clients])
    other = tenant.on(stack.webs[1].url)
    try:
        await asyncio.gather(
            *(tenant.patch_lead(lead["id"], company=f"A{i}") for i in range(10)),
            *(other.patch_lead(lead["id"], title=f"B{i}") for i in range(10)),
        )
    finally:
        await other.http.aclose()
    expected = await db_event_ids(tenant.id, lead["id"], after=baseline)
    assert len(expected) == 20
    for client in clients:
        events = await client.events(until=lambda evs: len(evs) >= 20, quiet_s=0.3, timeout=15)
        assert ids_of(events) == expected
        final = (await tenant.lead(lead["id"]))["lead"]
        assert events[-1]["data"]["lead"] == as_broadcast(final)
