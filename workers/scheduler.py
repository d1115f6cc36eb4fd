"""`python -m workers.scheduler`: the one scheduler process (Procfile `scheduler`).

Each periodic job runs at most once per period across every scheduler started, guarded by a Redis
lock named after the period, so a second scheduler started by mistake does not double the work.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from server.core.jobs import relay_outbox
from server.core.logging import configure_logging, get_logger
from server.core.redis import redis_client
from server.core.settings import get_settings
from server.drafts.stalled_messages import requeue_stalled_messages
from server.inbound.processing import requeue_waiting
from server.insights.booked_summaries import request_booked_summaries
from server.sending.sweeps import requeue_lost_sends, settle_stuck_sends

log = get_logger(__name__)

STALLED_SWEEP_INTERVAL_S = 60
# How often the scheduler looks whether a new booked-summaries period began (the lock runs it once).
BOOKED_SUMMARIES_TICK_S = 60
OUTBOX_RELAY_INTERVAL_S = 5
# Webhooks whose hand-over to a worker failed (Redis down) wait at most about this long.
WEBHOOK_SWEEP_INTERVAL_S = 5
# Sends interrupted mid-call become `unknown`, and lost retry jobs are queued again, this often.
SEND_SWEEP_INTERVAL_S = 10


async def once_per_period(
    name: str, period_s: int, job: Callable[[], Awaitable[object]], *, now: float | None = None
) -> bool:
    """Run `job` unless another scheduler already ran it in this period. Returns whether it ran.
    `now` (epoch seconds) replaces the clock, for tests."""
    period = int((time.time() if now is None else now) // period_s)
    claimed = await redis_client().set(f"setterdesk:scheduler:{name}:{period}", "1", nx=True, ex=period_s * 2)
    if not claimed:
        return False
    try:
        result = await job()
        log.info("scheduler.ran", job=name, period=period, result=str(result))
    except Exception as exc:
        log.error("scheduler.job_failed", job=name, error_type=type(exc).__name__)
    return True


async def sweep_stalled() -> None:
    await once_per_period("stalled-messages", STALLED_SWEEP_INTERVAL_S, requeue_stalled_messages)


async def summarise_booked(*, now: float | None = None) -> bool:
    """Hand the booked-summaries job to a worker once per settings.insights_interval_s."""
    period_s = get_settings().insights_interval_s
    return await once_per_period("booked-summaries", period_s, request_booked_summaries, now=now)


async def relay() -> None:
    # Safe from several schedulers at once: rows being relayed are locked and skipped by the others.
    try:
        await relay_outbox()
    except Exception as exc:
        log.warning("outbox.relay_failed", error_type=type(exc).__name__)


async def sweep_webhooks() -> None:
    # Safe from several schedulers at once: the rows are claimed with SKIP LOCKED and restamped.
    try:
        await requeue_waiting()
    except Exception as exc:
        log.warning("webhook.sweep_failed", error_type=type(exc).__name__)


async def sweep_sends() -> None:
    # Safe from several schedulers at once: each change is a conditional update, a duplicate job is refused
    # by the send's claim.
    try:
        await settle_stuck_sends()
        await requeue_lost_sends()
    except Exception as exc:
        log.warning("messages.send_sweep_failed", error_type=type(exc).__name__)


async def run() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    # APScheduler logs every run of every job (four lines every 5 s) at INFO; its failures stay ERROR, and the
    # jobs log what they did themselves.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(sweep_stalled, "interval", seconds=STALLED_SWEEP_INTERVAL_S, max_instances=1)
    tick_s = min(BOOKED_SUMMARIES_TICK_S, settings.insights_interval_s)
    scheduler.add_job(summarise_booked, "interval", seconds=tick_s, max_instances=1)
    scheduler.add_job(relay, "interval", seconds=OUTBOX_RELAY_INTERVAL_S, max_instances=1)
    scheduler.add_job(sweep_webhooks, "interval", seconds=WEBHOOK_SWEEP_INTERVAL_S, max_instances=1)
    scheduler.add_job(sweep_sends, "interval", seconds=SEND_SWEEP_INTERVAL_S, max_instances=1)
    scheduler.start()
    log.info("scheduler.started", jobs=[job.id for job in scheduler.get_jobs()])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=False)
    log.info("scheduler.stopped")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
