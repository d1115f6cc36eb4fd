"""Jobs handed to the broker in one pipelined round trip reach a real worker, each exactly once."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import dramatiq
import pytest

from server.core.jobs import Job, send_jobs
from tests.conftest import RunningWorker

RECORD_ACTOR = "tests.record_job"
_seen: list[dict[str, Any]] = []
_lock = threading.Lock()


def _record(**kwargs: Any) -> None:
    with _lock:
        _seen.append(kwargs)


@pytest.fixture
def recording_worker(worker: RunningWorker) -> RunningWorker:
    if RECORD_ACTOR not in worker.broker.actors:
        dramatiq.actor(_record, actor_name=RECORD_ACTOR, queue_name="default", broker=worker.broker)
    return worker


def seen_in(run: str) -> list[int]:
    return sorted(seen["n"] for seen in _seen if seen["run"] == run)


async def test_a_batch_of_jobs_is_consumed_by_the_worker_once_each(recording_worker: RunningWorker) -> None:
    run = uuid.uuid4().hex
    await send_jobs([Job(RECORD_ACTOR, {"run": run, "n": n}) for n in range(25)])
    recording_worker.drain()
    assert seen_in(run) == list(range(25))


async def test_jobs_still_reach_the_worker_after_redis_forgot_the_enqueue_script(
    recording_worker: RunningWorker,
) -> None:
    recording_worker.broker.client.script_flush()  # what a Redis restart does to the script cache
    run = uuid.uuid4().hex
    await send_jobs([Job(RECORD_ACTOR, {"run": run, "n": n}) for n in range(3)])
    recording_worker.drain()
    assert seen_in(run) == [0, 1, 2]


async def test_other_commands_ride_in_the_same_round_trip(recording_worker: RunningWorker) -> None:
    run = uuid.uuid4().hex
    key = f"tests:with-commands:{run}"
    await send_jobs(
        [Job(RECORD_ACTOR, {"run": run, "n": 1})], with_commands=lambda pipe: pipe.set(key, "1", ex=60)
    )
    recording_worker.drain()
    assert seen_in(run) == [1]
    assert recording_worker.broker.client.get(key) == b"1"
