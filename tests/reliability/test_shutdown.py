"""Fault 5: SIGTERM, the way a deploy or a scale-down stops a process.

- `web`: the requests in flight finish (200), the websocket clients are closed with 1001 "going away" (sent
  by the app's chained signal handler before uvicorn's own 1012 "service restart"), and a client that
  reconnects to the other web process with its last event id misses nothing and sees nothing twice.
- `worker`: the job it is running finishes; the job it had fetched but not started goes back on the queue
  and another worker runs it; one draft per trigger message in the end.
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.processes import start_role, stop_all
from tests.reliability.harness import (
    Api,
    Clock,
    RedisServer,
    RowLock,
    Web,
    Ws,
    broker_backlog,
    event_ids,
    openai_overrides,
    rows,
    sms_body,
    stack_env,
    wait_until,
)

pytestmark = pytest.mark.slow

GOING_AWAY = 1001


def test_web_sigterm_finishes_requests_and_clients_resume_elsewhere(
    redis_server: RedisServer, log_dir: Path
) -> None:
    clock = Clock()
    env = stack_env(redis_server.url)
    database_url = env["DATABASE_URL"]
    stopping, staying = Web(env, log_dir), Web(env, log_dir)
    procs = [stopping.proc, staying.proc]
    sockets: list[Ws] = []
    try:
        stopping.wait_ready()
        staying.wait_ready()
        clock("two web processes ready")
        api = Api.signup(stopping.url)
        other = api.on(staying.url)
        lead = api.create_lead()
        client = Ws.open(stopping.ws_url, api.token)
        sockets.append(client)
        client.subscribe_inbox()
        api.call("PATCH", f"/api/leads/{lead['id']}", json={"company": "Before"})
        last_seen = event_ids(client.events_until(lambda events: len(events) >= 1))[-1]

        # The lock is released (inner block) before the pool waits for its requests (outer block).
        with ThreadPoolExecutor(4) as pool, RowLock(database_url, "leads", lead["id"]) as lock:
            # Requests that wait for the lead's row lock: in flight when SIGTERM arrives.
            def in_flight(method: str, path: str, body: dict[str, str]) -> httpx.Response:
                with httpx.Client(base_url=stopping.url, timeout=30, headers=api.auth) as http:
                    return http.request(method, path, json=body)

            pending = [
                pool.submit(in_flight, "PATCH", f"/api/leads/{lead['id']}", {"company": "During"}),
                pool.submit(
                    in_flight, "PATCH", f"/api/leads/{lead['id']}/sentiment", {"sentiment_tag": "Interested"}
                ),
            ]
            wait_until(lambda: lock.waiting() >= 2, timeout=10, what="two requests waiting on the row")
            stopping.proc.terminate()
            clock("SIGTERM sent")

            close_code = client.closed_with(timeout=5)
            clock(f"websocket closed with {close_code}")
            assert close_code == GOING_AWAY
            # The stopping process takes no new connection; the other one serves the client meanwhile.
            wait_until(lambda: not _accepts(stopping.url), timeout=5, what="the listener closed")
            other.create_lead(first_name="Meanwhile")
            assert all(not f.done() for f in pending) and stopping.proc.alive()
            time.sleep(1.0)  # still waiting for the lock, SIGTERM or not
            assert all(not f.done() for f in pending) and stopping.proc.alive()
            lock.release()
            answers = [f.result(timeout=15) for f in pending]
        clock("in-flight requests answered")
        assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
        assert answers[0].json()["data"]["company"] == "During"
        assert answers[1].json()["data"]["lead"]["sentiment_tag"] == "Interested"
        # uvicorn re-raises the SIGTERM it handled once its graceful shutdown is over.
        assert stopping.proc.wait(20) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in stopping.proc.output()
        clock("stopped web exited")

        # The client reconnects to the other process and resumes from the last event it saw.
        back = Ws.open(staying.ws_url, api.token)
        sockets.append(back)
        back.subscribe_inbox(last_seen)
        [*missed] = (
            r.id
            for r in rows(
                database_url,
                "SELECT id FROM events WHERE workspace_id = :ws AND id > :after ORDER BY id",
                ws=api.workspace_id,
                after=last_seen,
            )
        )
        assert len(missed) >= 3  # the two in-flight changes and the lead created meanwhile
        replayed = back.events_until(lambda events: len(events) >= len(missed), timeout=10, quiet_s=1)
        assert event_ids(replayed) == missed
        assert '"request.failed"' not in stopping.proc.output()
    finally:
        for socket in sockets:
            socket.close()
        stop_all(procs)
        clock("stopped")


def _accepts(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=1)
    except httpx.TransportError:
        return False
    return True


class SlowFirstDraft:
    """Classification says Interested; the first SMS draft takes a few seconds, the others are quick."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.sms_drafts = 0

    def __call__(self, request: RecordedRequest) -> FakeReply:
        if request.format_name == "sentiment_classification":
            return FakeReply.completed({"sentiment_tag": "Interested", "reason": "asks for a call"})
        if request.format_name == "sms_draft":
            with self.lock:
                self.sms_drafts += 1
                if self.sms_drafts == 1:
                    return FakeReply.slow(self.delay_s)
        return FakeReply()


def test_worker_sigterm_finishes_its_job_and_requeues_the_rest(
    fake_openai: FakeOpenAIServer, redis_server: RedisServer, log_dir: Path
) -> None:
    clock = Clock()
    responder = SlowFirstDraft(delay_s=4)
    fake_openai.script(*[responder] * 50)
    # One thread: the second job is fetched (prefetched) while the first runs, but not started.
    env = stack_env(redis_server.url, **openai_overrides(fake_openai.base_url), WORKER_THREADS="1")
    database_url, namespace = env["DATABASE_URL"], env["DRAMATIQ_NAMESPACE"]
    web = Web(env, log_dir)
    first_worker = start_role("worker", env, log_dir / "worker-1.log")
    procs = [web.proc, first_worker]
    try:
        web.wait_ready()
        api = Api.signup(web.url)
        clock("stack ready")
        running = api.outcome(api.webhook("sms", sms_body("Yes let's talk, what times work for you?")))
        wait_until(lambda: responder.sms_drafts >= 1, timeout=20, what="the first draft call")
        # Its ingest job is fetched while the slow draft runs, and not started.
        second = api.webhook("sms", sms_body("Sounds good, can you call me tomorrow?"))
        assert second.status_code == 200, second.text
        second_event = f"/api/webhook-events/{second.json()['data']['webhook_event_id']}"

        def unacked() -> int:
            backlog = broker_backlog(redis_server.client(), namespace)
            return sum(n for key, n in backlog.items() if "__acks__" in key)

        wait_until(lambda: unacked() == 2, timeout=10, what="both jobs fetched by the worker")
        first_worker.terminate()
        clock("SIGTERM sent to the worker")
        assert first_worker.wait(30) == 0
        clock("worker exited")
        # The job it was running finished before it exited...
        [draft] = api.drafts(running["lead_id"])
        assert draft["trigger_message_id"] == running["message_id"]
        # ...and the one it had not started is back on the queue, for the next worker.
        assert api.call("GET", second_event)["status"] == "received"
        assert unacked() == 0 and broker_backlog(redis_server.client(), namespace)

        second_worker = start_role("worker", env, log_dir / "worker-2.log")
        procs.append(second_worker)
        waiting = api.outcome(second)
        wait_until(lambda: api.drafts(waiting["lead_id"]), timeout=20, what="the requeued job's draft")
        clock("requeued job done")

        def settled() -> bool:
            [(left,)] = rows(
                database_url,
                "SELECT count(*) FROM messages WHERE id::text = ANY(:ids) AND post_processed_at IS NULL",
                ids=[running["message_id"], waiting["message_id"]],
            )
            return left == 0 and not broker_backlog(redis_server.client(), namespace)

        wait_until(settled, timeout=10, what="both messages processed and the broker empty")
        time.sleep(1.0)
        for message in (running, waiting):
            drafts = api.drafts(message["lead_id"])
            assert [d["trigger_message_id"] for d in drafts] == [message["message_id"]]
        assert responder.sms_drafts == 2  # one call per job: nothing ran twice
        assert '"draft.created"' in first_worker.output() and '"draft.created"' in second_worker.output()
    finally:
        stop_all(procs)
        clock("stopped")
