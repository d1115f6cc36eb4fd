"""The whole path with real processes: the Procfile's web and worker lines, the official OpenAI SDK
against a fake OpenAI server over HTTP, PostgreSQL and Redis."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply
from tests.helpers import outcome_when_processed, sample, sign_up
from tests.processes import free_port, process_env, start_role, stop_all, wait_http

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(fake_openai: FakeOpenAIServer, tmp_path: Path) -> Iterator[tuple[str, FakeOpenAIServer]]:
    port = free_port()
    env = process_env(
        PORT=str(port),
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-test-e2e-secret",
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_BACKOFF_BASE_S="0.01",
        DRAMATIQ_NAMESPACE=f"setterdesk-e2e-{uuid.uuid4().hex[:8]}",
        WORKER_THREADS="2",
    )
    roles = [start_role("web", env, tmp_path / "web.log"), start_role("worker", env, tmp_path / "worker.log")]
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process=roles[0])
        yield f"http://127.0.0.1:{port}", fake_openai
    finally:
        stop_all(roles)
        logs = "".join(role.output() for role in roles)
        assert "sk-test-e2e-secret" not in logs
        assert "sd_" not in logs  # no session token (they all start with sd_)
        assert "token=[redacted]" in logs  # the websocket line was logged, redacted


def next_budget(prev: int, *, multiplier: float = 1.5, extra: int, cap: int) -> int:
    return min(cap, max(prev + 1, int(prev * multiplier), prev + extra))


def wait_for(predicate: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.25)
    raise TimeoutError("condition not met")


def test_sms_reply_to_pending_draft_through_real_processes_and_token_retries(
    stack: tuple[str, FakeOpenAIServer],
) -> None:
    base, fake = stack
    http = httpx.Client(base_url=base, timeout=10)
    signup = sign_up(http, "E2E")
    auth = {"Authorization": f"Bearer {signup['token']}"}
    # Classification answers Interested; the SMS draft twice runs out of output tokens, then succeeds.
    fake.script(
        FakeReply.completed({"sentiment_tag": "Interested", "reason": "wants to talk"}),
        FakeReply.incomplete(),
        FakeReply.incomplete(),
    )
    body = sample("ghl_inbound_message_sms_1.json")
    body["body"] = "Yes let's talk, what times work for you?"
    response = http.post(
        f"/api/webhooks/sms?workspace={signup['workspace']['id']}",
        json=body,
        headers={"X-Webhook-Secret": signup["workspace"]["webhook_secret"]},
    )
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "accepted"
    stored = outcome_when_processed(
        lambda path: http.get(path, headers=auth).json()["data"], response.json()["data"]
    )
    lead_id = stored["lead_id"]

    def drafts() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = http.get(
            f"/api/leads/{lead_id}/drafts?status=pending", headers=auth
        ).json()["data"]
        return found

    # A websocket authenticated by ?token=: uvicorn logs the path, which must not leak the token.
    with connect(base.replace("http", "ws") + f"/ws?token={signup['token']}") as socket:
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=5)) == {"type": "pong"}

    [draft] = wait_for(drafts)
    assert draft["channel"] == "sms" and draft["provider"] == "openai" and draft["content"]
    lead = http.get(f"/api/leads/{lead_id}", headers=auth).json()["data"]["lead"]
    assert lead["sentiment_tag"] == "Interested"

    sms_budgets = [r.max_output_tokens for r in fake.requests if r.format_name == "sms_draft"]
    assert sms_budgets[0] is not None and len(sms_budgets) == 3
    expected = [sms_budgets[0]]
    for _ in range(2):
        expected.append(next_budget(expected[-1], extra=1200, cap=6000))  # the draft prompts' growth
    assert sms_budgets == expected
    assert all(r.authorization == "Bearer sk-test-e2e-secret" for r in fake.requests)
