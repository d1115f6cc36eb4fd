"""Leads that wrote on each channel (so there is a thread to answer), and waiting for a delivery to settle."""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from typing import Any

from tests.conftest import Workspace
from tests.helpers import deliver, interested_email, sample

SETTLED = frozenset({"sent", "failed", "unknown", "not_sent"})


async def email_lead(ws: Workspace, text: str = "Sounds good, tell me more") -> tuple[str, dict[str, Any]]:
    """A lead whose EmailBison reply can be answered; returns (lead id, the webhook body)."""
    body = interested_email(text)
    result = await deliver(ws, "email", body)
    return result["lead_id"], body


async def sms_lead(ws: Workspace) -> tuple[str, str]:
    """A lead who texted through GoHighLevel; returns (lead id, its contact id)."""
    body = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
    contact_id = f"contact-{uuid.uuid4().hex[:10]}"
    body["contactId"] = contact_id
    body["messageId"] = f"msg-{uuid.uuid4().hex[:10]}"
    body["from"] = f"+1555{uuid.uuid4().int % 10**7:07d}"
    result = await deliver(ws, "sms", body)
    return result["lead_id"], contact_id


async def linkedin_lead(ws: Workspace) -> tuple[str, str]:
    """A lead who wrote on LinkedIn through Unipile; returns (lead id, the chat id)."""
    body = copy.deepcopy(sample("unipile_message_received_2.json"))
    chat_id = f"chat-{uuid.uuid4().hex[:10]}"
    attendee = f"ACoAA-{uuid.uuid4().hex[:10]}"
    body["chat_id"] = chat_id
    body["message_id"] = f"m-{uuid.uuid4().hex[:10]}"
    body["sender"]["attendee_provider_id"] = attendee
    body["sender"]["attendee_profile_url"] = f"https://www.linkedin.com/in/{attendee}"
    for item in body.get("attendees", []):
        item["attendee_provider_id"] = attendee
        item["attendee_profile_url"] = f"https://www.linkedin.com/in/{attendee}"
    result = await deliver(ws, "linkedin", body)
    return result["lead_id"], chat_id


async def write(
    ws: Workspace, lead_id: str, channel: str, content: str = "Thursday at 3 works?"
) -> dict[str, Any]:
    answer = await ws.client.post(
        f"/api/leads/{lead_id}/messages", json={"channel": channel, "content": content}, headers=ws.auth
    )
    assert answer.status_code == 201, answer.text
    message: dict[str, Any] = answer.json()["data"]
    return message


async def message_of(ws: Workspace, lead_id: str, message_id: str) -> dict[str, Any]:
    answer = await ws.client.get(f"/api/leads/{lead_id}/messages?limit=200", headers=ws.auth)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = next(m for m in answer.json()["data"] if m["id"] == message_id)
    return found


async def settled(
    ws: Workspace,
    lead_id: str,
    message_id: str,
    *,
    statuses: frozenset[str] = SETTLED,
    timeout_s: float = 20.0,
) -> dict[str, Any]:
    """The message once its delivery reaches one of `statuses` (the session's worker sends it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        message = await message_of(ws, lead_id, message_id)
        if message["delivery"]["status"] in statuses:
            return message
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery still {message['delivery']} after {timeout_s} s")
        await asyncio.sleep(0.05)
