"""Inbound reply → worker classifies → draft, through a real Dramatiq worker on Redis (offline model)."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from server.core.db.engine import session_factory
from server.core.db.models import Draft, Message
from server.drafts.post_processing import post_process_message
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def test_interested_reply_gets_classified_and_drafted(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email())
    await drain(worker)
    detail = (await client.get(f"/api/leads/{result['lead_id']}", headers=workspace.auth)).json()["data"]
    assert detail["lead"]["sentiment_tag"] in {"Interested", "Call Requested", "Meeting Requested"}
    assert detail["lead"]["status"] in {"qualified", "meeting-requested"}
    [draft] = detail["drafts"]
    assert draft["channel"] == "email" and draft["status"] == "pending" and draft["source"] == "inbound"
    assert draft["trigger_message_id"] == result["message_id"]
    assert draft["provider"] == "offline" and draft["content"].strip()
    assert detail["lead"]["pending_draft_channels"] == ["email"]


async def test_not_interested_reply_gets_no_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email("Not interested, thanks."))
    await drain(worker)
    detail = (await client.get(f"/api/leads/{result['lead_id']}", headers=workspace.auth)).json()["data"]
    assert detail["lead"]["sentiment_tag"] == "Not Interested"
    assert detail["drafts"] == []


async def test_job_run_twice_makes_one_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email())
    await drain(worker)
    message_id = uuid.UUID(result["message_id"])
    # Simulate a redelivery after a crash before the message was marked processed.
    async with session_factory()() as session:
        await session.execute(update(Message).where(Message.id == message_id).values(post_processed_at=None))
        await session.commit()
    again = await post_process_message(message_id)
    assert again.draft is not None and again.draft.status == "skipped"
    # And two concurrent runs of the same job.
    async with session_factory()() as session:
        await session.execute(update(Message).where(Message.id == message_id).values(post_processed_at=None))
        await session.commit()
    await asyncio.gather(post_process_message(message_id), post_process_message(message_id))
    async with session_factory()() as session:
        drafts = (await session.scalars(select(Draft).where(Draft.trigger_message_id == message_id))).all()
    assert len(drafts) == 1


async def test_newer_inbound_supersedes_the_older_pending_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    first = interested_email("Interested, tell me more about pricing")
    result = await deliver(workspace, "email", first)
    await drain(worker)
    [old] = await pending(client, workspace, result["lead_id"])
    second = copy.deepcopy(first)
    second["data"]["reply"]["id"] += 1
    second["data"]["reply"]["date_received"] = "2030-01-01T00:00:00Z"
    second["data"]["reply"]["text_body"] = "Interested. Could we set up a call on Thursday?"
    await deliver(workspace, "email", second)
    await drain(worker)
    [new] = await pending(client, workspace, result["lead_id"])
    assert new["id"] != old["id"]
    old_now = (await client.get(f"/api/drafts/{old['id']}", headers=workspace.auth)).json()["data"]
    assert old_now["status"] == "superseded"


async def test_twenty_concurrent_deliveries_one_message_one_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    body = interested_email()
    results = await asyncio.gather(*(deliver(workspace, "email", body) for _ in range(20)))
    await drain(worker)
    lead_ids = {r["lead_id"] for r in results}
    assert len(lead_ids) == 1
    lead_id = lead_ids.pop()
    detail = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]
    assert len(detail["messages"]) == 1
    all_drafts = (await client.get(f"/api/leads/{lead_id}/drafts", headers=workspace.auth)).json()["data"]
    assert len(all_drafts) == 1
