"""Invariant 9 (docs/ARCHITECTURE.md): no secret and no message content in logs, whatever the path (server
and worker)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending

SECRET_WORDS = "Zanzibar-pineapple-7731"


async def test_full_flow_logs_ids_but_no_content_or_secrets(
    client: AsyncTestClient[Any],
    workspace: Workspace,
    worker: RunningWorker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    body = interested_email(f"Interested! My door code is {SECRET_WORDS}, call me tomorrow")
    subject = f"Re: {SECRET_WORDS} subject"
    body["data"]["reply"]["email_subject"] = subject
    result = await deliver(workspace, "email", body)
    await drain(worker)
    [draft] = await pending(client, workspace, result["lead_id"])
    await client.post(
        f"/api/drafts/{draft['id']}/approve", json={"content": "Sure " + SECRET_WORDS}, headers=workspace.auth
    )
    await client.post(
        "/api/auth/login",
        json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "hunter2-password"},
    )
    bad = await client.post(
        workspace.webhook_url("sms"),
        content=f'{{"x": "{SECRET_WORDS}"'.encode(),
        headers=workspace.webhook_headers,
    )
    assert bad.status_code == 400

    logs = caplog.text
    assert result["message_id"] in logs and "draft.created" in logs  # ids are logged, worker included...
    for forbidden in (
        SECRET_WORDS,
        workspace.secret,
        workspace.token,
        "hunter2-password",
        workspace.password,
        draft["content"][:40],
        body["data"]["lead"]["email"],
    ):
        assert forbidden not in logs, f"log leaked {forbidden[:12]}…"
