"""One sample PromptSpec per prompt builder, shared by the prompt and offline-provider tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.ai.prompts.classification import sentiment_prompt
from server.ai.prompts.drafts import (
    DraftContext,
    email_draft_prompt,
    email_strategy_prompt,
    email_verify_prompt,
    short_message_prompt,
)
from server.ai.prompts.overseer import meeting_overseer_prompt
from server.ai.runner import PromptSpec
from server.ai.transcript import LeadContext, TranscriptMessage, render_transcript

LEAD = LeadContext(first_name="Dana", last_name="Reyes", company="Acme Roofing", sentiment_tag="Interested")
TRANSCRIPT = render_transcript(
    [
        TranscriptMessage(
            channel="email",
            direction="inbound",
            sent_by="lead",
            sent_at=datetime(2026, 2, 5, 10, tzinfo=UTC),
            subject="Re: Quick question",
            body="Sounds good, can we talk Thursday?",
        )
    ]
)
CTX = DraftContext(
    channel="email",
    lead=LEAD,
    transcript_text=TRANSCRIPT,
    latest_inbound="Sounds good, can we talk Thursday?",
    latest_subject="Re: Quick question",
)


def all_specs() -> dict[str, PromptSpec]:
    return {
        "sentiment": sentiment_prompt(TRANSCRIPT, "Sounds good, can we talk Thursday?", LEAD),
        "strategy": email_strategy_prompt(CTX),
        "email": email_draft_prompt(CTX, {"goal": "book_call"}),
        "verify": email_verify_prompt(CTX, "Re: Quick question", "Hi Dana, Thursday works."),
        "sms": short_message_prompt(DraftContext(**{**_ctx_fields(), "channel": "sms"})),
        "linkedin": short_message_prompt(DraftContext(**{**_ctx_fields(), "channel": "linkedin"})),
        "overseer": meeting_overseer_prompt(CTX, "Hi Dana, Thursday works."),
    }


def _ctx_fields() -> dict[str, Any]:
    return {f: getattr(CTX, f) for f in CTX.__struct_fields__}
