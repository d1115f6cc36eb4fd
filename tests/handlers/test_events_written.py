"""Every action that changes leads, messages or drafts appends its API.md event rows."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.core.db.engine import session_factory
from server.core.db.models import Event
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def event_types(workspace_id: str, after: int = 0) -> list[tuple[int, str]]:
    async with session_factory()() as session:
        rows = await session.execute(
            select(Event.id, Event.type)
            .where(Event.workspace_id == uuid.UUID(workspace_id), Event.id > after)
            .order_by(Event.id)
        )
        return [(r.id, r.type) for r in rows]


async def test_inbound_reply_then_sentiment_then_approve_emit_their_events(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email())
    await drain(worker)
    types = [t for _, t in await event_types(workspace.id)]
    assert types[:2] == ["message.created", "lead.updated"]
    assert "lead.sentiment_changed" in types and "draft.created" in types
    assert types.index("lead.sentiment_changed") < types.index("draft.created")

    last = (await event_types(workspace.id))[-1][0]
    [draft] = await pending(client, workspace, result["lead_id"])
    await client.patch(
        f"/api/drafts/{draft['id']}", json={"content": "edited", "version": 1}, headers=workspace.auth
    )
    await client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    await drain(worker)  # the send: no provider is connected, so the delivery goes sending → not_sent
    types = [t for _, t in await event_types(workspace.id, after=last)]
    assert types == [
        "draft.updated",
        "message.created",
        "draft.approved",
        "lead.updated",
        "message.updated",
        "message.updated",
    ]

    last = (await event_types(workspace.id))[-1][0]
    await client.patch(
        f"/api/leads/{result['lead_id']}/sentiment",
        json={"sentiment_tag": "Not Interested"},
        headers=workspace.auth,
    )
    assert [t for _, t in await event_types(workspace.id, after=last)] == ["lead.sentiment_changed"]


async def test_draft_failure_emits_draft_failed_and_shows_on_lead(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    from server.drafts.generation import generate_draft, record_draft_failure

    lead = (await client.post("/api/leads", json={"first_name": "F"}, headers=workspace.auth)).json()["data"]
    await record_draft_failure(
        uuid.UUID(workspace.id), uuid.UUID(lead["id"]), "sms", "model call failed: rate_limited"
    )
    shown = (await client.get(f"/api/leads/{lead['id']}", headers=workspace.auth)).json()["data"]["lead"]
    assert shown["draft_failures"][0]["channel"] == "sms"
    assert shown["draft_failures"][0]["reason"] == "model call failed: rate_limited"
    assert "draft.failed" in [t for _, t in await event_types(workspace.id)]
    # A later successful generation for that channel clears it.
    outcome = await generate_draft(uuid.UUID(lead["id"]), "sms", source="on_demand")
    assert outcome.status == "created"
    shown = (await client.get(f"/api/leads/{lead['id']}", headers=workspace.auth)).json()["data"]["lead"]
    assert shown["draft_failures"] == []
