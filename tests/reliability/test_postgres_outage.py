"""Fault 3: PostgreSQL stops for a few seconds under a running web process and worker (our own embedded
PostgreSQL, so the shared one is never touched).

While it is down every webhook and API call answers 503 with Retry-After (providers retry), never 500.
When it is back the same processes recover by themselves, and the webhook the provider retries is stored
once and processed once.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import email_reply
from tests.processes import start_role, stop_all
from tests.reliability.harness import (
    Api,
    Clock,
    Postgres,
    RedisServer,
    Web,
    stack_env,
    wait_until,
)

pytestmark = pytest.mark.slow

INTERESTED = "Sounds interesting, can we set up a call next week?"


@pytest.fixture
def postgres(redis_server: RedisServer, log_dir: Path) -> Iterator[Postgres]:
    # Not under pytest's tmp_path: PostgreSQL runs as another user when we are root, and every pytest
    # session that starts (others run tests on this machine too) makes /tmp/pytest-of-<user> private again.
    data_dir = Path(tempfile.mkdtemp(prefix="setterdesk-pg-"))
    server = Postgres(data_dir, "setterdesk_reliability")
    try:
        server.start()
        server.migrate(stack_env(redis_server.url, server.url), log_dir / "release.log")
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def test_postgres_outage_answers_503_then_recovers(
    postgres: Postgres, redis_server: RedisServer, log_dir: Path
) -> None:
    clock = Clock()
    env = stack_env(redis_server.url, postgres.url)
    web = Web(env, log_dir)
    worker = start_role("worker", env, log_dir / "worker.log")
    procs = [web.proc, worker]
    try:
        web.wait_ready()
        clock("stack ready")
        api = Api.signup(web.url)
        lead = api.create_lead()
        first = api.webhook("email", email_reply(lead["email"], INTERESTED))
        assert first.status_code == 200, first.text
        wait_until(lambda: api.drafts(lead["id"]), timeout=15, what="the first draft")
        retried = email_reply(lead["email"], "Actually, could we talk on Thursday afternoon instead?")
        outside = httpx.Client(base_url=web.url, timeout=20)
        calls: dict[str, Callable[[], httpx.Response]] = {
            "webhook": lambda: api.webhook("email", retried),
            "list leads": lambda: api.request("GET", "/api/leads"),
            "lead": lambda: api.request("GET", f"/api/leads/{lead['id']}"),
            "messages": lambda: api.request("GET", f"/api/leads/{lead['id']}/messages"),
            "drafts": lambda: api.request("GET", f"/api/leads/{lead['id']}/drafts"),
            "edit lead": lambda: api.request("PATCH", f"/api/leads/{lead['id']}", json={"title": "CTO"}),
            "sentiment": lambda: api.request(
                "PATCH", f"/api/leads/{lead['id']}/sentiment", json={"sentiment_tag": "Interested"}
            ),
            "create lead": lambda: api.request("POST", "/api/leads", json={"first_name": "Ann"}),
            "generate draft": lambda: api.request(
                "POST", f"/api/leads/{lead['id']}/drafts", json={"channel": "email"}
            ),
            "me": lambda: api.request("GET", "/api/me"),
            "login": api.login,
            "signup": lambda: outside.post(
                "/api/signup",
                json={
                    "workspace_name": "Late",
                    "name": "Lee",
                    "email": f"late-{uuid.uuid4().hex[:8]}@example.com",
                    "password": "correct horse battery",
                },
            ),
            "health": lambda: outside.get("/healthz"),
        }
        answers: list[tuple[str, int, str | None]] = []

        def call(name: str) -> httpx.Response:
            response = calls[name]()
            answers.append((name, response.status_code, response.headers.get("retry-after")))
            return response

        # First it shuts down "smart": the sessions our pools hold go on, new connections are refused
        # (57P03 "the database system is shutting down", as while a server starts up or recovers).
        postgres.begin_smart_shutdown()
        clock("postgres shutting down")
        reads = ["list leads", "lead", "messages", "drafts", "me"] * 6
        with ThreadPoolExecutor(len(reads)) as pool:  # more at once than the pool holds connections
            list(pool.map(call, reads))
        shutting_down = [(name, status) for name, status, _ in answers]
        assert {status for _, status in shutting_down} <= {200, 503}, shutting_down
        assert 503 in {status for _, status in shutting_down}, "no request needed a new connection"
        assert all(retry_after for _, status, retry_after in answers if status == 503)
        answers.clear()

        postgres.stop()
        clock("postgres stopped")
        down_until = time.monotonic() + 4
        while time.monotonic() < down_until:
            for name in calls:
                call(name)
        clock(f"{len(answers)} requests during the outage")
        assert sorted({(name, status) for name, status, _ in answers if status != 503}) == []
        assert all(retry_after for _, _, retry_after in answers)
        assert all(r.json()["error"]["code"] == "service_unavailable" for r in [calls["webhook"]()])

        postgres.start()
        clock("postgres back")
        during_recovery: list[tuple[str, int, str | None]] = []

        def recovered() -> Any:
            response = calls["webhook"]()
            during_recovery.append(("webhook", response.status_code, response.headers.get("retry-after")))
            return response if response.status_code == 200 else None

        accepted = wait_until(recovered, timeout=20, every=0.25, what="the webhook accepted again")
        stored = api.outcome(accepted)
        clock("recovered")
        assert all(status == 503 and retry_after for _, status, retry_after in during_recovery[:-1])
        assert stored["status"] == "processed"
        # Every call answers again, from the same processes.
        for name in calls:
            response = call(name)
            assert response.status_code < 500, (name, response.status_code, response.text)
        assert api.outcome(api.webhook("email", retried))["status"] == "duplicate"
        assert web.proc.alive() and worker.alive()

        # Stored once, and processed once by the worker that lived through the outage.
        inbound = [m for m in api.messages(lead["id"]) if m["direction"] == "inbound"]
        assert sorted(m["body"][:20] for m in inbound) == sorted(
            [INTERESTED[:20], "Actually, could we talk on Thursday afternoon instead?"[:20]]
        )

        def drafted() -> list[dict[str, Any]] | None:
            # Its drafts: the pipeline's, and the on-demand one the loop above asked for (whichever came last
            # supersedes the other). One is pending, and the pipeline wrote at most one.
            drafts = [d for d in api.drafts(lead["id"]) if d["trigger_message_id"] == stored["message_id"]]
            return drafts if any(d["status"] == "pending" for d in drafts) else None

        def check(drafts: list[dict[str, Any]]) -> None:
            assert [d["status"] for d in drafts].count("pending") == 1, drafts
            assert sum(d["source"] == "inbound" for d in drafts) <= 1, drafts

        check(wait_until(drafted, timeout=20, what="the retried webhook's draft"))
        clock("retried webhook drafted")
        time.sleep(1.0)
        check(drafted() or [])
        assert '"request.failed"' not in web.proc.output()  # the log line of a 500
        outside.close()
    finally:
        stop_all(procs)
        clock("stopped")
