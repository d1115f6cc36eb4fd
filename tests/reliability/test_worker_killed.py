"""Fault 1: a worker killed (SIGKILL, its whole process group) while its model call is in flight.

Dramatiq's Redis broker keeps a fetched message in the worker's ack set until the job ends; once the dead
worker's heartbeat is DRAMATIQ_HEARTBEAT_TIMEOUT_MS old, queue maintenance (run by another worker's broker
commands, DRAMATIQ_MAINTENANCE_CHANCE in a million of them) puts the message back on its queue. The job is
idempotent, so the redelivered run produces the one draft the killed run never stored.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.processes import start_role, stop_all
from tests.reliability.harness import (
    Api,
    Clock,
    RedisServer,
    Web,
    broker_backlog,
    openai_overrides,
    rows,
    sms_body,
    stack_env,
    wait_until,
)

pytestmark = pytest.mark.slow

HEARTBEAT_TIMEOUT_MS = 3000


class SlowFirstDraft:
    """Classification says Interested; the first SMS draft call hangs (the worker dies meanwhile)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sms_drafts = 0

    def __call__(self, request: RecordedRequest) -> FakeReply:
        if request.format_name == "sentiment_classification":
            return FakeReply.completed({"sentiment_tag": "Interested", "reason": "asks for a call"})
        if request.format_name == "sms_draft":
            with self.lock:
                self.sms_drafts += 1
                if self.sms_drafts == 1:
                    return FakeReply.slow(30)
        return FakeReply()


def test_worker_killed_mid_draft_yields_exactly_one_draft(
    fake_openai: FakeOpenAIServer, redis_server: RedisServer, log_dir: Path
) -> None:
    clock = Clock()
    responder = SlowFirstDraft()
    fake_openai.script(*[responder] * 20)
    env = stack_env(
        redis_server.url,
        **openai_overrides(fake_openai.base_url),
        DRAMATIQ_HEARTBEAT_TIMEOUT_MS=str(HEARTBEAT_TIMEOUT_MS),
        DRAMATIQ_MAINTENANCE_CHANCE="1000000",
        WORKER_THREADS="2",
    )
    database_url = env["DATABASE_URL"]
    web = Web(env, log_dir)
    worker = start_role("worker", env, log_dir / "worker-1.log")
    procs = [web.proc, worker]
    try:
        web.wait_ready()
        clock("web ready")
        api = Api.signup(web.url)
        response = api.webhook("sms", sms_body("Yes let's talk, what times work for you?"))
        assert response.status_code == 200, response.text
        stored = api.outcome(response)
        message_id, lead_id = stored["message_id"], stored["lead_id"]

        def draft_call_in_flight() -> bool:
            return any(r.format_name == "sms_draft" for r in fake_openai.requests)

        wait_until(draft_call_in_flight, timeout=20, what="the draft model call")
        clock("draft call in flight")
        assert len(worker.group()) >= 2  # dramatiq's main process and its forked worker process
        worker.kill()
        killed_at = time.monotonic()
        clock("worker killed")
        assert worker.group() == [], "a forked worker process survived the kill"
        assert api.drafts(lead_id) == []

        replacement = start_role("worker", env, log_dir / "worker-2.log")
        procs.append(replacement)
        clock("replacement started")
        drafts = wait_until(lambda: api.drafts(lead_id), timeout=25, what="the redelivered draft")
        redelivered_after = time.monotonic() - killed_at
        clock("draft stored")
        assert redelivered_after >= HEARTBEAT_TIMEOUT_MS / 1000 - 0.5  # not before the worker counts as dead

        def settled() -> bool:
            [(processed,)] = rows(
                database_url,
                "SELECT post_processed_at IS NOT NULL FROM messages WHERE id = :id",
                id=message_id,
            )
            return bool(processed) and not broker_backlog(redis_server.client(), env["DRAMATIQ_NAMESPACE"])

        wait_until(settled, timeout=10, what="the message processed and the broker empty")
        clock("settled")
        time.sleep(1.0)  # a second, late delivery would show up now

        drafts = api.drafts(lead_id)
        assert len(drafts) == 1, drafts
        [draft] = drafts
        assert draft["trigger_message_id"] == message_id and draft["channel"] == "sms"
        assert draft["status"] == "pending" and draft["provider"] == "openai"
        [(stored,)] = rows(
            database_url,
            "SELECT count(*) FROM drafts WHERE trigger_message_id = :id AND channel = 'sms'",
            id=message_id,
        )
        assert stored == 1
        [(created_events,)] = rows(
            database_url,
            "SELECT count(*) FROM events WHERE lead_id = :lead AND type = 'draft.created'",
            lead=lead_id,
        )
        assert created_events == 1
        # Nothing stuck: no failure shown, no job left in the outbox or in Redis (queued or unacknowledged).
        assert api.lead(lead_id)["draft_failures"] == []
        [(outbox,)] = rows(
            database_url, "SELECT count(*) FROM job_outbox WHERE kwargs->>'message_id' = :id", id=message_id
        )
        assert outbox == 0
        assert broker_backlog(redis_server.client(), env["DRAMATIQ_NAMESPACE"]) == {}
        # The killed run's call and the redelivered run's call; nothing else asked for this draft.
        assert responder.sms_drafts == 2
        assert replacement.alive() and web.proc.alive()
        assert '"draft.created"' in replacement.output()
        print(f"redelivered {redelivered_after:.1f}s after the kill")
    finally:
        stop_all(procs)
        clock("stopped")
