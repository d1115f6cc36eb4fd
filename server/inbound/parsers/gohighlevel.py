"""GoHighLevel SMS webhooks, in both shapes that reach the endpoint.

1. The marketplace InboundMessage / OutboundMessage event: flat camelCase, one message per body.
2. A workflow "Webhook" action: contact fields at the top, the message (if any) under "message".
"""

from __future__ import annotations

from typing import Any

from server.core.identity import split_name
from server.inbound.parsers.fields import (
    as_dict,
    as_list,
    first_text,
    message_text,
    parse_timestamp,
    text_or_none,
)
from server.inbound.parsers.normalized import (
    Direction,
    InvalidPayload,
    LeadIdentity,
    ParsedMessage,
    WebhookParse,
)

_MESSAGE_EVENTS: dict[str, Direction] = {"inboundmessage": "inbound", "outboundmessage": "outbound"}
# SMS is "SMS" (messageType), "TYPE_SMS" (messageTypeString) or 2 (messageTypeId, workflow message.type).
_SMS_TYPES = frozenset({"sms", "type_sms", "2"})
# Workflow templates render an empty merge field as these words.
_EMPTY_PLACEHOLDERS = frozenset({"null", "undefined"})


def parse_gohighlevel(body: object) -> WebhookParse:
    if not isinstance(body, dict):
        raise InvalidPayload("body must be a JSON object")
    if _is_workflow_body(body):
        return _parse_workflow(body)
    return _parse_event(body)


def _is_workflow_body(body: dict[str, Any]) -> bool:
    return "contact_id" in body or isinstance(body.get("message"), dict)


def _parse_event(body: dict[str, Any]) -> WebhookParse:
    event_type = first_text(body.get("type"))
    if event_type is None:
        return WebhookParse(
            kind="ignored", reason="gohighlevel body has no event type and no workflow contact"
        )
    direction = _MESSAGE_EVENTS.get(event_type.lower())
    if direction is None:
        return WebhookParse(kind="ignored", reason=f"gohighlevel event {event_type} is not a message")
    message_type = first_text(
        body.get("messageType"), body.get("messageTypeString"), body.get("messageTypeId")
    )
    if not _is_sms(message_type):
        return WebhookParse(kind="ignored", reason=f"gohighlevel message type {message_type} is not SMS")
    text = message_text(body.get("body")) or _attachment_text(body.get("attachments"))
    if not text:
        return WebhookParse(kind="ignored", reason="gohighlevel SMS has an empty body")

    sender, recipient = first_text(body.get("from")), first_text(body.get("to"))
    lead_phone = sender if direction == "inbound" else recipient
    contact_id = first_text(body.get("contactId"), body.get("contact_id"))
    _require_identity(contact_id, lead_phone)
    provider_time = first_text(body.get("dateAdded"), body.get("date_added"))
    message = ParsedMessage(
        channel="sms",
        direction=direction,
        sent_by="lead" if direction == "inbound" else "provider",
        provider_message_id=_message_id(body.get("messageId")),
        provider_time=provider_time,
        body=text,
        from_address=sender,
        to=[recipient] if recipient else [],
        sent_at=parse_timestamp(provider_time),
        send_ref=_send_ref(contact_id, first_text(body.get("conversationId"))),
    )
    lead = LeadIdentity(phone=lead_phone, ghl_contact_id=contact_id)
    return WebhookParse(kind="message", lead=lead, message=message)


def _parse_workflow(body: dict[str, Any]) -> WebhookParse:
    raw_message = body.get("message")
    if not isinstance(raw_message, dict):
        return WebhookParse(kind="ignored", reason="gohighlevel workflow body carries no message")
    message_type = first_text(raw_message.get("type"))
    # A workflow's own trigger decides what arrives here; an untyped message on the SMS endpoint is SMS.
    if message_type is not None and not _is_sms(message_type):
        return WebhookParse(kind="ignored", reason=f"gohighlevel message type {message_type} is not SMS")
    text = message_text(raw_message.get("body"))
    if not text or text.lower() in _EMPTY_PLACEHOLDERS:
        return WebhookParse(kind="ignored", reason="gohighlevel SMS has an empty body")

    lead = _workflow_lead(body)
    _require_identity(lead.ghl_contact_id, lead.phone)
    direction: Direction = "outbound" if _is_outbound(raw_message.get("direction")) else "inbound"
    provider_time = _workflow_time(body, raw_message)
    message = ParsedMessage(
        channel="sms",
        direction=direction,
        sent_by="lead" if direction == "inbound" else "provider",
        provider_message_id=_message_id(raw_message.get("id"), raw_message.get("messageId")),
        provider_time=provider_time,
        body=text,
        from_address=lead.phone if direction == "inbound" else None,
        to=[lead.phone] if direction == "outbound" and lead.phone else [],
        sent_at=parse_timestamp(provider_time),
        send_ref=_send_ref(lead.ghl_contact_id, first_text(raw_message.get("conversationId"))),
    )
    return WebhookParse(kind="message", lead=lead, message=message)


def _workflow_lead(body: dict[str, Any]) -> LeadIdentity:
    first_name = first_text(body.get("first_name"))
    last_name = first_text(body.get("last_name"))
    if first_name is None and last_name is None:
        first_name, last_name = split_name(first_text(body.get("full_name")))
    return LeadIdentity(
        phone=first_text(body.get("phone")),
        email=first_text(body.get("email")),
        ghl_contact_id=first_text(body.get("contact_id"), body.get("contactId")),
        first_name=first_name,
        last_name=last_name,
        company=first_text(body.get("company_name")),
    )


def _workflow_time(body: dict[str, Any], message: dict[str, Any]) -> str | None:
    """The payload's own time: date_added anywhere, else the customData Date and Time joined."""
    found = first_text(
        body.get("date_added"), body.get("dateAdded"), message.get("date_added"), message.get("dateAdded")
    )
    if found is not None:
        return found
    custom = as_dict(body.get("customData"))
    parts = [part for part in (text_or_none(custom.get("Date")), text_or_none(custom.get("Time"))) if part]
    return " ".join(parts) or None


def _is_sms(message_type: str | None) -> bool:
    return message_type is not None and message_type.lower() in _SMS_TYPES


def _is_outbound(direction: object) -> bool:
    text = text_or_none(direction)
    return text is not None and text.lower() == "outbound"


def _send_ref(contact_id: str | None, conversation_id: str | None) -> dict[str, str] | None:
    """GoHighLevel's send API needs the contact; the conversation is kept for reference."""
    if contact_id is None:
        return None
    return {"contact_id": contact_id, **({"conversation_id": conversation_id} if conversation_id else {})}


def _message_id(*candidates: object) -> str | None:
    message_id = first_text(*candidates)
    return f"ghl:{message_id}" if message_id else None


def _attachment_text(attachments: object) -> str:
    """An MMS without text is still the lead writing: keep its attachment URLs as the body."""
    return "\n".join(url for url in (text_or_none(item) for item in as_list(attachments)) if url)


def _require_identity(contact_id: str | None, phone: str | None) -> None:
    if contact_id is None and phone is None:
        raise InvalidPayload("gohighlevel message does not identify the sender: no contact id and no phone")
