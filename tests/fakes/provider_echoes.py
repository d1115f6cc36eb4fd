"""Webhook bodies the providers post back for a message we sent ("echoes"), for tests of echo handling.

Each builder follows the field names of the real samples in the project's webhook fixtures (copied from
`webhook-samples/`): GoHighLevel's flat `InboundMessage` event turned `OutboundMessage`, Unipile's
`message_received` for our own message (`unipile_message_received_outbound_1.json`), and EmailBison's
envelope `{event: {type, name, ...}, data: {...}}`. Post them to `/api/webhooks/sms`, `/linkedin`, `/email`.

    sent = httpx.post(f"{fake.base_url}/conversations/messages", ...).json()
    body = ghl_outbound_echo("loc_1", "contact_1", sent["messageId"], "Hi Dana")
"""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime
from itertools import count
from typing import Any, Literal

_ids = count(700_000)


def ghl_conversation_id(contact_id: str) -> str:
    """The conversation the fake GoHighLevel reports for a contact: the same one every time, as GHL does."""
    return "conv" + hashlib.sha256(contact_id.encode()).hexdigest()[:16]


def _now(fraction_digits: int) -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}"[:fraction_digits] + "Z"


def ghl_outbound_echo(
    location_id: str,
    contact_id: str,
    message_id: str,
    body: str,
    *,
    lead_phone: str = "+15551234567",
    our_phone: str = "+15559876543",
    date_added: str | None = None,
) -> dict[str, Any]:
    """GoHighLevel's `OutboundMessage` event for an SMS we sent; `message_id` is the `messageId` we got back.
    The sample's fields, with `direction` outbound, our number in `from` and the lead's in `to`."""
    return {
        "type": "OutboundMessage",
        "locationId": location_id,
        "attachments": [],
        "body": body,
        "contactId": contact_id,
        "contentType": "text/plain",
        "conversationId": ghl_conversation_id(contact_id),
        "dateAdded": date_added or _now(3),
        "direction": "outbound",
        "messageType": "SMS",
        "messageId": message_id,
        "status": "delivered",
        "from": our_phone,
        "to": lead_phone,
        "messageTypeId": 2,
        "messageTypeString": "TYPE_SMS",
    }


def _attendee(attendee_id: str, provider_id: str, name: str) -> dict[str, Any]:
    return {
        "attendee_id": attendee_id,
        "attendee_provider_id": provider_id,
        "attendee_name": name,
        "attendee_profile_url": f"https://www.linkedin.com/in/{provider_id}",
        "attendee_specifics": {
            "provider": "LINKEDIN",
            "member_urn": f"urn:li:member:{int(hashlib.sha256(provider_id.encode()).hexdigest()[:6], 16)}",
            "occupation": None,
            "is_company": False,
            "network_distance": "DISTANCE_1",
        },
        "attendee_public_identifier": None,
    }


def unipile_sender_echo(
    account_id: str,
    chat_id: str,
    message_id: str,
    text: str,
    attendee_provider_id: str,
    *,
    own_provider_id: str = "ACoAA-own-0001",
    attendee_name: str = "Prospect One",
    timestamp: str | None = None,
) -> dict[str, Any]:
    """Unipile's `message_received` for a message we sent: `is_sender` true, `sender` is our own account, the
    lead (`attendee_provider_id`) the one attendee; `message_id` is the id the send answered with."""
    return {
        "event": "message_received",
        "account_id": account_id,
        "account_type": "LINKEDIN",
        "account_info": {"type": "LINKEDIN", "feature": "classic", "user_id": own_provider_id},
        "webhook_name": "setterdesk-messaging",
        "chat_id": chat_id,
        "attendees": [_attendee(f"att_{attendee_provider_id}", attendee_provider_id, attendee_name)],
        "sender": _attendee(f"att_{own_provider_id}", own_provider_id, "Connected Account"),
        "subject": None,
        "message": text,
        "message_id": message_id,
        "timestamp": timestamp or _now(3),
        "attachments": [],
        "is_sender": True,
        "provider_chat_id": f"2-{chat_id}",
        "provider_message_id": f"2-{message_id}",
        "is_event": 0,
        "chat_pinned": 0,
        "quoted": None,
        "reply_to": None,
        "is_forwarded": None,
        "chat_content_type": None,
        "message_type": "MESSAGE",
        "is_group": False,
        "folder": ["INBOX", "INBOX_LINKEDIN_CLASSIC"],
        "event_type": None,
    }


def emailbison_sent_echo(
    reply_id: int,
    sender_email: str,
    lead_email: str,
    subject: str,
    text: str,
    *,
    event: Literal["MANUAL_EMAIL_SENT", "EMAIL_SENT"] = "MANUAL_EMAIL_SENT",
    sent_reply_id: int | None = None,
    sender_email_id: int = 3,
    lead_id: int = 1,
) -> dict[str, Any]:
    """EmailBison's event for the email we sent in answer to reply `reply_id` (the send's `{reply_id}`).

    No sample shows it. EmailBison documents "Manual Email Sent" (`MANUAL_EMAIL_SENT`) as the event for
    replies sent from the master inbox or the API; `EMAIL_SENT` (the sample `emailbison_email_sent_1.json`) is
    for campaign emails only. Its `data.reply` takes the field names of the LEAD_REPLIED sample's `reply`,
    plus those EmailBison lists for this event (`parent_id`, `primary_to_email_address`, `raw_message_id`,
    `updated_at`, `attachments`), with `type` "Outgoing Email" and `folder` "Sent". `reply.id` is the new sent
    reply (`sent_reply_id`, fresh by default), `parent_id` the reply we answered. `event="EMAIL_SENT"` gives
    the sample's campaign shape instead (`data.scheduled_email`), which the parser already handles."""
    now = _now(6)
    body_html = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    sent_id = sent_reply_id if sent_reply_id is not None else next(_ids)
    raw_message_id = f"<{sent_id}.{reply_id}@{sender_email.rpartition('@')[2] or 'example.com'}>"
    lead = {"id": lead_id, "email": lead_email}
    sender = {"id": sender_email_id, "email": sender_email, "status": "connected"}
    if event == "EMAIL_SENT":
        data: dict[str, Any] = {
            "scheduled_email": {
                "id": sent_id,
                "lead_id": lead_id,
                "sequence_step_id": 2,
                "sequence_step_order": 1,
                "sequence_step_variant": 1,
                "email_subject": subject,
                "email_body": body_html,
                "status": "sent",
                "sent_at": now,
                "opens": 0,
                "replies": 0,
                "raw_message_id": raw_message_id,
            },
            "campaign_event": {"id": next(_ids), "type": "sent", "created_at": now},
            "lead": lead,
            "campaign": {"id": 2, "name": "Fake Campaign"},
            "sender_email": sender,
        }
    else:
        reply = {
            "id": sent_id,
            "uuid": hashlib.sha256(str(sent_id).encode()).hexdigest()[:32],
            "email_subject": subject,
            "from_email_address": sender_email,
            "from_name": None,
            "primary_to_email_address": lead_email,
            "to": [{"address": lead_email, "name": None}],
            "cc": [],
            "bcc": [],
            "html_body": body_html,
            "text_body": text,
            "date_received": now,
            "created_at": now,
            "updated_at": now,
            "automated_reply": False,
            "interested": False,
            "type": "Outgoing Email",
            "folder": "Sent",
            "parent_id": reply_id,
            "raw_message_id": raw_message_id,
            "attachments": [],
        }
        data = {"reply": reply, "lead": lead, "campaign": None, "sender_email": sender}
    name = "Manual Email Sent" if event == "MANUAL_EMAIL_SENT" else "Email Sent"
    return {"event": {"type": event, "name": name, "workspace_id": 1}, "data": data}
