"""Small helpers the tests share: fixture payloads, polling."""

from __future__ import annotations

import json
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
