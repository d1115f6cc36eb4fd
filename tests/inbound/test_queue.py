"""Invariant 10 (docs/ARCHITECTURE.md): a webhook is answered once its body is recorded, and processed behind
the answer by the worker, idempotently (API.md, "Webhooks")."""

from __future__ import annotations

import asyncio
import copy
import uuid
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from server.core import jobs
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Draft, Message, WebhookEvent
from server.inbound import processing
from server.inbound.processing import MAX_ATTEMPTS, process_event, requeue_waiting
from tests.conftest import RunningWorker, Workspace
from tests.helpers import drain, interested_email, sample, settle


async def post(ws: Workspace, channel: str, body: dict[str, Any]) -> Any:
    return await ws.client.post(ws.webhook_url(channel), json=body, headers=ws.webhook_headers)


async def event_row(answer: Any) -> WebhookEvent:
    async with read_session() as session:
        return await session.get_one(WebhookEvent, uuid.UUID(answer.json()["data"]["webhook_event_id"]))


def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(_jobs: list[jobs.Job], with_commands: object = None) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs, "_send_all", refuse)


async def test_the_worker_processes_what_the_web_process_accepted(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    answer = await post(workspace, "email", interested_email())
    assert answer.status_code == 200
    assert answer.json()["data"]["status"] == "accepted"
    await drain(worker)
    row = await event_row(answer)
    assert (row.status, row.result["status"]) == ("processed", "processed")  # type: ignore[index]
    assert row.processed_at is not None and row.attempts == 1
    drafts = (await client.get(f"/api/leads/{row.result['lead_id']}/drafts", headers=workspace.auth)).json()  # type: ignore[index]
    assert [d["status"] for d in drafts["data"]] == ["pending"]  # and everything after it ran too


async def test_a_burst_of_500_is_answered_then_processed(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    bodies = []
    for n in range(500):
        body = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
        body.update(contactId=f"burst-{uuid.uuid4().hex[:12]}", messageId=f"burst-{n}-{uuid.uuid4().hex[:8]}")
        body["from"] = f"+1415555{n:04d}"
        bodies.append(body)
    answers = await asyncio.gather(*(post(workspace, "sms", b) for b in bodies))
    assert [a.status_code for a in answers] == [200] * 500
    assert {a.json()["data"]["status"] for a in answers} == {"accepted"}
    await drain(worker)
    ids = [uuid.UUID(a.json()["data"]["webhook_event_id"]) for a in answers]
    async with read_session() as session:
        statuses = (
            await session.execute(
                select(WebhookEvent.status, func.count())
                .where(WebhookEvent.id.in_(ids))
                .group_by(WebhookEvent.status)
            )
        ).all()
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.workspace_id == uuid.UUID(workspace.id))
        )
    assert dict(statuses) == {"processed": 500}
    assert stored == 500


async def test_twenty_concurrent_duplicates_make_one_message_one_draft_nineteen_duplicates(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    body = interested_email()
    answers = await asyncio.gather(*(post(workspace, "email", body) for _ in range(20)))
    assert {a.json()["data"]["status"] for a in answers} == {"accepted"}
    await drain(worker)
    outcomes = [await settle(workspace, a) for a in answers]
    assert sorted(o["status"] for o in outcomes).count("duplicate") == 19
    assert len({o["message_id"] for o in outcomes}) == 1
    lead_id = outcomes[0]["lead_id"]
    async with read_session() as session:
        messages = await session.scalar(select(func.count()).where(Message.lead_id == uuid.UUID(lead_id)))
        drafts = await session.scalar(select(func.count()).where(Draft.lead_id == uuid.UUID(lead_id)))
    assert (messages, drafts) == (1, 1)


async def test_redis_down_at_accept_time_is_still_200_and_processed_once_it_returns(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker_down(monkeypatch)
    answer = await post(workspace, "email", interested_email())
    assert answer.status_code == 200 and answer.json()["data"]["status"] == "accepted"
    row = await event_row(answer)
    for _ in range(100):  # the hand-over runs behind the answer; failing, it clears the row's stamp
        if row.handed_over_at is None:
            break
        await asyncio.sleep(0.02)
        row = await event_row(answer)
    assert (row.status, row.handed_over_at) == ("received", None)  # the row itself is the queue
    assert (
        row.id not in await requeue_waiting()
    )  # younger than the sweep's grace: its hand-over may still come

    async with read_session() as session:  # a few seconds later...
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == row.id)
            .values(received_at=utcnow() - processing.UNQUEUED_GRACE - timedelta(seconds=1))
        )
        await session.commit()
    assert row.id in await requeue_waiting()  # Redis still down: handed back to the sweep, not lost
    assert (await event_row(answer)).handed_over_at is None

    monkeypatch.undo()  # Redis is back
    assert row.id in await requeue_waiting()
    await drain(worker)
    assert (await event_row(answer)).status == "processed"
    assert row.id not in await requeue_waiting()


async def test_a_lost_job_is_handed_over_again_after_its_stamp_goes_stale(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost: list[jobs.Job] = []

    async def take_and_lose(sent: list[jobs.Job], with_commands: object = None) -> None:
        lost.extend(sent)  # the broker takes the job, then loses it

    monkeypatch.setattr(jobs, "_send_all", take_and_lose)
    answer = await post(workspace, "sms", sample("ghl_inbound_message_sms_1.json"))
    for _ in range(100):  # the hand-over runs behind the answer
        if lost:
            break
        await asyncio.sleep(0.02)
    monkeypatch.undo()
    row = await event_row(answer)
    assert (row.status, row.handed_over_at is not None) == ("received", True)
    assert row.id not in await requeue_waiting()
    async with read_session() as session:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == row.id)
            .values(handed_over_at=utcnow() - timedelta(minutes=10))
        )
        await session.commit()
    assert row.id in await requeue_waiting()
    assert (await settle(workspace, answer))["status"] == "processed"


async def test_processing_is_idempotent_under_redelivery_and_concurrency(workspace: Workspace) -> None:
    answer = await post(workspace, "email", interested_email())
    event_id = uuid.UUID(answer.json()["data"]["webhook_event_id"])
    outcomes = await asyncio.gather(*(process_event(event_id) for _ in range(5)))
    statuses = sorted(o.status for o in outcomes)
    assert statuses.count("processed") <= 1 and set(statuses) <= {"processed", "already_done"}
    assert (await process_event(event_id)).status == "already_done"  # a redelivered job
    row = await event_row(answer)
    assert (row.status, row.result["status"], row.attempts) == ("processed", "processed", 1)  # type: ignore[index]
    async with read_session() as session:
        count = await session.scalar(
            select(func.count()).where(Message.id == uuid.UUID(row.result["message_id"]))  # type: ignore[index]
        )
    assert count == 1


async def test_a_body_that_keeps_failing_is_marked_failed_and_stays_replayable(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker_down(monkeypatch)  # no worker of this session races the attempts counted below
    answer = await post(workspace, "email", interested_email())
    event_id = uuid.UUID(answer.json()["data"]["webhook_event_id"])

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(processing, "ingest", broken)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with pytest.raises(RuntimeError):  # raised, so the job is retried with backoff
            await process_event(event_id)
        row = await event_row(answer)
        assert row.attempts == attempt
        assert row.status == ("failed" if attempt == MAX_ATTEMPTS else "received")
    assert row.error == "internal error (RuntimeError); replayable"

    monkeypatch.undo()  # the bug is fixed: an admin replays it
    replay = await client.post(f"/api/webhook-events/{event_id}/replay", headers=workspace.auth)
    assert replay.status_code == 202
    assert (await settle(workspace, replay))["status"] == "processed"
