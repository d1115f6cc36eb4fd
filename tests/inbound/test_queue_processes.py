"""Invariant 10 (docs/ARCHITECTURE.md) with real processes: the Procfile's web answers webhooks with no worker
running at all, and a worker started later processes every one of them."""

from __future__ import annotations

import copy
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.helpers import outcome_when_processed, sample, sign_up
from tests.processes import free_port, process_env, start_role, stop_all, wait_http

pytestmark = pytest.mark.slow


def test_webhooks_answered_without_a_worker_are_processed_once_one_starts(tmp_path: Path) -> None:
    port = free_port()
    env = process_env(PORT=str(port), DRAMATIQ_NAMESPACE=f"setterdesk-queue-{uuid.uuid4().hex[:8]}")
    roles = [start_role("web", env, tmp_path / "web.log")]
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", process=roles[0])
        http = httpx.Client(base_url=base, timeout=10)
        signup = sign_up(http, "Queue")
        auth = {"Authorization": f"Bearer {signup['token']}"}
        answers = []
        for n in range(20):
            body = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
            body.update(contactId=f"q-{uuid.uuid4().hex[:10]}", messageId=f"q-{n}-{uuid.uuid4().hex[:8]}")
            body["from"] = f"+1415666{n:04d}"
            started = time.monotonic()
            response = http.post(
                f"/api/webhooks/sms?workspace={signup['workspace']['id']}",
                json=body,
                headers={"X-Webhook-Secret": signup["workspace"]["webhook_secret"]},
            )
            assert response.status_code == 200 and time.monotonic() - started < 2, response.text
            answers.append(response.json()["data"])
        assert {a["status"] for a in answers} == {"accepted"}
        log = http.get("/api/webhook-events", params={"status": "received"}, headers=auth).json()["data"]
        assert len(log["items"]) == 20  # recorded, and nothing processed them: there is no worker yet
        assert http.get("/api/leads", headers=auth).json()["data"]["items"] == []

        roles.append(start_role("worker", env, tmp_path / "worker.log"))

        def get(path: str) -> dict[str, object]:
            data: dict[str, object] = http.get(path, headers=auth).json()["data"]
            return data

        outcomes = [outcome_when_processed(get, a, timeout_s=60) for a in answers]
        assert {o["status"] for o in outcomes} == {"processed"}
        assert len(http.get("/api/leads", params={"limit": 100}, headers=auth).json()["data"]["items"]) == 20
    finally:
        stop_all(roles)
