"""Invariant 5 (docs/ARCHITECTURE.md): events are written in the same transaction as their change and
published only after commit."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from server.core.db.engine import session_factory
from server.core.db.models import Event, Lead, Workspace
from server.core.publisher import events_channel
from server.core.settings import get_settings
from server.core.unit_of_work import unit_of_work


async def new_workspace() -> uuid.UUID:
    async with session_factory()() as session:
        ws = Workspace(name="uow", webhook_secret="s")
        session.add(ws)
        await session.commit()
        return ws.id


async def events_of(workspace_id: uuid.UUID) -> list[Event]:
    async with session_factory()() as session:
        return list((await session.scalars(select(Event).where(Event.workspace_id == workspace_id))).all())


async def subscribe(workspace_id: uuid.UUID) -> aioredis.client.PubSub:
    client = aioredis.from_url(get_settings().redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(events_channel(str(workspace_id)))
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    return pubsub


async def next_published(pubsub: aioredis.client.PubSub, timeout: float = 2.0) -> dict[str, object] | None:
    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
    return msgspec.json.decode(message["data"]) if message else None


def note(reason: object) -> dict[str, str]:
    """A valid event body (`draft.failed`) that carries a marker in its reason."""
    return {"lead_id": str(uuid.uuid4()), "channel": "email", "reason": str(reason)}


async def test_failed_transaction_leaves_no_event_and_publishes_nothing() -> None:
    workspace_id = await new_workspace()
    pubsub = await subscribe(workspace_id)
    with pytest.raises(RuntimeError):
        async with unit_of_work(workspace_id) as uow:
            uow.session.add(Lead(workspace_id=workspace_id, first_name="Ghost", channels=[]))
            uow.emit("draft.failed", None, note("ghost"))
            await uow.flush_events()  # even once the event row is flushed...
            raise RuntimeError("the change fails")
    assert await events_of(workspace_id) == []  # ...it rolls back with the change
    assert await next_published(pubsub, timeout=0.5) is None
    await pubsub.aclose()


async def test_event_is_published_after_its_row_is_committed() -> None:
    workspace_id = await new_workspace()
    pubsub = await subscribe(workspace_id)
    async with unit_of_work(workspace_id) as uow:
        lead = Lead(workspace_id=workspace_id, first_name="Real", channels=[])
        uow.session.add(lead)
        await uow.session.flush()
        uow.emit("draft.failed", lead.id, note("real"))
        await uow.flush_events()
        assert await next_published(pubsub, timeout=0.3) is None  # not before commit
    published = await next_published(pubsub)
    # A poke naming the stream; whoever receives it can already read the committed row.
    assert published == {"workspace_id": str(workspace_id), "lead_id": str(lead.id)}
    [row] = await events_of(workspace_id)
    assert row.type == "draft.failed" and row.lead_id == lead.id
    await pubsub.aclose()


async def test_event_ids_commit_in_increasing_order_per_workspace() -> None:
    workspace_id = await new_workspace()
    order: list[str] = []

    async def slow() -> None:
        async with unit_of_work(workspace_id) as uow:
            uow.emit("draft.failed", None, note("slow"))
            await uow.flush_events()
            await asyncio.sleep(0.5)  # holds its id uncommitted for a while
            order.append("slow")

    async def fast() -> None:
        await asyncio.sleep(0.1)
        async with unit_of_work(workspace_id) as uow:
            uow.emit("draft.failed", None, note("fast"))
        order.append("fast")

    await asyncio.gather(slow(), fast())
    events = sorted(await events_of(workspace_id), key=lambda e: e.id)
    # The id order is the commit order: a client that saw "fast" can never later miss "slow".
    assert [e.data["reason"] for e in events] == ["slow", "fast"]
    assert order == ["slow", "fast"]


async def test_events_of_one_transaction_keep_their_emit_order() -> None:
    workspace_id = await new_workspace()
    async with unit_of_work(workspace_id) as uow:
        for n in range(5):
            uow.emit("draft.failed", None, note(n))
        await uow.flush_events()
        uow.emit("draft.failed", None, note(5))
    events = sorted(await events_of(workspace_id), key=lambda e: e.id)
    assert [e.data["reason"] for e in events] == ["0", "1", "2", "3", "4", "5"]


async def test_an_event_that_breaks_its_schema_fails_the_action_that_emits_it() -> None:
    workspace_id = await new_workspace()
    with pytest.raises(msgspec.ValidationError, match="lead"):
        async with unit_of_work(workspace_id) as uow:
            uow.emit("lead.updated", None, {"lead": {"first_name": "no id, no anything"}})
    with pytest.raises(msgspec.ValidationError, match="unknown event type"):
        async with unit_of_work(workspace_id) as uow:
            uow.emit("lead.renamed", None, {})
    assert await events_of(workspace_id) == []
