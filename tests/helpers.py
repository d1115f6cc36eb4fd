"""Small helpers the tests share: fixture payloads, polling."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

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
