"""Small helpers the tests share: fixture payloads, webhook delivery, draining the worker, polling."""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

    from tests.conftest import RunningWorker, Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"

SAMPLE_CHANNEL = {
    "emailbison_email_sent_1.json": "email",
    "emailbison_lead_interested_1.json": "email",
    "emailbison_lead_replied_1.json": "email",
    "ghl_inbound_message_sms_1.json": "sms",
    "unipile_account_status_1.json": "linkedin",
    "unipile_message_received_2.json": "linkedin",
    "unipile_message_received_outbound_1.json": "linkedin",
}


def sample_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample_bytes(name))
    return data


def email_reply(lead_email: str, text: str) -> dict[str, Any]:
    """An EmailBison LEAD_REPLIED from `lead_email`, with fresh provider ids."""
    body = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    reply = body["data"]["reply"]
    reply["id"] = uuid.uuid4().int % 10**9
    reply["text_body"] = text
    reply["html_body"] = f"<p>{text}</p>"
    reply["from_email_address"] = lead_email
    body["data"]["lead"]["email"] = lead_email
    body["data"]["lead"]["id"] = uuid.uuid4().int % 10**9
    return body


def interested_email(text: str = "Sounds interesting, can we set up a call next week?") -> dict[str, Any]:
    body = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    body["data"]["reply"]["id"] = uuid.uuid4().int % 10**9
    body["data"]["reply"]["text_body"] = text
    body["data"]["reply"]["html_body"] = f"<p>{text}</p>"
    email = f"lead-{uuid.uuid4().hex[:8]}@prospect.io"
    body["data"]["lead"]["email"] = email
    body["data"]["reply"]["from_email_address"] = email
    body["data"]["lead"]["id"] = uuid.uuid4().int % 10**9
    return body


async def deliver(ws: Workspace, channel: str, body: dict[str, Any]) -> dict[str, Any]:
    """Post a webhook and return what it came to (see `settle`)."""
    response = await ws.client.post(ws.webhook_url(channel), json=body, headers=ws.webhook_headers)
    return await settle(ws, response)


def outcome_of(event: dict[str, Any]) -> dict[str, Any]:
    """What a processed webhook event came to, as `GET /api/webhook-events/{id}` shows it:
    `{status: processed|duplicate|ignored|failed, message_id?, lead_id?, webhook_event_id}`."""
    return {**(event["result"] or {"status": event["status"]}), "webhook_event_id": event["id"]}


async def settle(ws: Workspace, response: Any) -> dict[str, Any]:
    """The outcome of an answered delivery: `{status: processed|duplicate|ignored, message_id?, lead_id?,
    webhook_event_id}`, read from its webhook event once processed.

    An accepted body is processed here with the function the worker's actor calls, so a test needs no worker
    to see its message stored (a worker that got there first simply wins: processing is idempotent).
    """
    from server.inbound.processing import process_event

    assert response.status_code in (200, 202), response.text  # 202: a replay
    answer: dict[str, Any] = response.json()["data"]
    event_id = answer["webhook_event_id"]
    if answer["status"] == "accepted":
        await process_event(uuid.UUID(event_id))
    got = await ws.client.get(f"/api/webhook-events/{event_id}", headers=ws.auth)
    event: dict[str, Any] = got.json()["data"]
    assert event["status"] != "received", event
    return outcome_of(event)


async def drain(worker: RunningWorker) -> None:
    """Wait until the worker has run every job, those of webhooks answered a moment ago included (their
    hand-over to the broker runs behind the answer)."""
    from server.inbound.accept import handovers

    while not handovers.idle():  # the app's own loop hands them over (the test client runs it elsewhere)
        await asyncio.sleep(0.005)
    await asyncio.to_thread(worker.drain)


async def pending(client: AsyncTestClient[Any], ws: Workspace, lead_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/leads/{lead_id}/drafts", params={"status": "pending"}, headers=ws.auth)
    drafts: list[dict[str, Any]] = response.json()["data"]
    return drafts


def outcome_when_processed(
    get_data: Callable[[str], dict[str, Any]], answer: dict[str, Any], timeout_s: float = 30.0
) -> dict[str, Any]:
    """For tests against real processes: the outcome of an answered delivery once a worker processed it,
    polled through `get_data(path) -> the answer's data` (an owner's or admin's GET)."""
    event_id = answer["webhook_event_id"]
    deadline = time.monotonic() + timeout_s
    while True:
        event = get_data(f"/api/webhook-events/{event_id}")
        if event["status"] != "received":
            return outcome_of(event)
        if time.monotonic() > deadline:
            raise AssertionError(f"webhook event {event_id} still waits for a worker after {timeout_s} s")
        time.sleep(0.05)


def sign_up(http: Any, workspace_name: str) -> dict[str, Any]:
    """A new workspace and its owner on a running web process (`http`: an httpx.Client with its base URL):
    the signup answer's data, `{workspace, user, token}`."""
    response = http.post(
        "/api/signup",
        json={
            "workspace_name": workspace_name,
            "name": "Olive Owner",
            "email": f"owner-{uuid.uuid4().hex[:10]}@example.com",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
