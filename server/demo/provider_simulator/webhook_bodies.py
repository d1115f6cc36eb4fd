"""The webhooks the simulated providers post back: the echo of a message we sent, and the lead's answer.

Shapes follow the real payloads (`webhook-samples/`, API.md "Webhooks" and "Sending") and what our parsers
read from them (`server/inbound/parsers/`): an echo parses as an outbound message of the lead it was sent to,
an answer as an inbound one carrying the thread reference the next send needs.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.demo.provider_simulator import demo_accounts

JsonObject = dict[str, Any]


def _now(fraction_digits: int = 3) -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}"[:fraction_digits] + "Z"


def new_message_id() -> str:
    return secrets.token_hex(10)


def new_reply_id() -> int:
    """EmailBison's reply ids are integers; a random nine-digit one never meets a seeded or earlier one."""
    return 100_000_000 + secrets.randbelow(900_000_000)


@dataclass(frozen=True)
class EmailSend:
    """`POST /api/replies/{parent_reply_id}/reply`, answered with the new reply `sent_reply_id`."""

    sent_reply_id: int
    parent_reply_id: str
    sender_email_id: int | str
    lead_address: str
    lead_name: str | None
    subject: str | None
    text: str
    channel: str = "email"

    def _sender(self) -> JsonObject:
        return {
            "id": self.sender_email_id,
            "email": demo_accounts.SENDER_EMAIL_ADDRESS,
            "name": demo_accounts.SENDER_NAME,
        }

    def echo(self) -> JsonObject | None:
        """`MANUAL_EMAIL_SENT`: EmailBison's event for a reply sent through its API."""
        now = _now(6)
        parent = int(self.parent_reply_id) if self.parent_reply_id.isdigit() else self.parent_reply_id
        reply = {
            "id": self.sent_reply_id,
            "uuid": uuid.uuid4().hex,
            "email_subject": self.subject,
            "from_email_address": demo_accounts.SENDER_EMAIL_ADDRESS,
            "from_name": demo_accounts.SENDER_NAME,
            "primary_to_email_address": self.lead_address,
            "to": [{"address": self.lead_address, "name": self.lead_name}],
            "cc": [],
            "bcc": [],
            "html_body": "".join(f"<p>{html.escape(line)}</p>" for line in self.text.split("\n")),
            "text_body": self.text,
            "date_received": now,
            "created_at": now,
            "updated_at": now,
            "automated_reply": False,
            "interested": False,
            "type": "Outgoing Email",
            "folder": "Sent",
            "parent_id": parent,
            "raw_message_id": f"<{self.sent_reply_id}@setterdesk.demo>",
            "attachments": [],
        }
        # No lead id: the simulator knows none, and the address identifies the lead.
        data = {
            "reply": reply,
            "lead": {"email": self.lead_address},
            "campaign": None,
            "sender_email": self._sender(),
        }
        return {
            "event": {"type": "MANUAL_EMAIL_SENT", "name": "Manual Email Sent", "workspace_id": 1},
            "data": data,
        }

    def lead_reply(self, text: str) -> JsonObject | None:
        """`LEAD_REPLIED`: the lead answers in the same thread, to the same mailbox."""
        subject = self.subject or ""
        reply = {
            "id": new_reply_id(),
            "uuid": uuid.uuid4().hex,
            "email_subject": subject if subject.lower().startswith("re:") else f"Re: {subject}".strip(),
            "from_email_address": self.lead_address,
            "from_name": self.lead_name,
            "to": [{"address": demo_accounts.SENDER_EMAIL_ADDRESS, "name": demo_accounts.SENDER_NAME}],
            "cc": [],
            "bcc": [],
            "text_body": text,
            "html_body": f"<p>{html.escape(text)}</p>",
            "date_received": _now(6),
            "automated_reply": False,
            "interested": False,
            "type": "Reply",
            "folder": "Inbox",
            "parent_id": self.sent_reply_id,
        }
        data = {"lead": {"email": self.lead_address}, "reply": reply, "sender_email": self._sender()}
        return {"event": {"type": "LEAD_REPLIED", "name": "Lead Replied", "workspace_id": 1}, "data": data}


def ghl_conversation_id(contact_id: str) -> str:
    """GoHighLevel keeps one conversation per contact."""
    return "conv" + hashlib.sha256(contact_id.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SmsSend:
    """`POST /conversations/messages` to `contact_id`, answered with `message_id`."""

    contact_id: str
    message_id: str
    text: str
    channel: str = "sms"

    def _message(self, event_type: str, message_id: str, text: str) -> JsonObject:
        inbound = event_type == "InboundMessage"
        lead_phone = demo_accounts.phone_for_contact(self.contact_id)
        body: JsonObject = {
            "type": event_type,
            "locationId": demo_accounts.GHL_LOCATION_ID,
            "attachments": [],
            "body": text,
            "contactId": self.contact_id,
            "contentType": "text/plain",
            "conversationId": ghl_conversation_id(self.contact_id),
            "dateAdded": _now(3),
            "direction": "inbound" if inbound else "outbound",
            "messageType": "SMS",
            "messageId": message_id,
            "status": "delivered",
            "messageTypeId": 2,
            "messageTypeString": "TYPE_SMS",
        }
        our_side, lead_side = ("to", "from") if inbound else ("from", "to")
        body[our_side] = demo_accounts.GHL_OUR_NUMBER
        if lead_phone:  # only when the contact id tells it; the contact id alone identifies the lead
            body[lead_side] = lead_phone
        return body

    def echo(self) -> JsonObject | None:
        return self._message("OutboundMessage", self.message_id, self.text)

    def lead_reply(self, text: str) -> JsonObject | None:
        return self._message("InboundMessage", new_message_id(), text)


def _attendee(provider_id: str, name: str | None = None) -> JsonObject:
    attendee: JsonObject = {
        "attendee_id": f"att_{provider_id}",
        "attendee_provider_id": provider_id,
        "attendee_specifics": {"provider": "LINKEDIN", "is_company": False, "network_distance": "DISTANCE_1"},
    }
    return attendee | ({"attendee_name": name} if name else {})


@dataclass(frozen=True)
class LinkedinSend:
    """A message into `chat_id` (sent there, or the first of a chat started), answered with `message_id`."""

    account_id: str
    chat_id: str
    message_id: str
    attendee_provider_id: str | None  # the lead; None when the chat is none the simulator can read
    text: str
    channel: str = "linkedin"

    def _message(self, *, ours: bool, message_id: str, text: str) -> JsonObject | None:
        if self.attendee_provider_id is None:
            return None  # our parser needs the lead's attendee id, and nothing here tells it
        lead = _attendee(self.attendee_provider_id)
        sender = _attendee(demo_accounts.UNIPILE_OWN_PROVIDER_ID, demo_accounts.SENDER_NAME) if ours else lead
        return {
            "event": "message_received",
            "account_id": self.account_id,
            "account_type": "LINKEDIN",
            "account_info": {
                "type": "LINKEDIN",
                "feature": "classic",
                "user_id": demo_accounts.UNIPILE_OWN_PROVIDER_ID,
            },
            "chat_id": self.chat_id,
            "attendees": [lead],
            "sender": sender,
            "subject": None,
            "message": text,
            "message_id": message_id,
            "timestamp": _now(3),
            "attachments": [],
            "is_sender": ours,
            "is_event": 0,
            "message_type": "MESSAGE",
            "is_group": False,
        }

    def echo(self) -> JsonObject | None:
        return self._message(ours=True, message_id=self.message_id, text=self.text)

    def lead_reply(self, text: str) -> JsonObject | None:
        return self._message(ours=False, message_id=new_message_id(), text=text)
