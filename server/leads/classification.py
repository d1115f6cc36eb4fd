"""Sentiment of a lead's latest message: cheap rules first, then one structured model call."""

from __future__ import annotations

from typing import Literal

import msgspec

from server.ai.prompts.classification import sentiment_prompt
from server.ai.providers.base import ModelProvider
from server.ai.runner import PromptFailed, run_prompt
from server.ai.transcript import LeadContext, TranscriptMessage, render_transcript
from server.sentiment.fast_paths import fast_path_tag
from server.sentiment.rules import normalize_tag

ClassificationSource = Literal["rule", "model", "provider"]


class Classification(msgspec.Struct, kw_only=True, frozen=True):
    tag: str
    # "rule": a fast path here; "model": the prompt runner; "provider": a messaging provider's own event
    # (EmailBison LEAD_UNSUBSCRIBED and the like), set by callers, never by classify_sentiment.
    source: ClassificationSource
    reason: str


def rule_based_classification(
    latest: TranscriptMessage, *, is_bounce: bool = False, sender_email: str | None = None
) -> Classification | None:
    """The fast paths (`server.sentiment.fast_paths`) as a classification; None when none applies."""
    ruled = fast_path_tag(
        channel=latest.channel,
        subject=latest.subject,
        body=latest.body,
        is_bounce=is_bounce,
        sender_email=sender_email,
    )
    if ruled is None:
        return None
    tag, reason = ruled
    return Classification(tag=tag, source="rule", reason=reason)


async def classify_sentiment(
    messages: list[TranscriptMessage],
    lead: LeadContext,
    latest: TranscriptMessage,
    *,
    is_bounce: bool = False,
    sender_email: str | None = None,
    provider: ModelProvider | None = None,
) -> Classification:
    """The tag for `latest`, the lead's newest inbound message.

    Raises PromptFailed when the model gives no usable answer after the runner's retries: there is no good
    default tag, so the caller decides (typically: keep the lead's current tag and log the category).
    """
    ruled = rule_based_classification(latest, is_bounce=is_bounce, sender_email=sender_email)
    if ruled is not None:
        return ruled
    latest_text = f"(subject: {latest.subject})\n{latest.body}" if latest.subject else latest.body
    spec = sentiment_prompt(render_transcript(messages), latest_text, lead)
    result = await run_prompt(spec, provider=provider)
    tag = normalize_tag(str(result.data["sentiment_tag"]))
    if tag is None:  # the schema's enum makes this unreachable unless the tag list and schema drift apart
        raise PromptFailed("invalid_output", task=spec.task, attempts=result.attempts)
    return Classification(tag=tag, source="model", reason=str(result.data["reason"])[:300])
