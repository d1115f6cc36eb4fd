"""EmailBison (Inboxxia) webhooks: replies in, campaign emails out, unsubscribes."""

from __future__ import annotations

from typing import Any

from server.core.identity import split_name
from server.core.text_cleaning import html_to_text
from server.inbound.parsers.fields import (
    address_list,
    as_dict,
    as_list,
    first_text,
    message_text,
    nested,
    parse_timestamp,
    truthy,
)
from server.inbound.parsers.normalized import InvalidPayload, LeadIdentity, ParsedMessage, WebhookParse
from server.sentiment.rules import is_bounce_sender

_REPLY_EVENTS = frozenset({"LEAD_REPLIED", "LEAD_INTERESTED", "UNTRACKED_REPLY_RECEIVED"})
_SENT_EVENT = "EMAIL_SENT"
# A reply sent from the master inbox or through the API (ours included: its echo, API.md "Sending").
_MANUAL_SENT_EVENT = "MANUAL_EMAIL_SENT"
_UNSUBSCRIBE_EVENT = "LEAD_UNSUBSCRIBED"


def parse_emailbison(body: object) -> WebhookParse:
    if not isinstance(body, dict):
        raise InvalidPayload("body must be a JSON object")
    event_type = _event_type(body)
    data = as_dict(body.get("data"))
    if event_type in _REPLY_EVENTS:
        return _reply(event_type, data)
    if event_type == _SENT_EVENT:
        return _sent_email(data)
    if event_type == _MANUAL_SENT_EVENT:
        return _manual_sent(data)
    if event_type == _UNSUBSCRIBE_EVENT:
        reply = as_dict(data.get("reply"))
        lead = _lead_identity(
            as_dict(data.get("lead")),
            fallback_email=first_text(reply.get("from_email_address")),
            fallback_lead_id=first_text(reply.get("lead_id")),
        )
        return WebhookParse(kind="unsubscribe", lead=lead)
    if event_type is None:
        return WebhookParse(kind="ignored", reason="emailbison body has no event type")
    return WebhookParse(kind="ignored", reason=f"emailbison event {event_type} is not handled")


def _event_type(body: dict[str, Any]) -> str | None:
    """event.type, or event itself when a sender flattened it to a string."""
    event = body.get("event")
    event_type = first_text(as_dict(event).get("type")) if isinstance(event, dict) else first_text(event)
    return event_type.upper() if event_type else None


def _reply(event_type: str, data: dict[str, Any]) -> WebhookParse:
    reply = as_dict(data.get("reply"))
    lead_data = as_dict(data.get("lead"))
    message_id = _reply_message_id(reply)
    from_address = first_text(reply.get("from_email_address"), lead_data.get("email"))
    is_bounce = _is_bounce(reply, from_address)
    # A bounce comes from the mail server: its address must not become the lead's.
    lead = _lead_identity(
        lead_data,
        fallback_email=None if is_bounce else first_text(reply.get("from_email_address")),
        fallback_lead_id=first_text(reply.get("lead_id")),
        fallback_name=None if is_bounce else first_text(reply.get("from_name")),
    )
    text_body = message_text(reply.get("text_body"))
    html_body = message_text(reply.get("html_body")) or None
    provider_time = first_text(reply.get("date_received"), reply.get("created_at"))
    message = ParsedMessage(
        channel="email",
        direction="inbound",
        sent_by="lead",
        provider_message_id=message_id,
        provider_time=provider_time,
        subject=first_text(reply.get("email_subject")),
        body=text_body or (html_to_text(html_body) if html_body else ""),
        html=html_body,
        from_address=from_address,
        to=address_list(reply.get("to")),
        cc=address_list(reply.get("cc")),
        bcc=address_list(reply.get("bcc")),
        sent_at=parse_timestamp(reply.get("date_received")) or parse_timestamp(reply.get("created_at")),
        is_bounce=is_bounce,
        is_automated=truthy(reply.get("automated_reply")),
        sentiment_hint="Interested" if event_type == "LEAD_INTERESTED" else None,
        send_ref=_send_ref(reply, data),
    )
    return WebhookParse(kind="message", lead=lead, message=message)


def _send_ref(reply: dict[str, Any], data: dict[str, Any]) -> dict[str, str] | None:
    """The reply to answer and the mailbox it reached: what EmailBison's reply API needs."""
    reply_id = first_text(reply.get("id"))
    sender_email_id = first_text(nested(data, "sender_email").get("id"))
    if reply_id is None or sender_email_id is None:
        return None
    return {"reply_id": reply_id, "sender_email_id": sender_email_id}


def _reply_message_id(reply: dict[str, Any]) -> str:
    reply_id = first_text(reply.get("id"))
    if reply_id is not None:
        return f"emailbison:reply:{reply_id}"
    reply_uuid = first_text(reply.get("uuid"))
    if reply_uuid is not None:
        return f"emailbison:reply-uuid:{reply_uuid}"
    raise InvalidPayload("emailbison reply needs data.reply.id or data.reply.uuid")


def _is_bounce(reply: dict[str, Any], from_address: str | None) -> bool:
    reply_type = first_text(reply.get("type"))
    return (reply_type is not None and reply_type.lower() == "bounced") or is_bounce_sender(from_address)


def _sent_email(data: dict[str, Any]) -> WebhookParse:
    scheduled = as_dict(data.get("scheduled_email"))
    scheduled_id = first_text(scheduled.get("id"))
    if scheduled_id is None:
        raise InvalidPayload("emailbison EMAIL_SENT needs data.scheduled_email.id")
    lead = _lead_identity(
        as_dict(data.get("lead")), fallback_email=None, fallback_lead_id=first_text(scheduled.get("lead_id"))
    )
    html_body = message_text(scheduled.get("email_body")) or None
    provider_time = first_text(scheduled.get("sent_at"))
    message = ParsedMessage(
        channel="email",
        direction="outbound",
        sent_by="provider",
        provider_message_id=f"emailbison:scheduled:{scheduled_id}",
        provider_time=provider_time,
        subject=first_text(scheduled.get("email_subject")),
        body=html_to_text(html_body) if html_body else "",
        html=html_body,
        from_address=first_text(nested(data, "sender_email").get("email")),
        to=[lead.email] if lead.email else [],
        sent_at=parse_timestamp(provider_time),
    )
    return WebhookParse(kind="message", lead=lead, message=message)


def _manual_sent(data: dict[str, Any]) -> WebhookParse:
    """A reply sent from the inbox: outbound, from the workspace's mailbox to the lead."""
    reply = as_dict(data.get("reply"))
    to = address_list(reply.get("to"))
    lead_address = first_text(reply.get("primary_to_email_address")) or (to[0] if to else None)
    lead = _lead_identity(
        as_dict(data.get("lead")),
        fallback_email=lead_address,
        fallback_lead_id=first_text(reply.get("lead_id")),
    )
    html_body = message_text(reply.get("html_body")) or None
    provider_time = first_text(reply.get("date_received"), reply.get("created_at"))
    message = ParsedMessage(
        channel="email",
        direction="outbound",
        sent_by="provider",
        provider_message_id=_reply_message_id(reply),
        provider_time=provider_time,
        subject=first_text(reply.get("email_subject")),
        body=message_text(reply.get("text_body")) or (html_to_text(html_body) if html_body else ""),
        html=html_body,
        from_address=first_text(reply.get("from_email_address"), nested(data, "sender_email").get("email")),
        to=to,
        cc=address_list(reply.get("cc")),
        bcc=address_list(reply.get("bcc")),
        sent_at=parse_timestamp(provider_time),
    )
    return WebhookParse(kind="message", lead=lead, message=message)


def _lead_identity(
    lead: dict[str, Any],
    *,
    fallback_email: str | None,
    fallback_lead_id: str | None,
    fallback_name: str | None = None,
) -> LeadIdentity:
    email = first_text(lead.get("email")) or fallback_email
    lead_id = first_text(lead.get("id")) or fallback_lead_id
    if email is None and lead_id is None:
        raise InvalidPayload(
            "emailbison body does not identify the lead: no data.lead.email, data.lead.id or sender address"
        )
    first_name = first_text(lead.get("first_name"))
    last_name = first_text(lead.get("last_name"))
    if first_name is None and last_name is None:
        first_name, last_name = split_name(fallback_name)
    return LeadIdentity(
        email=email,
        phone=first_text(lead.get("phone")) or _custom_variable(lead, "phone"),
        emailbison_lead_id=lead_id,
        first_name=first_name,
        last_name=last_name,
        company=first_text(lead.get("company")),
        title=first_text(lead.get("title")),
    )


def _custom_variable(lead: dict[str, Any], name: str) -> str | None:
    """A lead custom variable by name, any case: [{name, value}] as sent, or a plain {name: value} object."""
    variables = lead.get("custom_variables")
    if isinstance(variables, dict):
        pairs = list(variables.items())
    else:
        pairs = [(as_dict(item).get("name"), as_dict(item).get("value")) for item in as_list(variables)]
    for key, value in pairs:
        key_text = first_text(key)
        if key_text is not None and key_text.lower() == name:
            found = first_text(value)
            if found is not None:
                return found
    return None
