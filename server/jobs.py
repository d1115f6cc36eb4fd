"""Enqueue background jobs by actor name, without importing the worker code into the web process."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from dramatiq import Message

from server.logging import get_logger
from workers.broker import get_broker

log = get_logger(__name__)


class Job(msgspec.Struct, frozen=True):
    actor_name: str
    kwargs: dict[str, Any]
    queue: str = "default"
    delay_ms: int | None = None


def _send(job: Job) -> None:
    message: Message[Any] = Message(
        queue_name=job.queue, actor_name=job.actor_name, args=(), kwargs=job.kwargs, options={}
    )
    get_broker().enqueue(message, delay=job.delay_ms)


async def send_jobs(jobs: list[Job]) -> None:
    """Hand jobs to the broker. Only ever called after the transaction that needs them committed."""
    if not jobs:
        return
    await asyncio.to_thread(_send_all, jobs)


def _send_all(jobs: list[Job]) -> None:
    for job in jobs:
        _send(job)
        log.info("job.enqueued", actor=job.actor_name, **{k: str(v) for k, v in job.kwargs.items()})
