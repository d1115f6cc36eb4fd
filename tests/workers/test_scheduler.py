"""The scheduler: stalled inbound messages are processed again; each period runs once across schedulers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from server.core.db.base import utcnow
from server.core.db.engine import session_factory
from server.core.db.models import Message
from server.drafts.stalled_messages import requeue_stalled_messages
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending
from workers.scheduler import once_per_period


async def test_a_message_whose_job_was_lost_is_processed_by_the_sweep(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email())
    await drain(worker)
    message_id = uuid.UUID(result["message_id"])
    [draft] = await pending(client, workspace, result["lead_id"])
    await client.post(f"/api/drafts/{draft['id']}/reject", headers=workspace.auth)
    # As if the enqueue had been lost: never processed, and a few minutes old.
    async with session_factory()() as session:
        await session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(post_processed_at=None, created_at=utcnow() - timedelta(minutes=5))
        )
        await session.commit()
    assert await requeue_stalled_messages() >= 1
    await drain(worker)
    async with session_factory()() as session:
        message = await session.get_one(Message, message_id)
    assert message.post_processed_at is not None
    # Idempotent: the trigger already had its draft, so no second one.
    assert await pending(client, workspace, result["lead_id"]) == []


async def test_two_schedulers_run_a_period_once() -> None:
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)

    name = f"test-{uuid.uuid4().hex}"
    outcomes = await asyncio.gather(*(once_per_period(name, 3600, job) for _ in range(2)))
    assert sorted(outcomes) == [False, True]
    assert runs == [1]
