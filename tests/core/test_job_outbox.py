"""Jobs survive a broker outage: written in the committing transaction, relayed when Redis is back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.core import jobs
from server.core.db.engine import session_factory
from server.core.db.models import JobOutbox
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def outbox_rows(message_id: str) -> list[JobOutbox]:
    async with session_factory()() as session:
        query = select(JobOutbox).where(JobOutbox.kwargs["message_id"].astext == message_id)
        return list((await session.scalars(query)).all())


async def test_jobs_handed_over_are_removed_from_the_outbox(
    workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email())
    assert await outbox_rows(result["message_id"]) == []
    await drain(worker)


async def test_broker_down_webhook_still_200_and_the_job_runs_once_after(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broker_down(job: jobs.Job) -> None:
        raise ConnectionError("redis is down")

    await drain(worker)
    monkeypatch.setattr(jobs, "_send", broker_down)
    result = await deliver(workspace, "email", interested_email())
    assert result["status"] == "processed"
    assert [row.actor_name for row in await outbox_rows(result["message_id"])] == ["messages.post_process"]
    assert await pending(client, workspace, result["lead_id"]) == []

    monkeypatch.undo()  # Redis is back
    assert await jobs.relay_outbox(older_than=timedelta(0)) >= 1
    await drain(worker)
    [draft] = await pending(client, workspace, result["lead_id"])
    assert draft["trigger_message_id"] == result["message_id"]
    assert await outbox_rows(result["message_id"]) == []  # relayed once, then gone
