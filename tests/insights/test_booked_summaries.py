"""The booked-summaries job through a real Dramatiq worker: once per period, idempotent per conversation,
bounded batches, transient failures retried per lead, permanent ones recorded without message content."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from server.core.jobs import BOOKED_SUMMARIES_ACTOR, Job, send_jobs
from server.core.settings import get_settings, reset_settings_cache
from server.insights import booked_summaries
from server.insights.booked_summaries import (
    enqueue_booked_summaries,
    leads_needing_insight,
)
from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.insights.insight_threads import (
    BOOKED_THREAD,
    add_message,
    booked_lead,
    insight_count,
    insight_events,
    stored_failure,
    stored_insight,
)
from workers.scheduler import summarise_booked

SECRET_WORDS = "Marmalade-Quokka-5521"


async def drain(worker: RunningWorker) -> None:
    await asyncio.to_thread(worker.drain)


Setting = Callable[[str, str], None]


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    """Change one setting for this test (workers in this process read it too)."""

    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        reset_settings_cache()

    yield set_
    monkeypatch.undo()
    reset_settings_cache()


async def test_the_scheduler_enqueues_the_job_once_per_period(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Job] = []

    async def capture(jobs: list[Job]) -> None:
        sent.extend(jobs)

    monkeypatch.setattr(booked_summaries, "send_jobs", capture)
    period = get_settings().insights_interval_s
    start = random.randrange(10**6, 10**7) * period  # a period no other run has claimed

    first = await summarise_booked(now=start)
    same_period = await summarise_booked(now=start + period - 1)
    racing = await asyncio.gather(*(summarise_booked(now=start + period + s) for s in (0, 3)))
    later = await summarise_booked(now=start + 2 * period)

    assert (first, same_period, sorted(racing), later) == (True, False, [False, True], True)
    assert [job.actor_name for job in sent] == [BOOKED_SUMMARIES_ACTOR] * 3


async def test_running_the_job_twice_makes_one_insight_and_a_new_message_a_new_one(
    workspace: Workspace, worker: RunningWorker
) -> None:
    leads = [await booked_lead(workspace.id, BOOKED_THREAD) for _ in range(2)]
    workspace_id = uuid.UUID(workspace.id)

    # Twice in the same period, before any worker ran: each lead is enqueued twice, summarised once.
    assert await enqueue_booked_summaries(workspace_id) == 2
    assert await enqueue_booked_summaries(workspace_id) == 2
    await drain(worker)
    for lead_id in leads:
        assert await insight_count(lead_id) == 1
        assert len(await insight_events(lead_id)) == 1
    before = await stored_insight(leads[0])
    assert await enqueue_booked_summaries(workspace_id) == 0  # up to date

    await add_message(leads[0], "lead", "One more thing: can my partner join the call?")
    assert [lead for _, lead in await leads_needing_insight(workspace_id=workspace_id, limit=10)] == [
        leads[0]
    ]
    # The scheduler's actor, scoped to this workspace.
    await send_jobs([Job(actor_name=BOOKED_SUMMARIES_ACTOR, kwargs={"workspace_id": workspace.id})])
    await drain(worker)
    after = await stored_insight(leads[0])
    assert before is not None and after is not None and await insight_count(leads[0]) == 1
    assert after.id == before.id and after.conversation_hash != before.conversation_hash
    assert after.computed_at > before.computed_at
    assert len(await insight_events(leads[0])) == 2 and len(await insight_events(leads[1])) == 1


async def test_a_batch_is_bounded_and_the_next_run_continues(
    workspace: Workspace, worker: RunningWorker, setting: Setting
) -> None:
    setting("INSIGHTS_BATCH_SIZE", "1")
    leads = [await booked_lead(workspace.id, BOOKED_THREAD) for _ in range(2)]

    assert await enqueue_booked_summaries(uuid.UUID(workspace.id)) == 1
    await drain(worker)
    assert sorted([await insight_count(lead) for lead in leads]) == [0, 1]
    assert await enqueue_booked_summaries(uuid.UUID(workspace.id)) == 1
    await drain(worker)
    assert [await insight_count(lead) for lead in leads] == [1, 1]


async def test_batches_span_workspaces(workspace: Workspace, other_workspace: Workspace) -> None:
    mine = await booked_lead(workspace.id, BOOKED_THREAD)
    theirs = await booked_lead(other_workspace.id, BOOKED_THREAD)

    everywhere = {lead for _, lead in await leads_needing_insight(workspace_id=None, limit=10**6)}
    scoped = await leads_needing_insight(workspace_id=uuid.UUID(workspace.id), limit=10)

    assert {mine, theirs} <= everywhere
    assert scoped == [(uuid.UUID(workspace.id), mine)]


async def test_a_transient_error_is_retried_and_a_permanent_one_recorded_without_content(
    workspace: Workspace,
    worker: RunningWorker,
    fake_openai: FakeOpenAIServer,
    openai_env: dict[str, str],
    setting: Setting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    setting("OPENAI_MAX_ATTEMPTS", "2")
    caplog.set_level(logging.INFO)
    flaky = await booked_lead(workspace.id, BOOKED_THREAD, first_name="Flaky")
    broken_thread = [*BOOKED_THREAD, ("lead", f"My door code is {SECRET_WORDS}, see you Thursday.")]
    broken = await booked_lead(workspace.id, broken_thread, first_name="Broken")
    fine = [await booked_lead(workspace.id, BOOKED_THREAD, first_name=f"Fine{i}") for i in range(2)]
    requests: Counter[str] = Counter()
    lock = threading.Lock()

    def answer(request: RecordedRequest) -> FakeReply:
        name = next((n for n in ("Flaky", "Broken") if f"Name: {n} " in str(request.input)), "other")
        with lock:
            requests[name] += 1
            seen = requests[name]
        if name == "Flaky" and seen <= 3:  # the runner's 2 attempts, then the actor's retry's first
            return FakeReply.error(500 if seen % 2 else 429)
        if name == "Broken":
            return FakeReply.error(400)
        return FakeReply()

    fake_openai.script(*[answer] * 200)

    assert await enqueue_booked_summaries(uuid.UUID(workspace.id)) == 4
    await drain(worker)

    assert requests["Flaky"] == 4 and requests["Broken"] == 1
    for lead_id in (flaky, *fine):
        insight = await stored_insight(lead_id)
        assert insight is not None and insight.source == "openai"
        assert await stored_failure(lead_id) is None  # the transient failure was cleared on success
    assert await stored_insight(broken) is None
    failure = await stored_failure(broken)
    assert failure is not None
    assert (failure.category, failure.permanent, failure.attempts) == ("bad_request", True, 1)
    # A permanent failure is not picked again for the same conversation.
    assert await leads_needing_insight(workspace_id=uuid.UUID(workspace.id), limit=10) == []

    logs = caplog.text
    assert "insight.failed" in logs and str(broken) in logs and "bad_request" in logs
    assert "'permanent': False" in logs and str(flaky) in logs  # the transient failure was seen, then retried
    for forbidden in (SECRET_WORDS, "door code", "budget this quarter", "Thursday 2pm works"):
        assert forbidden not in logs
