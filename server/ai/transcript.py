"""The conversation as the model sees it: the lead's last messages across channels, oldest first.

Pure data and rendering; `server.leads.conversation` loads it from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from server.core.channels import Channel, Direction, SentBy


class TranscriptMessage(msgspec.Struct, kw_only=True, frozen=True):
    channel: Channel
    direction: Direction
    sent_by: SentBy
    sent_at: datetime
    subject: str | None = None
    body: str = ""


class LeadContext(msgspec.Struct, kw_only=True, frozen=True):
    """What the prompts may know about the lead (no ids, nothing secret)."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    email: str | None = None
    sentiment_tag: str = "New"
    appointment_booked: bool = False


_SPEAKER = {
    "lead": "Lead",
    "setter": "Setter",
    "ai": "Setter (AI draft sent)",
    "provider": "Setter (campaign)",
}


def render_transcript(messages: list[TranscriptMessage], *, body_limit: int = 4000) -> str:
    """One line block per message: `[2026-02-05 10:00 UTC] email · Lead: text`."""
    blocks = []
    for m in messages:
        when = m.sent_at.strftime("%Y-%m-%d %H:%M UTC")
        speaker = _SPEAKER.get(m.sent_by, m.sent_by)
        subject = f" (subject: {m.subject})" if m.subject else ""
        body = m.body.strip()
        if len(body) > body_limit:
            body = body[:body_limit] + " …"
        blocks.append(f"[{when}] {m.channel} · {speaker}{subject}:\n{body or '(no text)'}")
    return "\n\n".join(blocks)


class MessageLike(Protocol):
    """A Message row, or a query row with the same columns."""

    @property
    def channel(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def sent_by(self) -> str: ...
    @property
    def sent_at(self) -> datetime: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def body(self) -> str: ...


def transcript_message(m: MessageLike) -> TranscriptMessage:
    return TranscriptMessage(
        channel=m.channel,  # type: ignore[arg-type]
        direction=m.direction,  # type: ignore[arg-type]
        sent_by=m.sent_by,  # type: ignore[arg-type]
        sent_at=m.sent_at,
        subject=m.subject,
        body=m.body,
    )
