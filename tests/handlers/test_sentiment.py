"""PATCH /api/leads/{id}/sentiment: drafts for every channel with inbound history, never blocked."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, pending, sample


async def lead_with_email_and_sms(ws: Workspace, worker: RunningWorker) -> str:
    """A lead that wrote on email and SMS, whose replies were neutral (so no drafts yet)."""
    email = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    phone = f"+1415555{uuid.uuid4().int % 10_000:04d}"
    address = f"two-{uuid.uuid4().hex[:8]}@prospect.io"
    email["data"]["lead"].update({"email": address, "id": uuid.uuid4().int % 10**9})
    email["data"]["lead"]["custom_variables"] = [{"name": "phone", "value": phone}]
    email["data"]["reply"].update(
        {"id": uuid.uuid4().int % 10**9, "from_email_address": address, "text_body": "ok"}
    )
    sms = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
    sms.update(
        {"from": phone, "contactId": f"c-{uuid.uuid4().hex[:8]}", "messageId": uuid.uuid4().hex, "body": "ok"}
    )
    first = await deliver(ws, "email", email)
    second = await deliver(ws, "sms", sms)
    assert first["lead_id"] == second["lead_id"]
    await drain(worker)
    return str(first["lead_id"])


async def set_sentiment(client: AsyncTestClient[Any], ws: Workspace, lead_id: str, tag: Any) -> Any:
    return await client.patch(f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": tag}, headers=ws.auth)


async def test_interested_by_hand_drafts_every_inbound_channel(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id = await lead_with_email_and_sms(workspace, worker)
    assert await pending(client, workspace, lead_id) == []
    response = await set_sentiment(client, workspace, lead_id, "Interested")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["lead"]["sentiment_tag"] == "Interested" and data["lead"]["status"] == "qualified"
    assert data["drafts"] == {"eligible": True, "enqueued": ["email", "sms"], "skipped": [], "rejected": 0}
    await drain(worker)
    drafts = await pending(client, workspace, lead_id)
    assert sorted(d["channel"] for d in drafts) == ["email", "sms"]
    assert {d["source"] for d in drafts} == {"manual_sentiment"}
    # Again: both channels already have a pending draft, so both are skipped.
    again = (await set_sentiment(client, workspace, lead_id, "Call Requested")).json()["data"]["drafts"]
    assert again == {"eligible": True, "enqueued": [], "skipped": ["email", "sms"], "rejected": 0}


async def test_ineligible_tag_rejects_pending_drafts(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id = await lead_with_email_and_sms(workspace, worker)
    await set_sentiment(client, workspace, lead_id, "Interested")
    await drain(worker)
    response = (await set_sentiment(client, workspace, lead_id, "Not Interested")).json()["data"]
    assert response["drafts"] == {"eligible": False, "enqueued": [], "skipped": [], "rejected": 2}
    assert response["lead"]["pending_draft_channels"] == []
    assert await pending(client, workspace, lead_id) == []


async def test_twenty_concurrent_identical_changes_leave_one_pending_draft_per_channel(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id = await lead_with_email_and_sms(workspace, worker)
    responses = await asyncio.gather(
        *(set_sentiment(client, workspace, lead_id, "Interested") for _ in range(20))
    )
    assert all(r.status_code == 200 for r in responses)
    await drain(worker)
    drafts = await pending(client, workspace, lead_id)
    assert sorted(d["channel"] for d in drafts) == ["email", "sms"]


async def test_legacy_positive_means_interested(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id = await lead_with_email_and_sms(workspace, worker)
    data = (await set_sentiment(client, workspace, lead_id, "positive")).json()["data"]
    assert data["lead"]["sentiment_tag"] == "Interested"


@pytest.mark.parametrize("tag", ["Very Interested", "", None, 5, ["Interested"]])
async def test_unknown_tag_is_400(client: AsyncTestClient[Any], workspace: Workspace, tag: Any) -> None:
    lead = (await client.post("/api/leads", json={"first_name": "T"}, headers=workspace.auth)).json()["data"]
    response = await set_sentiment(client, workspace, lead["id"], tag)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_sentiment_tag"


async def test_meeting_booked_sets_appointment_time(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    lead = (await client.post("/api/leads", json={"first_name": "B"}, headers=workspace.auth)).json()["data"]
    data = (await set_sentiment(client, workspace, lead["id"], "Meeting Booked")).json()["data"]
    assert data["lead"]["status"] == "meeting-booked"
    assert data["lead"]["appointment_booked_at"] is not None
    # No inbound history: eligible, but nothing to draft.
    assert data["drafts"]["enqueued"] == []


async def test_a_channel_whose_only_inbound_messages_are_bounces_gets_no_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    lead_id = await lead_with_email_and_sms(workspace, worker)
    # Another lead, whose email channel's only inbound message is a mail server's bounce report.
    bounced = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    bounced["data"]["reply"].update(
        {
            "id": uuid.uuid4().int % 10**9,
            "from_email_address": "MAILER-DAEMON@mx.prospect.io",
            "from_name": "Mail Delivery Subsystem",
            "text_body": "Delivery Status Notification (Failure): address not found",
        }
    )
    lead_only_bounced = await lead_with_only_a_bounce(workspace, worker, bounced)
    plan = (await set_sentiment(client, workspace, lead_only_bounced, "Interested")).json()["data"]["drafts"]
    assert plan["enqueued"] == []  # nobody to answer on email
    await drain(worker)
    assert await pending(client, workspace, lead_only_bounced) == []
    # The lead with a real email reply still gets both channels.
    plan = (await set_sentiment(client, workspace, lead_id, "Interested")).json()["data"]["drafts"]
    assert plan["enqueued"] == ["email", "sms"]


async def lead_with_only_a_bounce(ws: Workspace, worker: RunningWorker, bounced: dict[str, Any]) -> str:
    address = f"gone-{uuid.uuid4().hex[:8]}@prospect.io"
    bounced = copy.deepcopy(bounced)
    bounced["data"]["lead"].update({"email": address, "id": uuid.uuid4().int % 10**9})
    stored = await deliver(ws, "email", bounced)
    await drain(worker)
    return str(stored["lead_id"])


async def test_a_lead_whose_own_address_is_a_mail_server_gets_no_manual_draft(
    client: AsyncTestClient[Any], workspace: Workspace, worker: RunningWorker
) -> None:
    body = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    server_address = f"postmaster-{uuid.uuid4().hex[:6]}@prospect.io"
    body["data"]["lead"].update({"email": server_address, "id": uuid.uuid4().int % 10**9})
    body["data"]["reply"].update(
        {"id": uuid.uuid4().int % 10**9, "from_email_address": server_address, "text_body": "ok"}
    )
    stored = await deliver(workspace, "email", body)
    await drain(worker)
    plan = (await set_sentiment(client, workspace, stored["lead_id"], "Interested")).json()["data"]["drafts"]
    assert (plan["eligible"], plan["enqueued"]) == (False, [])
