"""Fault 2: Redis dies (SIGKILL) and comes back empty on the same port, under web + worker + scheduler.

While it is gone, the REST API and the webhooks keep answering and committing to PostgreSQL; the webhooks
wait in the webhook event log, which is the ingestion queue (jobs of other actions wait in the job outbox,
tests/core/test_job_outbox.py). Once Redis is back, the scheduler's sweep hands the webhooks to the worker,
each is processed once and every pending job runs once (one draft per trigger message), a websocket client
that stayed connected gets every event once its web process re-subscribes, and a client that disconnected
during the outage resumes from its last event id and receives every event it missed, in order, once.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import email_reply
from tests.processes import start_role, stop_all
from tests.reliability.harness import (
    Api,
    Clock,
    RedisServer,
    Web,
    Ws,
    broker_backlog,
    event_ids,
    rows,
    stack_env,
    wait_until,
)

pytestmark = pytest.mark.slow

INTERESTED = "Sounds interesting, can we set up a call next week?"


def workspace_event_ids(database_url: str, workspace_id: str, after: int) -> list[int]:
    found = rows(
        database_url,
        "SELECT id FROM events WHERE workspace_id = :ws AND id > :after ORDER BY id",
        ws=workspace_id,
        after=after,
    )
    return [int(r.id) for r in found]


def test_redis_outage_loses_nothing(redis_server: RedisServer, log_dir: Path) -> None:
    clock = Clock()
    # The scheduler relays outbox jobs older than 3 s (15 s by default) every 5 s, and hands over webhooks
    # whose hand-over failed every 5 s.
    env = stack_env(redis_server.url, OUTBOX_RELAY_AFTER_S="3")
    database_url = env["DATABASE_URL"]
    web = Web(env, log_dir)
    procs = [
        web.proc,
        start_role("worker", env, log_dir / "worker.log"),
        start_role("scheduler", env, log_dir / "scheduler.log"),
    ]
    sockets: list[Ws] = []
    try:
        web.wait_ready()
        clock("stack ready")
        api = Api.signup(web.url)
        lead = api.create_lead()
        staying = Ws.open(web.ws_url, api.token)
        leaving = Ws.open(web.ws_url, api.token)
        sockets += [staying, leaving]
        baseline = staying.subscribe_inbox()
        leaving.subscribe_inbox()
        api.call("PATCH", f"/api/leads/{lead['id']}", json={"company": "Before the outage"})
        seen = leaving.events_until(lambda events: len(events) >= 1, timeout=10)
        last_seen = event_ids(seen)[-1]

        redis_server.kill()
        clock("redis killed")
        answers: list[tuple[str, int, float]] = []

        def timed(label: str, call: Any) -> Any:
            started = time.monotonic()
            response = call()
            answers.append((label, response.status_code, time.monotonic() - started))
            return response

        # Webhooks: the known lead, and two leads that do not exist yet.
        emails = [lead["email"], *(f"new-{uuid.uuid4().hex[:8]}@prospect.io" for _ in range(2))]
        stored = []
        for email in emails:
            response = timed(
                "webhook", lambda email=email: api.webhook("email", email_reply(email, INTERESTED))
            )
            stored.append(response.json()["data"])
        # The REST API, reads and writes.
        timed("list leads", lambda: api.request("GET", "/api/leads"))
        timed("lead", lambda: api.request("GET", f"/api/leads/{lead['id']}"))
        timed("edit lead", lambda: api.request("PATCH", f"/api/leads/{lead['id']}", json={"title": "VP"}))
        created = timed("create lead", lambda: api.request("POST", "/api/leads", json={"first_name": "Ann"}))
        timed("me", lambda: api.request("GET", "/api/me"))
        login = api.login()  # throttled through Redis: it may refuse, with a Retry-After, never a 500
        assert login.status_code == 200 or (login.status_code == 503 and login.headers["Retry-After"]), login
        leaving.close()  # a client that disconnects during the outage
        clock("requests during the outage answered")

        assert [(label, status) for label, status, _ in answers if status >= 500] == []
        assert [status for label, status, _ in answers if label == "webhook"] == [200, 200, 200]
        assert all(seconds < 3 for _, _, seconds in answers), answers
        assert created.status_code == 201
        assert [s["status"] for s in stored] == ["accepted"] * 3
        event_ids_ = [s["webhook_event_id"] for s in stored]
        # Recorded in PostgreSQL, waiting for a worker: the rows are the queue, with no job handed over.
        waiting_sql = (
            "SELECT count(*) FROM webhook_events WHERE id::text = ANY(:ids) AND status = 'received'"
            " AND handed_over_at IS NULL"
        )
        [(waiting,)] = rows(database_url, waiting_sql, ids=event_ids_)
        assert waiting == 3

        # The scheduler's sweep tries to hand them over while Redis is still down; they keep waiting.
        scheduler = procs[2]
        wait_until(
            lambda: '"webhook.handover_failed"' in scheduler.output(), timeout=12, what="a failed hand-over"
        )
        [(waiting,)] = rows(database_url, waiting_sql, ids=event_ids_)
        assert waiting == 3
        redis_server.start()
        clock("redis back")

        outcomes = [api.outcome(s, timeout_s=30) for s in stored]
        assert [o["status"] for o in outcomes] == ["processed"] * 3
        message_ids = [o["message_id"] for o in outcomes]
        clock("webhooks processed")

        def drafts_done() -> list[list[dict[str, Any]]] | None:
            per_lead = [api.drafts(o["lead_id"]) for o in outcomes]
            return per_lead if all(per_lead) else None

        wait_until(drafts_done, timeout=30, every=0.5, what="a draft for every webhook")
        clock("drafts written")

        def settled() -> bool:
            [(left,)] = rows(
                database_url,
                "SELECT count(*) FROM messages WHERE id::text = ANY(:ids) AND post_processed_at IS NULL",
                ids=message_ids,
            )
            return left == 0 and not broker_backlog(redis_server.client(), env["DRAMATIQ_NAMESPACE"])

        wait_until(settled, timeout=10, what="every message processed and the broker empty")
        time.sleep(1.0)  # a job run twice would show up now

        # Every webhook was processed once and every pending job ran once: one draft per trigger message.
        for outcome in outcomes:
            drafts = api.drafts(outcome["lead_id"])
            assert [(d["trigger_message_id"], d["status"]) for d in drafts] == [
                (outcome["message_id"], "pending")
            ]
        assert '"webhook.requeued"' in scheduler.output()

        expected = workspace_event_ids(database_url, api.workspace_id, baseline)
        # The client that stayed: every event, in order, once (its web process re-read the log on reconnect).
        live = staying.events_until(
            lambda events: event_ids(events)[-1:] == expected[-1:], timeout=15, quiet_s=1
        )
        assert event_ids(live) == expected
        # The client that left resumes from the last event it saw.
        back = Ws.open(web.ws_url, api.token)
        sockets.append(back)
        back.subscribe_inbox(last_seen)
        missed = workspace_event_ids(database_url, api.workspace_id, last_seen)
        replayed = back.events_until(lambda events: len(events) >= len(missed), timeout=10, quiet_s=1)
        assert event_ids(replayed) == missed
        assert {"message.created", "draft.created"} <= {e["type"] for e in replayed}
        clock("websocket clients checked")
        assert all(proc.alive() for proc in procs)
    finally:
        for socket in sockets:
            socket.close()
        stop_all(procs)
        clock("stopped")
