"""Fault 4: the model provider rate limits (429), fails (5xx) or is too slow, under real web and worker
processes talking to the fake OpenAI server through the official SDK.

The runner retries a bounded number of times (OPENAI_MAX_ATTEMPTS) with jittered backoff that honours
Retry-After; after the last attempt the draft is marked failed with a reason the setter sees on the lead
(draft_failures) and a draft.failed event; POST /api/leads/{id}/drafts retries it. Webhooks and manual
sentiment changes never wait for the model meanwhile.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.processes import start_role, stop_all
from tests.reliability.harness import (
    Api,
    RedisServer,
    Web,
    openai_overrides,
    rows,
    sms_body,
    stack_env,
    wait_until,
)

pytestmark = pytest.mark.slow

MAX_ATTEMPTS = 3
TIMEOUT_S = 1.5
RETRY_AFTER_S = 0.4


class Provider:
    """Answers by the marker found in the request: each lead's SMS carries one. The draft calls of a marker
    get its planned replies in order, then `then`; classification always says Interested."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.plans: dict[str, list[FakeReply]] = {}
        self.then: dict[str, FakeReply] = {}
        self.calls: list[tuple[str, str, float]] = []  # (marker, format name, monotonic arrival)

    def plan(self, replies: list[FakeReply], then: FakeReply | None = None) -> str:
        marker = f"ref-{uuid.uuid4().hex[:8]}"
        with self.lock:
            self.plans[marker] = list(replies)
            self.then[marker] = then or FakeReply()
        return marker

    def answer_normally(self, marker: str) -> None:
        with self.lock:
            self.plans[marker] = []
            self.then[marker] = FakeReply()

    def __call__(self, request: RecordedRequest) -> FakeReply:
        text = json.dumps([request.instructions, request.input])
        with self.lock:
            marker = next((m for m in self.plans if m in text), "")
            self.calls.append((marker, request.format_name or "", time.monotonic()))
            if request.format_name == "sentiment_classification":
                return FakeReply.completed({"sentiment_tag": "Interested", "reason": "asks for a call"})
            if marker and request.format_name == "sms_draft":
                plan = self.plans[marker]
                return plan.pop(0) if plan else self.then[marker]
        return FakeReply()

    def draft_calls(self, marker: str) -> list[float]:
        with self.lock:
            return [at for m, name, at in self.calls if m == marker and name == "sms_draft"]


@dataclass
class Stack:
    web: Web
    provider: Provider
    database_url: str


@pytest.fixture(scope="module")
def stack(fake_openai_server: FakeOpenAIServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("provider-faults")
    redis_server = RedisServer(data_dir / "services")
    env = stack_env(
        redis_server.url,
        **openai_overrides(
            fake_openai_server.base_url,
            OPENAI_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
            OPENAI_BACKOFF_BASE_S="0.2",
            OPENAI_TIMEOUT_S=str(TIMEOUT_S),
        ),
    )
    web = Web(env, data_dir)
    procs = [web.proc, start_role("worker", env, data_dir / "worker.log")]
    provider = Provider()
    try:
        web.wait_ready()
        yield Stack(web, provider, env["DATABASE_URL"])
    finally:
        stop_all(procs)
        redis_server.close()


@pytest.fixture
def provider(stack: Stack, fake_openai: FakeOpenAIServer) -> Provider:
    # The session's fake server: every request of this test goes through the module's Provider.
    fake_openai.script(*[stack.provider] * 500)
    return stack.provider


@pytest.fixture
def api(stack: Stack) -> Iterator[Api]:
    client = Api.signup(stack.web.url)
    yield client
    client.close()


def interested_sms(api: Api, marker: str) -> tuple[str, str]:
    """An inbound SMS asking for a call; (message id, lead id)."""
    started = time.monotonic()
    response = api.webhook("sms", sms_body(f"Yes let's talk, what times work for you? ({marker})"))
    assert response.status_code == 200 and time.monotonic() - started < 2, response.text
    data = api.outcome(response)
    return data["message_id"], data["lead_id"]


def failure(api: Api, lead_id: str) -> dict[str, Any] | None:
    failures = api.lead(lead_id)["draft_failures"]
    return next((f for f in failures if f["channel"] == "sms"), None)


def failed_events(database_url: str, lead_id: str) -> list[dict[str, Any]]:
    found = rows(
        database_url,
        "SELECT data FROM events WHERE lead_id = :lead AND type = 'draft.failed' ORDER BY id",
        lead=lead_id,
    )
    return [r.data for r in found]


def unaffected_meanwhile(api: Api) -> None:
    """A manual sentiment change and webhooks answer promptly while the model is failing."""
    other = api.create_lead(first_name="Noah")
    started = time.monotonic()
    changed = api.call("PATCH", f"/api/leads/{other['id']}/sentiment", json={"sentiment_tag": "Interested"})
    assert changed["lead"]["sentiment_tag"] == "Interested"
    for text in ("No thanks, not interested.", "Not interested, please remove me from your list"):
        response = api.webhook("sms", sms_body(text))
        assert response.status_code == 200 and api.outcome(response)["status"] == "processed"
    assert time.monotonic() - started < 3


def assert_no_more_calls(provider: Provider, marker: str, count: int, wait_s: float = 1.5) -> None:
    """Bounded: nothing retries the failed draft on its own (no job retry, no redelivery)."""
    time.sleep(wait_s)
    assert len(provider.draft_calls(marker)) == count


def test_rate_limited_until_failed_then_retried_by_the_setter(
    stack: Stack, provider: Provider, api: Api
) -> None:
    started = time.monotonic()
    marker = provider.plan([], then=FakeReply.error(429, retry_after_s=RETRY_AFTER_S))
    message_id, lead_id = interested_sms(api, marker)
    wait_until(lambda: provider.draft_calls(marker), timeout=15, what="the first draft call")
    unaffected_meanwhile(api)

    shown = wait_until(lambda: failure(api, lead_id), timeout=20, what="the failure on the lead")
    assert shown["reason"] == "model call failed: rate_limited"
    calls = provider.draft_calls(marker)
    assert len(calls) == MAX_ATTEMPTS
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert all(gap >= RETRY_AFTER_S - 0.05 for gap in gaps), gaps  # Retry-After is a floor
    assert [e["reason"] for e in failed_events(stack.database_url, lead_id)] == [shown["reason"]]
    assert api.drafts(lead_id) == []
    assert_no_more_calls(provider, marker, MAX_ATTEMPTS)

    # The provider answers again; the setter asks for the draft.
    provider.answer_normally(marker)
    assert api.call("POST", f"/api/leads/{lead_id}/drafts", 202, json={"channel": "sms"})
    [draft] = wait_until(lambda: api.drafts(lead_id), timeout=15, what="the retried draft")
    assert draft["channel"] == "sms" and draft["status"] == "pending" and draft["source"] == "on_demand"
    assert failure(api, lead_id) is None  # cleared by the success
    assert len(provider.draft_calls(marker)) == MAX_ATTEMPTS + 1
    [(processed,)] = rows(
        stack.database_url, "SELECT post_processed_at IS NOT NULL FROM messages WHERE id = :id", id=message_id
    )
    assert processed
    print(f"rate limited: {time.monotonic() - started:.1f}s, gaps {[round(g, 2) for g in gaps]}")


def test_server_errors_are_retried_then_fail(stack: Stack, provider: Provider, api: Api) -> None:
    started = time.monotonic()
    # One lead's provider recovers within the attempts, another's never does.
    recovers = provider.plan([FakeReply.error(500), FakeReply.error(503)], then=FakeReply())
    fails = provider.plan([], then=FakeReply.error(502))
    _, recovering_lead = interested_sms(api, recovers)
    _, failing_lead = interested_sms(api, fails)

    [draft] = wait_until(lambda: api.drafts(recovering_lead), timeout=20, what="the draft after 5xx")
    assert draft["status"] == "pending" and draft["source"] == "inbound"
    assert len(provider.draft_calls(recovers)) == 3 and failure(api, recovering_lead) is None

    shown = wait_until(lambda: failure(api, failing_lead), timeout=20, what="the failure on the lead")
    assert shown["reason"] == "model call failed: server_error"
    assert [e["reason"] for e in failed_events(stack.database_url, failing_lead)] == [shown["reason"]]
    assert api.drafts(failing_lead) == []
    assert_no_more_calls(provider, fails, MAX_ATTEMPTS)
    print(f"server errors: {time.monotonic() - started:.1f}s")


def test_slow_model_times_out(stack: Stack, provider: Provider, api: Api) -> None:
    started = time.monotonic()
    marker = provider.plan([], then=FakeReply.slow(TIMEOUT_S + 3))
    _, lead_id = interested_sms(api, marker)
    wait_until(lambda: provider.draft_calls(marker), timeout=15, what="the first draft call")
    unaffected_meanwhile(api)

    shown = wait_until(lambda: failure(api, lead_id), timeout=25, what="the failure on the lead")
    assert shown["reason"] == "model call failed: timeout"
    calls = provider.draft_calls(marker)
    assert len(calls) == MAX_ATTEMPTS
    # Each attempt waited for the timeout, no longer.
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert all(TIMEOUT_S - 0.1 <= gap < TIMEOUT_S + 2.5 for gap in gaps), gaps
    assert [e["reason"] for e in failed_events(stack.database_url, lead_id)] == [shown["reason"]]
    assert api.drafts(lead_id) == []
    assert_no_more_calls(provider, marker, MAX_ATTEMPTS, wait_s=1.0)
    print(f"timeouts: {time.monotonic() - started:.1f}s, gaps {[round(g, 2) for g in gaps]}")


def test_stack_survived(stack: Stack) -> None:
    assert stack.web.proc.alive()
    assert '"request.failed"' not in stack.web.proc.output()
