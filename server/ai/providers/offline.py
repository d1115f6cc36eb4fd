"""A deterministic stand-in for the model, used when no OpenAI key is configured (local runs, demos, CI).

It answers from `request.context` (structured facts the prompt builders add) by task, and always returns JSON
that conforms to the request's schema. It is labelled as what it is: provider "offline", model
"offline-deterministic-v1".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

from server.ai import tasks
from server.ai.providers.base import ModelRequest, ModelResponse
from server.ai.providers.offline_insights import write_digest, write_insight
from server.ai.providers.offline_replies import Reply
from server.ai.schema_check import conforms
from server.ai.schema_instance import minimal_instance
from server.core.text_cleaning import own_words
from server.sentiment.fast_paths import fast_path_tag

OFFLINE_MODEL: Final = "offline-deterministic-v1"

# After the shared fast-path rules: the first pattern found in the lead's own words decides the tag.
_TAG_PATTERNS: Final[tuple[tuple[str, str, re.Pattern[str]], ...]] = (
    (
        "Automated Reply",
        "An automated message.",
        re.compile(r"\b(do not reply|automated (message|reply))\b", re.I),
    ),
    ("Meeting Booked", "The lead confirms a booked time.", re.compile(r"\b(booked|confirmed)\b", re.I)),
    (
        "Follow Up",
        "The lead asks to be contacted later.",
        re.compile(
            r"\b(not right now|circle back|reach out (again )?(in|next)|next (month|quarter|year))\b", re.I
        ),
    ),
    (
        "Objection",
        "The lead raises a concern.",
        re.compile(r"\b(too expensive|no budget|already (have|use|work with)|not sure (it|this))\b", re.I),
    ),
    ("Call Requested", "The lead asks for a call.", re.compile(r"\b(call|phone|ring me)\b", re.I)),
    (
        "Meeting Requested",
        "The lead asks to meet.",
        re.compile(r"\b(meet|meeting|calendar|schedule|zoom|demo|availability)\b", re.I),
    ),
    (
        "Information Requested",
        "The lead asks for information.",
        re.compile(r"\b(price|pricing|cost|how much|info|information|details|send me|learn more)\b", re.I),
    ),
    (
        "Interested",
        "The lead sounds positive.",
        re.compile(
            r"\b(interested|sounds (good|great)|love to|keen|let'?s talk|tell me more|yes|sure)\b", re.I
        ),
    ),
)


class OfflineProvider:
    name = "offline"

    async def respond(self, request: ModelRequest) -> ModelResponse:
        write = _ANSWERS.get(request.task)
        answer = write(request.context) if write else None
        if answer is None or not conforms(answer, request.json_schema):
            # A task without a writer here, or a schema that changed without this provider: still valid JSON.
            answer = _minimal_answer(request.json_schema)
        return ModelResponse(
            status="completed",
            output_text=json.dumps(answer, ensure_ascii=False),
            model=OFFLINE_MODEL,
            provider="offline",
        )


def classify(text: str) -> tuple[str, str]:
    """(tag, reason) for the lead's latest message, by keyword."""
    ruled = fast_path_tag(channel="email", subject=None, body=text)
    if ruled is not None:
        return ruled
    words = own_words(text)
    for tag, reason, pattern in _TAG_PATTERNS:
        if pattern.search(words):
            return tag, f"Offline heuristic: {reason.lower()}"
    return "Neutral", "Offline heuristic: no clear intent."


def _sentiment(context: dict[str, Any]) -> dict[str, Any]:
    tag, reason = classify(str(context.get("latest_inbound") or ""))
    return {"sentiment_tag": tag, "reason": reason}


_GOALS: Final = {"booked": "confirm_meeting", "price": "answer_then_book", "info": "answer_then_book"}
_INTENTS: Final = {
    "booked": "Confirms the meeting.",
    "call": "Wants a call.",
    "meeting": "Wants to meet.",
    "price": "Asks about pricing.",
    "info": "Wants more information.",
    "": "Is open to talking.",
}


def _reply(context: dict[str, Any]) -> Reply:
    lead_text = own_words(str(context.get("latest_inbound") or ""))
    return Reply(lead_text, first_name=context.get("first_name"), company=context.get("company"))


def _strategy(context: dict[str, Any]) -> dict[str, Any]:
    ask = _reply(context).main_ask
    points = ["Thank them for the reply", "Answer what they asked in one or two sentences"]
    points.append("Confirm the booked time" if ask == "booked" else "Ask when they are free for a short call")
    return {
        "lead_intent": _INTENTS[ask],
        "goal": _GOALS.get(ask, "book_call"),
        "key_points": points,
        "tone": "friendly and concise",
    }


def _email(context: dict[str, Any]) -> dict[str, Any]:
    subject, body = _reply(context).email(context.get("latest_subject"))
    return {"subject": subject, "body": body}


def _sms(context: dict[str, Any]) -> dict[str, Any]:
    return {"body": _reply(context).sms()}


def _linkedin(context: dict[str, Any]) -> dict[str, Any]:
    return {"body": _reply(context).linkedin()}


def _verify(context: dict[str, Any]) -> dict[str, Any]:
    return {"verdict": "ok", "body": str(context.get("draft_body") or "")}


def _oversee(context: dict[str, Any]) -> dict[str, Any]:
    return {"decision": "keep", "body": str(context.get("draft_body") or "")}


def _minimal_answer(schema: dict[str, Any]) -> Any:
    return minimal_instance(
        schema, lambda name: f"Not generated: offline mode has no model ({name or 'text'})."
    )


_ANSWERS: Final[dict[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    tasks.SENTIMENT_CLASSIFICATION: _sentiment,
    tasks.EMAIL_STRATEGY: _strategy,
    tasks.EMAIL_DRAFT: _email,
    tasks.EMAIL_VERIFY: _verify,
    tasks.SMS_DRAFT: _sms,
    tasks.LINKEDIN_DRAFT: _linkedin,
    tasks.MEETING_OVERSEER: _oversee,
    tasks.THREAD_COMPRESSION: write_digest,
    tasks.CONVERSATION_INSIGHT: write_insight,
}
