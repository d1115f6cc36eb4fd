"""`setterdesk simulate`: post realistic provider webhooks to a running server, so replies arrive live.

It signs in (the demo owner by default), reads the workspace id and webhook secret from /api/me, and sends
EmailBison, GoHighLevel and Unipile bodies shaped like the real ones, from existing leads and new ones.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from server.demo.scenarios import COMPANIES, FIRST_NAMES, LAST_NAMES, SIMULATED_REPLIES
from server.demo.seed import DEMO_LOGINS


@dataclass(frozen=True)
class Target:
    workspace_id: str
    secret: str
    token: str


def sign_in(client: httpx.Client, email: str, password: str) -> Target:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    data = response.json()["data"]
    workspace = data["workspace"]
    if not workspace.get("webhook_secret"):
        raise SystemExit("simulate needs an owner or admin login (to read the webhook secret)")
    return Target(workspace_id=workspace["id"], secret=workspace["webhook_secret"], token=data["token"])


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def email_body(lead: dict[str, Any], text: str) -> dict[str, Any]:
    reply_id = uuid.uuid4().int % 10**9
    return {
        "event": {"type": "LEAD_REPLIED", "name": "Lead Replied", "workspace_id": 1},
        "data": {
            "lead": {
                "id": reply_id % 100_000,
                "email": lead["email"],
                "first_name": lead["first_name"],
                "last_name": lead["last_name"],
                "company": lead.get("company"),
            },
            "reply": {
                "id": reply_id,
                "uuid": str(uuid.uuid4()),
                "email_subject": "Re: Quick question",
                "from_email_address": lead["email"],
                "from_name": f"{lead['first_name']} {lead['last_name']}",
                "to": [{"address": "alex@setterdesk.demo", "name": None}],
                "cc": [],
                "bcc": [],
                "text_body": text,
                "html_body": f"<p>{text}</p>",
                "date_received": _now(),
                "automated_reply": False,
                "type": "reply",
                "folder": "inbox",
            },
            "sender_email": {"id": 1, "email": "alex@setterdesk.demo", "name": "Alex"},
        },
    }


def sms_body(lead: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "InboundMessage",
        "locationId": "demo-location",
        "contactId": f"demo-{lead['phone'][-4:]}",
        "conversationId": uuid.uuid4().hex[:20],
        "messageId": uuid.uuid4().hex[:20],
        "body": text,
        "messageType": "SMS",
        "messageTypeId": 2,
        "direction": "inbound",
        "dateAdded": _now(),
        "from": lead["phone"],
        "to": "+14155550199",
        "attachments": [],
        "contentType": "text/plain",
        "status": "delivered",
    }


def linkedin_body(lead: dict[str, Any], text: str) -> dict[str, Any]:
    attendee = {
        "attendee_id": f"att-{lead['provider_id']}",
        "attendee_provider_id": lead["provider_id"],
        "attendee_name": f"{lead['first_name']} {lead['last_name']}",
        "attendee_profile_url": lead["linkedin_url"],
    }
    return {
        "event": "message_received",
        "account_id": "demo-account",
        "account_type": "LINKEDIN",
        "account_info": {"type": "LINKEDIN", "feature": "classic", "user_id": "ACoAA-demo-own"},
        "chat_id": f"chat-{lead['provider_id']}",
        "message_id": uuid.uuid4().hex,
        "message": text,
        "timestamp": _now(),
        "sender": attendee,
        "attendees": [attendee],
        "is_sender": False,
        "subject": None,
        "attachments": [],
        "message_type": "MESSAGE",
        "is_group": False,
    }


BUILDERS = {"email": email_body, "sms": sms_body, "linkedin": linkedin_body}


def invent_lead(rng: random.Random) -> dict[str, Any]:
    first, last, n = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.randint(100, 999)
    return {
        "first_name": first,
        "last_name": last,
        "company": rng.choice(COMPANIES),
        "email": f"{first}.{last}.{n}@prospect.example".lower(),
        "phone": f"+1415555{n:04d}",
        "provider_id": f"ACoAA-sim-{n}",
        "linkedin_url": f"https://www.linkedin.com/in/{first}-{last}-{n}".lower(),
    }


def known_leads(client: httpx.Client, target: Target) -> list[dict[str, Any]]:
    response = client.get(
        "/api/leads", params={"limit": 100}, headers={"Authorization": f"Bearer {target.token}"}
    )
    leads = []
    for lead in response.json()["data"]["items"]:
        if lead.get("email") and lead.get("phone") and lead.get("linkedin_url"):
            leads.append(
                {**lead, "provider_id": "ACoAA-" + lead["linkedin_url"].rstrip("/").rsplit("/", 1)[-1]}
            )
    return leads


def simulate(
    url: str, *, rate: float, duration_s: float, channels: list[str], email: str, password: str, seed: int
) -> int:
    """Post webhooks at `rate` per second for `duration_s`; returns how many were accepted."""
    rng = random.Random(seed)
    sent = 0
    with httpx.Client(base_url=url, timeout=10) as client:
        target = sign_in(client, email, password)
        existing = known_leads(client, target)
        deadline = time.monotonic() + duration_s
        while time.monotonic() < deadline:
            channel = rng.choice(channels)
            lead = rng.choice(existing) if existing and rng.random() < 0.6 else invent_lead(rng)
            text = rng.choice(SIMULATED_REPLIES)
            response = client.post(
                f"/api/webhooks/{channel}",
                params={"workspace": target.workspace_id},
                json=BUILDERS[channel](lead, text),
                headers={"X-Webhook-Secret": target.secret},
            )
            sent += response.status_code == 200
            print(
                f"{channel:8} {lead['first_name']} {lead['last_name']}: {response.json()['data']['status']}"
            )
            time.sleep(max(0.0, 1.0 / rate))
    return sent


DEFAULT_LOGIN = DEMO_LOGINS[0]
