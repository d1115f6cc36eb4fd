"""The provider-neutral result of parsing a webhook body."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from server.core.channels import Channel, Direction, SentBy


class InvalidPayload(ValueError):
    """The body lacks what identifies the message or its sender; the message says what."""


class LeadIdentity(msgspec.Struct, kw_only=True):
    """Everything a payload tells about the lead. Values are cleaned but not yet normalized."""

    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    linkedin_provider_id: str | None = None
    emailbison_lead_id: str | None = None
    ghl_contact_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None


class ParsedMessage(msgspec.Struct, kw_only=True):
    channel: Channel
    direction: Direction
    sent_by: SentBy
    # The provider's own message id, prefixed with its kind ("emailbison:reply:999"); None when absent.
    provider_message_id: str | None = None
    # The payload's own time for the message (used for dedupe when there is no provider id).
    provider_time: str | None = None
    subject: str | None = None
    body: str = ""
    html: str | None = None
    from_address: str | None = None
    to: list[str] = []
    cc: list[str] = []
    bcc: list[str] = []
    sent_at: datetime | None = None
    is_bounce: bool = False
    is_automated: bool = False
    # A sentiment the provider already decided (EmailBison LEAD_INTERESTED → "Interested").
    sentiment_hint: str | None = None
    # What the provider's send API needs to answer this message (API.md, "What sending needs"): EmailBison
    # reply_id and sender_email_id, GoHighLevel contact_id, Unipile chat_id and account_id.
    send_ref: dict[str, str] | None = None


class WebhookParse(msgspec.Struct, kw_only=True):
    """What a webhook body means.

    kind "message": store `message` for the lead `lead`.
    kind "unsubscribe": blacklist the lead `lead`.
    kind "ignored": nothing to do; `reason` says why (kept in the webhook log).
    """

    kind: Literal["message", "unsubscribe", "ignored"]
    lead: LeadIdentity | None = None
    message: ParsedMessage | None = None
    reason: str | None = None
