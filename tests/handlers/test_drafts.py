"""Drafts API: edit with versions, reject, approve (send), on-demand generation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core import jobs
from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def drafted_lead(
    client: AsyncTestClient[Any], ws: Workspace, worker: RunningWorker
) -> tuple[str, dict[str, Any]]:
    body = interested_email()
    result = await deliver(ws, "email", body)
    await drain(worker)
    [draft] = await pending(client, ws, result["lead_id"])
    return result["lead_id"], draft


async def test_edit_with_version_and_conflict(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    _, draft = await drafted_lead(client, workspace, worker)
    url = f"/api/drafts/{draft['id']}"
    saved = await client.patch(
        url, json={"content": "Hi Dana — Tuesday 2pm?", "version": 1}, headers=workspace.auth
    )
    assert saved.status_code == 200
    assert saved.json()["data"]["version"] == 2
    stale = await client.patch(url, json={"content": "older tab", "version": 1}, headers=workspace.auth)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert (await client.get(url, headers=workspace.auth)).json()["data"][
        "content"
    ] == "Hi Dana — Tuesday 2pm?"
    bad = await client.patch(url, json={"content": 5}, headers=workspace.auth)
    assert bad.status_code == 400


async def test_approve_unchanged_records_outbound_message(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id, draft = await drafted_lead(client, workspace, worker)
    response = await client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["draft"]["status"] == "approved" and data["draft"]["disposition"] == "APPROVED"
    assert data["message"]["direction"] == "outbound" and data["message"]["draft_id"] == draft["id"]
    assert data["message"]["body"] == draft["content"] and data["message"]["sent_by"] == "ai"
    detail = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]
    assert detail["messages"][-1]["id"] == data["message"]["id"]
    again = await client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "draft_not_pending"


async def test_approve_with_edit_is_edited(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    _, draft = await drafted_lead(client, workspace, worker)
    response = await client.post(
        f"/api/drafts/{draft['id']}/approve", json={"content": "My own words."}, headers=workspace.auth
    )
    data = response.json()["data"]
    assert data["draft"]["disposition"] == "EDITED" and data["message"]["body"] == "My own words."
    assert data["message"]["sent_by"] == "setter"


async def test_newer_inbound_holds_the_send_unless_forced(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = interested_email()
    result = await deliver(workspace, "email", body)
    await drain(worker)
    [draft] = await pending(client, workspace, result["lead_id"])
    newer = copy.deepcopy(body)
    newer["data"]["reply"]["id"] += 7
    newer["data"]["reply"]["date_received"] = "2031-01-01T00:00:00Z"

    # Keep the newer reply's job in the outbox so no worker supersedes the draft while we approve it.
    async def hold(batch: list[jobs.Job], with_commands: object = None) -> None:
        raise ConnectionError("held for the test")

    monkeypatch.setattr(jobs, "_send_all", hold)
    await deliver(workspace, "email", newer)
    monkeypatch.undo()
    held = await client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    assert held.status_code == 409 and held.json()["error"]["code"] == "newer_inbound_message"
    forced = await client.post(
        f"/api/drafts/{draft['id']}/approve", json={"force": True}, headers=workspace.auth
    )
    assert forced.status_code == 200


async def test_reject(client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker) -> None:
    lead_id, draft = await drafted_lead(client, workspace, worker)
    response = await client.post(f"/api/drafts/{draft['id']}/reject", headers=workspace.auth)
    assert response.json()["data"]["status"] == "rejected"
    lead = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]["lead"]
    assert lead["pending_draft_channels"] == []


async def test_on_demand_regenerate_supersedes(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id, draft = await drafted_lead(client, workspace, worker)
    response = await client.post(
        f"/api/leads/{lead_id}/drafts", json={"channel": "email"}, headers=workspace.auth
    )
    assert response.status_code == 202
    await drain(worker)
    [new] = await pending(client, workspace, lead_id)
    assert new["id"] != draft["id"] and new["source"] == "on_demand"
    old = (await client.get(f"/api/drafts/{draft['id']}", headers=workspace.auth)).json()["data"]
    assert old["status"] == "superseded"
    bad = await client.post(f"/api/leads/{lead_id}/drafts", json={"channel": "fax"}, headers=workspace.auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_channel"
