"""Jobs survive a broker outage: written in the committing transaction and relayed when Redis is back, or (for
an inbound message's post-processing) swept from the rows that say they are pending."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.core import jobs
from server.core.db.engine import session_factory
from server.core.db.models import JobOutbox
from server.drafts.stalled_messages import requeue_stalled_messages
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def outbox_rows(key: str, value: str) -> list[JobOutbox]:
    async with session_factory()() as session:
        query = select(JobOutbox).where(JobOutbox.kwargs[key].astext == value)
        return list((await session.scalars(query)).all())


def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(sent: list[jobs.Job], with_commands: object = None) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs, "_send_all", refuse)


async def test_jobs_handed_over_are_removed_from_the_outbox(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    result = await deliver(workspace, "email", interested_email("Who is this?"))
    asked = await client.post(
        f"/api/leads/{result['lead_id']}/drafts", json={"channel": "email"}, headers=workspace.auth
    )
    assert asked.status_code == 202
    assert await outbox_rows("lead_id", result["lead_id"]) == []
    await drain(worker)


async def test_broker_down_the_job_waits_in_the_outbox_and_runs_once_after(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await deliver(workspace, "email", interested_email("Who is this?"))  # Neutral: no draft
    await drain(worker)
    broker_down(monkeypatch)
    asked = await client.post(
        f"/api/leads/{result['lead_id']}/drafts", json={"channel": "email"}, headers=workspace.auth
    )
    assert asked.status_code == 202  # committed, whatever the broker
    assert [row.actor_name for row in await outbox_rows("lead_id", result["lead_id"])] == ["drafts.generate"]
    assert await pending(client, workspace, result["lead_id"]) == []

    monkeypatch.undo()  # Redis is back
    assert await jobs.relay_outbox(older_than=timedelta(0)) >= 1
    await drain(worker)
    [draft] = await pending(client, workspace, result["lead_id"])
    assert draft["source"] == "on_demand"
    assert await outbox_rows("lead_id", result["lead_id"]) == []  # relayed once, then gone


async def test_broker_down_after_a_message_is_stored_its_post_processing_is_swept_later(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Post-processing needs no outbox row: the message itself says it is pending until it is done."""
    await drain(worker)
    broker_down(monkeypatch)
    result = await deliver(workspace, "email", interested_email())
    assert result["status"] == "processed"
    assert await outbox_rows("message_id", result["message_id"]) == []
    assert await pending(client, workspace, result["lead_id"]) == []

    monkeypatch.undo()  # Redis is back
    assert await requeue_stalled_messages(older_than=timedelta(0)) >= 1
    await drain(worker)
    [draft] = await pending(client, workspace, result["lead_id"])
    assert draft["trigger_message_id"] == result["message_id"]
