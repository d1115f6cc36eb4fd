"""Unipile LinkedIn webhooks: only `message_received` carries a message; our own sends echo as outbound."""

from __future__ import annotations

from typing import Any

from server.core.identity import normalize_linkedin_url, split_name
from server.inbound.parsers.fields import as_dict, as_list, first_text, message_text, parse_timestamp, truthy
from server.inbound.parsers.normalized import (
    Direction,
    InvalidPayload,
    LeadIdentity,
    ParsedMessage,
    WebhookParse,
)

_MESSAGE_EVENT = "message_received"


def parse_unipile(body: object) -> WebhookParse:
    if not isinstance(body, dict):
        raise InvalidPayload("body must be a JSON object")
    event = first_text(body.get("event"))
    if event is None:
        return WebhookParse(
            kind="ignored", reason="unipile body has no event (account status or other notice)"
        )
    if event != _MESSAGE_EVENT:
        return WebhookParse(kind="ignored", reason=f"unipile event {event} carries no new message")

    message_id = first_text(body.get("message_id"))
    if message_id is None:
        raise InvalidPayload("unipile message_received needs message_id")
    sender = as_dict(body.get("sender"))
    own_id = first_text(as_dict(body.get("account_info")).get("user_id"))
    sender_id = first_text(sender.get("attendee_provider_id"))
    is_ours = truthy(body.get("is_sender")) or (sender_id is not None and sender_id == own_id)
    direction: Direction = "outbound" if is_ours else "inbound"
    lead_attendee = _other_attendee(body, sender, own_id) if is_ours else sender
    lead = _lead_identity(lead_attendee)
    if lead is None:
        raise InvalidPayload(
            "unipile message does not identify the lead: no attendee_provider_id or attendee_profile_url"
        )
    provider_time = first_text(body.get("timestamp"))
    message = ParsedMessage(
        channel="linkedin",
        direction=direction,
        sent_by="provider" if is_ours else "lead",
        provider_message_id=f"unipile:{message_id}",
        provider_time=provider_time,
        subject=first_text(body.get("subject")),
        body=_message_body(body.get("message")),
        sent_at=parse_timestamp(provider_time),
        send_ref=_send_ref(body),
    )
    return WebhookParse(kind="message", lead=lead, message=message)


def _send_ref(body: dict[str, Any]) -> dict[str, str] | None:
    """The chat to write into (and the account it belongs to): what Unipile's send API needs."""
    chat_id = first_text(body.get("chat_id"))
    if chat_id is None:
        return None
    account_id = first_text(body.get("account_id"))
    return {"chat_id": chat_id, **({"account_id": account_id} if account_id else {})}


def _other_attendee(body: dict[str, Any], sender: dict[str, Any], own_id: str | None) -> dict[str, Any]:
    """The first attendee who is neither our account nor the sender (the sender is us on outbound)."""
    ours = {value for value in (own_id, first_text(sender.get("attendee_provider_id"))) if value}
    our_url = normalize_linkedin_url(first_text(sender.get("attendee_profile_url")))
    for item in as_list(body.get("attendees")):
        attendee = as_dict(item)
        provider_id = first_text(attendee.get("attendee_provider_id"))
        profile_url = first_text(attendee.get("attendee_profile_url"))
        if provider_id in ours or (our_url and normalize_linkedin_url(profile_url) == our_url):
            continue
        if provider_id or profile_url:
            return attendee
    return {}


def _lead_identity(attendee: dict[str, Any]) -> LeadIdentity | None:
    provider_id = first_text(attendee.get("attendee_provider_id"))
    profile_url = first_text(attendee.get("attendee_profile_url"))
    if provider_id is None and profile_url is None:
        return None
    first_name, last_name = split_name(first_text(attendee.get("attendee_name")))
    return LeadIdentity(
        linkedin_provider_id=provider_id,
        linkedin_url=profile_url,
        first_name=first_name,
        last_name=last_name,
        # LinkedIn's headline ("Head of Growth") is the closest thing to a job title we get.
        title=first_text(as_dict(attendee.get("attendee_specifics")).get("occupation")),
    )


def _message_body(value: object) -> str:
    """The text: a string as sent (null when the message is only an attachment), or {text} in older shapes."""
    if isinstance(value, dict):
        return message_text(value.get("text"))
    return message_text(value)
