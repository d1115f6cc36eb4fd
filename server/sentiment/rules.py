"""Sentiment tags, the lead status they imply, and which of them get AI drafts."""

from __future__ import annotations

import re
from typing import Final

SENTIMENT_TAGS: Final[tuple[str, ...]] = (
    "New",
    "Meeting Booked",
    "Meeting Requested",
    "Call Requested",
    "Information Requested",
    "Objection",
    "Not Interested",
    "Blacklist",
    "Follow Up",
    "Out of Office",
    "Automated Reply",
    "Interested",
    "Neutral",
    "Snoozed",
)

DRAFT_ELIGIBLE_TAGS: Final[frozenset[str]] = frozenset(
    {
        "Interested",
        "Meeting Requested",
        "Call Requested",
        "Information Requested",
        "Meeting Booked",
        "Follow Up",
    }
)

_LEGACY_TAGS: Final[dict[str, str]] = {"positive": "Interested"}
_BY_LOWER: Final[dict[str, str]] = {tag.lower(): tag for tag in SENTIMENT_TAGS}

_STATUS_BY_TAG: Final[dict[str, str]] = {
    "Interested": "qualified",
    "Call Requested": "qualified",
    "Information Requested": "qualified",
    "Meeting Booked": "meeting-booked",
    "Meeting Requested": "meeting-requested",
    "Not Interested": "not-interested",
    "Blacklist": "blacklisted",
}

# The local parts of delivery-status senders, with or without a tag (`bounces+123@…`, `bounce-abc@…`):
# MAILER-DAEMON and its spellings, postmaster, "Mail Delivery Subsystem" and the like.
_BOUNCE_SENDER = re.compile(
    r"^(mailer[-_.]?daemon|mail[-_.]?daemon|postmaster|mail[-_.]?delivery(?:[-_.]?(?:subsystem|system))?"
    r"|delivery[-_.]?(?:status|failure|notification)s?|bounces?|no-?reply[-_.]?bounces?)(?:[+\-_.][^@]*)?@",
    re.I,
)
# "Mail Delivery Subsystem <MAILER-DAEMON@example.com>": the address inside the angle brackets.
_ANGLE_ADDRESS = re.compile(r"<([^<>]+)>\s*$")


def normalize_tag(value: str) -> str | None:
    """The canonical tag for a user- or model-supplied value (case-insensitive, legacy names mapped)."""
    key = value.strip().lower()
    return _LEGACY_TAGS.get(key) or _BY_LOWER.get(key)


def status_for_tag(tag: str) -> str:
    return _STATUS_BY_TAG.get(tag, "new")


def is_bounce_sender(sender_email: str | None) -> bool:
    if not sender_email:
        return False
    address = sender_email.strip()
    if inside := _ANGLE_ADDRESS.search(address):
        address = inside.group(1).strip()
    return bool(_BOUNCE_SENDER.match(address))


def should_generate_draft(tag: str | None, sender_email: str | None = None) -> bool:
    if tag is None or is_bounce_sender(sender_email):
        return False
    canonical = normalize_tag(tag)
    return canonical in DRAFT_ELIGIBLE_TAGS
