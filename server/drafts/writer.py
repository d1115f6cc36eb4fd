"""Write one AI reply draft for a lead on one channel.

Email: strategy → generation → optional verifier. SMS and LinkedIn: one generation step. Then the optional
meeting-overseer gate. Only the main generation may fail the draft (PromptFailed propagates and the caller
records draft.failed); the verifier and the overseer can only make a draft better, never prevent it — nor
delay it past its time budget: with a `deadline`, an optional step runs only while enough of the budget is
left, and is cut short (the draft kept as it was) when the budget runs out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from difflib import SequenceMatcher
from typing import Any

import msgspec

from server.ai.prompts.drafts import (
    CHANNEL_CHAR_LIMITS,
    Channel,
    DraftContext,
    email_draft_prompt,
    email_strategy_prompt,
    email_verify_prompt,
    short_message_prompt,
)
from server.ai.providers.base import ModelProvider
from server.ai.runner import PromptFailed, PromptResult, run_prompt
from server.ai.transcript import LeadContext, TranscriptMessage, render_transcript
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.drafts.overseer import oversee

log = get_logger(__name__)

# An optional step (verifier, overseer) starts only with at least this much of the draft's budget left, and
# ends this long before the budget does, so the draft it improves is always back in time.
MIN_OPTIONAL_STEP_S = 5.0
OPTIONAL_STEP_MARGIN_S = 0.5
# A verifier answer further from the draft than this is a rewrite, not an edit, and is discarded.
MIN_EDIT_SIMILARITY = 0.6
MAX_EDIT_LENGTH_CHANGE = 0.5


class WrittenDraft(msgspec.Struct, kw_only=True, frozen=True):
    content: str
    subject: str | None
    model: str
    provider: str


async def write_draft(
    channel: Channel,
    messages: list[TranscriptMessage],
    lead: LeadContext,
    *,
    provider: ModelProvider | None = None,
    deadline: float | None = None,
) -> WrittenDraft:
    """`deadline` (time.monotonic()): when the draft must be done; the optional steps give way to it."""
    settings = get_settings()
    ctx = draft_context(channel, messages[-settings.transcript_message_limit :], lead)
    subject: str | None = None
    if channel == "email":
        strategy = await run_prompt(email_strategy_prompt(ctx), provider=provider)
        spec = email_draft_prompt(ctx, strategy.data)
        result = await run_prompt(spec, provider=provider)
        subject, body = _text(result, "subject", spec.task), _text(result, "body", spec.task)
        if settings.email_verifier_enabled:
            body = await _optional("verifier", _verified(ctx, subject, body, provider), body, deadline)
    else:
        spec = short_message_prompt(ctx)
        result = await run_prompt(spec, provider=provider)
        body = _text(result, "body", spec.task)
    if settings.meeting_overseer_enabled:
        body = await _optional("meeting_overseer", _overseen(ctx, body, provider), body, deadline)
    if channel in CHANNEL_CHAR_LIMITS:
        body = fit_to_limit(body, CHANNEL_CHAR_LIMITS[channel])
    log.info("draft_written", channel=channel, model=result.model, provider=result.provider, chars=len(body))
    return WrittenDraft(content=body, subject=subject, model=result.model, provider=result.provider)


def draft_context(channel: Channel, messages: list[TranscriptMessage], lead: LeadContext) -> DraftContext:
    """Answer the lead's latest message on this channel, or their latest anywhere when there is none."""
    inbound = [m for m in messages if m.direction == "inbound"]
    on_channel = [m for m in inbound if m.channel == channel]
    latest = on_channel[-1] if on_channel else inbound[-1] if inbound else None
    subjects = [m.subject for m in messages if m.channel == "email" and m.subject]
    return DraftContext(
        channel=channel,
        lead=lead,
        transcript_text=render_transcript(messages),
        latest_inbound=latest.body if latest else "",
        latest_subject=subjects[-1] if subjects else None,
    )


def is_light_edit(original: str, edited: str) -> bool:
    if not edited.strip():
        return False
    if abs(len(edited) - len(original)) > MAX_EDIT_LENGTH_CHANGE * len(original):
        return False
    return SequenceMatcher(None, original, edited, autojunk=False).ratio() >= MIN_EDIT_SIMILARITY


def fit_to_limit(text: str, limit: int) -> str:
    """Cut an over-long message at the last sentence end that fits, else at a word, marked with "…"."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentence_end = max(head.rfind(mark) for mark in (". ", "! ", "? ", ".\n", "!\n", "?\n"))
    if sentence_end >= limit // 2:
        return head[: sentence_end + 1]
    word_end = head[: limit - 1].rfind(" ")
    return head[: word_end if word_end > 0 else limit - 1].rstrip() + "…"


def _text(result: PromptResult, key: str, task: str) -> str:
    value = str(result.data[key]).strip()
    if not value:  # the schema allows "", a draft does not
        raise PromptFailed("invalid_output", task=task, attempts=result.attempts)
    return value


async def _optional(step: str, improve: Coroutine[Any, Any, str], body: str, deadline: float | None) -> str:
    """The step's better body, or `body` as it is when the time budget does not allow the step."""
    if deadline is None:
        return await improve
    left = deadline - time.monotonic() - OPTIONAL_STEP_MARGIN_S
    if left < MIN_OPTIONAL_STEP_S:
        improve.close()  # never started
        log.info("draft_step_skipped", step=step, reason="time_budget", left_s=round(max(left, 0.0), 1))
        return body
    try:
        return await asyncio.wait_for(improve, left)
    except TimeoutError:
        log.info("draft_step_skipped", step=step, reason="timed_out", after_s=round(left, 1))
        return body


async def _verified(ctx: DraftContext, subject: str, body: str, provider: ModelProvider | None) -> str:
    try:
        result = await run_prompt(email_verify_prompt(ctx, subject, body), provider=provider)
    except PromptFailed as exc:
        log.info("verifier_discarded", reason=exc.category)
        return body
    if result.data["verdict"] != "edited":
        return body
    edited = str(result.data["body"]).strip()
    if not is_light_edit(body, edited):
        log.info("verifier_discarded", reason="rewrite")
        return body
    return edited


async def _overseen(ctx: DraftContext, body: str, provider: ModelProvider | None) -> str:
    try:
        revised = await oversee(ctx, body, provider=provider)
    except Exception as exc:
        # Never fatal: the draft as written is still useful. The type says what broke; no message text.
        log.warning(
            "meeting_overseer_failed",
            channel=ctx.channel,
            error_type=type(exc).__name__,
            category=getattr(exc, "category", None),
        )
        return body
    return revised or body
