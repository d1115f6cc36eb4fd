"""Distinct, realistic webhook bodies built from the test fixtures: unique reply, lead and message ids."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "webhooks"

REPLIES: tuple[str, ...] = (
    "Thanks for reaching out. What does onboarding look like for a team of our size?",
    "Could you share a bit more about how this works with our current CRM?",
    "Got it, I'll forward this to our head of sales.",
    "Who else in our industry is using this today?",
    "Appreciate the note. Can you tell me a little more about the setup?",
)
INTERESTED_REPLIES: tuple[str, ...] = (
    "Yes, interested — can we book a call Tuesday?",
    "Sounds good, I'm interested. Could we talk on Thursday afternoon?",
    "Yes please, happy to jump on a quick call this week.",
    "Interested! Let's talk — what times work for you on Wednesday?",
)

# Never drafted, and decided without a model call: the classifier's fast paths tag them "Not Interested" or
# "Out of Office" (server/sentiment/fast_paths.py). For measuring ingestion without drafting load.
UNDRAFTED_REPLIES: tuple[str, ...] = (
    "Thanks, but we are not interested at this time.",
    "I am out of the office until Monday with limited access to email.",
    "No thanks, we already have something in place.",
    "Automatic reply: I am on vacation this week and will answer when I am back.",
)


@dataclass(frozen=True)
class Webhook:
    channel: str  # "email" (EmailBison) or "sms" (GoHighLevel)
    body: bytes


@cache
def _fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _numeric_id(run: str, n: int) -> int:
    """An integer id as EmailBison sends them, unique per run (8 hex digits) and n (< 10 million)."""
    return int(run, 16) % 1_000_000 * 10_000_000 + n


def emailbison_reply(run: str, n: int, text: str) -> Webhook:
    body = copy.deepcopy(_fixture("emailbison_lead_replied_1.json"))
    email = f"lead.{run}.{n}@example.com"
    lead = body["data"]["lead"]
    lead.update(id=_numeric_id(run, n), email=email, first_name="Lead", last_name=f"Number{n}")
    reply = body["data"]["reply"]
    reply.update(
        id=_numeric_id(run, n),
        uuid=f"{run}-reply-{n}",
        email_subject="Re: quick question about your outbound",
        from_email_address=email,
        from_name=f"Lead Number{n}",
        text_body=text,
        html_body=f"<p>{text}</p>",
        date_received=_now_iso(),
        created_at=_now_iso(),
    )
    return Webhook("email", json.dumps(body).encode())


def ghl_sms(run: str, n: int, text: str) -> Webhook:
    body = copy.deepcopy(_fixture("ghl_inbound_message_sms_1.json"))
    body.update(
        messageId=f"{run}-sms-{n}",
        contactId=f"{run}-contact-{n}",
        conversationId=f"{run}-conversation-{n}",
        body=text,
        dateAdded=_now_iso(),
        # A number of its own per run and lead: the phone is a lead match key too.
        **{"from": f"+1555{int(run[:4], 16) % 1000:03d}{n:07d}"},
    )
    return Webhook("sms", json.dumps(body).encode())


def mixed(run: str, n: int, texts: tuple[str, ...], sms_every: int = 4) -> Webhook:
    """Every `sms_every`-th body a GoHighLevel SMS, the rest EmailBison LEAD_REPLIED emails."""
    text = texts[n % len(texts)]
    return ghl_sms(run, n, text) if n % sms_every == sms_every - 1 else emailbison_reply(run, n, text)
