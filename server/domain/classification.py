"""Sentiment of a lead's latest message: cheap rules first, then one structured model call."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from server.ai.prompts.classification import sentiment_prompt
from server.ai.providers.base import ModelProvider
from server.ai.runner import PromptFailed, run_prompt
from server.domain.sentiment import is_bounce_sender, normalize_tag
from server.domain.transcript import LeadContext, TranscriptMessage, render_transcript

ClassificationSource = Literal["rule", "model", "provider"]

_BOUNCE_TEXT = re.compile(
    r"delivery status notification|undeliverable|mail delivery (failed|failure|subsystem)"
    r"|delivery has failed|address not found",
    re.I,
)
_OPT_OUT = re.compile(
    r"\bunsubscribe\b|\bremove me\b|\bstop (emailing|e-mailing|contacting|messaging|texting|calling)\b"
    r"|\bdo not (contact|email|e-mail|message|text) me\b|\bdon'?t (contact|email|message|text) me\b",
    re.I,
)
# Carrier keywords: a whole SMS that is just one of them is an opt-out.
_SMS_STOP = re.compile(r"^\s*(stop|stopall|unsubscribe|end|quit)\s*[.!]*\s*$", re.I)
_NOT_INTERESTED = re.compile(
    r"\bnot interested\b|\bno,? thanks\b(?! for)|\bno,? thank you\b(?! for)|\bnot (a|the right|a good) fit\b",
    re.I,
)
_OUT_OF_OFFICE = re.compile(
    r"\bout of (the )?office\b|\bon vacation\b|\bon holiday\b|\baway until\b|(?-i:\bOOO\b)"
    r"|\bautomatic reply\b|\bauto-?reply\b.*\b(away|absent|out)\b",
    re.I,
)
# Where a reply stops being the lead's own words and starts quoting earlier mail (our own footer
# often says "unsubscribe", which must not blacklist the lead who replied above it).
_QUOTE_START = re.compile(
    r"^(>|on .{0,200}wrote:|-{2,} ?original message ?-{2,}|from: .+|sent from my )", re.I | re.M
)


class Classification(msgspec.Struct, kw_only=True, frozen=True):
    tag: str
    # "rule": a fast path here; "model": the prompt runner; "provider": a messaging provider's own event
    # (EmailBison LEAD_UNSUBSCRIBED and the like), set by callers, never by classify_sentiment.
    source: ClassificationSource
    reason: str


def own_words(text: str) -> str:
    """The reply without the quoted thread below it."""
    match = _QUOTE_START.search(text)
    return text[: match.start()] if match else text


def rule_based_classification(
    latest: TranscriptMessage, *, is_bounce: bool = False, sender_email: str | None = None
) -> Classification | None:
    """The fast paths: bounces, opt-outs, plain refusals and out-of-office replies. None when none applies."""
    full_text = f"{latest.subject or ''}\n{latest.body}"
    if is_bounce or is_bounce_sender(sender_email) or _BOUNCE_TEXT.search(full_text):
        return Classification(
            tag="Blacklist", source="rule", reason="Bounce: the address does not receive mail."
        )
    text = f"{latest.subject or ''}\n{own_words(latest.body)}"
    if _OPT_OUT.search(text) or (latest.channel == "sms" and _SMS_STOP.match(latest.body)):
        return Classification(tag="Blacklist", source="rule", reason="The lead asked to stop all contact.")
    if _NOT_INTERESTED.search(text):
        return Classification(tag="Not Interested", source="rule", reason="The lead declined.")
    if _OUT_OF_OFFICE.search(text):
        return Classification(tag="Out of Office", source="rule", reason="An out-of-office auto-reply.")
    return None


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
