"""A web process past its webhook capacity answers 503 + Retry-After at once, starting nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.settings import get_settings
from server.handlers.webhooks.admission import webhooks_in_flight
from tests.conftest import Workspace
from tests.helpers import sample_bytes, settle


async def deliver(workspace: Workspace) -> Any:
    return await workspace.client.post(
        workspace.webhook_url("sms"),
        content=sample_bytes("ghl_inbound_message_sms_1.json"),
        headers=workspace.webhook_headers,
    )


async def logged(client: AsyncTestClient[Any], workspace: Workspace) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/api/webhook-events", headers=workspace.auth)).json()[
        "data"
    ]["items"]
    return items


async def test_a_full_process_turns_webhooks_away_and_the_retry_lands(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks_in_flight, "in_flight", get_settings().webhook_max_in_flight)
    busy = await deliver(workspace)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "5"
    assert busy.json()["error"]["code"] == "service_unavailable"
    assert await logged(client, workspace) == []  # nothing read, nothing recorded, nothing half done

    monkeypatch.setattr(webhooks_in_flight, "in_flight", 0)
    retried = await deliver(workspace)  # the provider's retry, once there is room
    assert retried.status_code == 200 and retried.json()["data"]["status"] == "accepted"
    assert (await settle(workspace, retried))["status"] == "processed"
    assert [e["status"] for e in await logged(client, workspace)] == ["processed"]


async def test_the_count_comes_back_down_whatever_the_outcome(workspace: Workspace) -> None:
    before = webhooks_in_flight.in_flight
    assert (await deliver(workspace)).status_code == 200
    bad = await workspace.client.post(
        workspace.webhook_url("sms"), content=b"{not json", headers=workspace.webhook_headers
    )
    assert bad.status_code == 400
    wrong_secret = await workspace.client.post(
        workspace.webhook_url("sms"), content=b"{}", headers={"X-Webhook-Secret": "nope"}
    )
    assert wrong_secret.status_code == 401
    assert webhooks_in_flight.in_flight == before
