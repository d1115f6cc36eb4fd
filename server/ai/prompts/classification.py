"""Sentiment classification: one tag from SENTIMENT_TAGS for the lead's latest message."""

from __future__ import annotations

from typing import Any

from server.ai import tasks
from server.ai.prompts.common import lead_facts, strict_object
from server.ai.runner import PromptSpec
from server.ai.transcript import LeadContext
from server.core.settings import get_settings
from server.sentiment.rules import SENTIMENT_TAGS

SENTIMENT_SCHEMA: dict[str, Any] = strict_object(
    {
        "sentiment_tag": {"type": "string", "enum": list(SENTIMENT_TAGS)},
        "reason": {"type": "string", "description": "One short sentence, no quotes from the messages."},
    }
)

INSTRUCTIONS = """\
You classify a sales lead's latest reply for a team of setters whose goal is to book calls.
Pick exactly one tag for what the latest reply means, reading the conversation for context:
- Meeting Booked: the lead confirms a specific booked time or says they booked one.
- Meeting Requested: the lead asks for a meeting or proposes times to meet.
- Call Requested: the lead asks to be called or to have a phone call.
- Information Requested: the lead asks for details, pricing, materials or answers before committing.
- Interested: positive and open to next steps, without asking for anything specific.
- Objection: raises a concern (price, timing, authority, need, trust, a competitor) but has not said no.
- Follow Up: asks to be contacted again later, or the lead is not ready yet but has not said no.
- Not Interested: declines.
- Blacklist: asks to stop all contact or unsubscribe, is hostile, or the message is a bounce.
- Out of Office: an absence auto-reply.
- Automated Reply: any other machine-written reply (ticket receipts, "do not reply" notices).
- Neutral: a human reply with no clear intent, such as a bare question about who you are.
- New, Snoozed: do not use; they are set by people, not by replies.
Judge the lead's own words, not quoted earlier emails or signatures. If two tags fit, prefer the one that \
asks the setter to act (Call Requested or Meeting Requested over Interested).
Give the reason as one short sentence in your own words; do not quote the lead."""


def sentiment_prompt(transcript_text: str, latest_inbound_text: str, lead: LeadContext) -> PromptSpec:
    return PromptSpec(
        task=tasks.SENTIMENT_CLASSIFICATION,
        model=get_settings().model_classify,
        instructions=INSTRUCTIONS,
        input=(
            f"Lead details:\n{lead_facts(lead)}\n\n"
            f"Conversation, oldest first:\n{transcript_text or '(none)'}\n\n"
            f"Latest reply from the lead (classify this one):\n{latest_inbound_text or '(no text)'}"
        ),
        schema_name="sentiment_classification",
        json_schema=SENTIMENT_SCHEMA,
        # Room for minimal reasoning (server/ai/reasoning.py) as well as the short answer.
        max_output_tokens=1000,
        retry_max=3000,
        retry_extra_tokens=600,
        context={"latest_inbound": latest_inbound_text},
    )
