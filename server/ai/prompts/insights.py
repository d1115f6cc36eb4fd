"""Booked-conversation insights: compress long threads in parts, then extract the insight of DESIGN.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

import msgspec

from server.ai import tasks
from server.ai.prompts.common import lead_context, lead_facts, strict_object
from server.ai.runner import PromptSpec
from server.ai.transcript import LeadContext, TranscriptMessage
from server.core.settings import get_settings

OBJECTION_TYPES: Final = ("pricing", "timing", "authority", "need", "trust", "competitor", "none")

# Extraction budgets (DESIGN.md): 3200 first, then +1600 (or ×1.5) per cut-short answer, at most 6400.
EXTRACTION_FIRST_BUDGET: Final = 3200
EXTRACTION_RETRY_MAX: Final = 6400
EXTRACTION_RETRY_EXTRA: Final = 1600
# A digest is short; its budget is modest.
COMPRESSION_FIRST_BUDGET: Final = 800
COMPRESSION_RETRY_MAX: Final = 2400
COMPRESSION_RETRY_EXTRA: Final = 800
# What the offline provider reads of each message body (context only, never sent to a model).
_OFFLINE_BODY_CHARS: Final = 500

_TEXT: dict[str, Any] = {"type": "string"}
_TEXT_LIST: dict[str, Any] = {"type": "array", "items": _TEXT}

DIGEST_SCHEMA: dict[str, Any] = strict_object({"digest": _TEXT, "quotes": _TEXT_LIST})

INSIGHT_SCHEMA: dict[str, Any] = strict_object(
    {
        "summary": _TEXT,
        "key_events": _TEXT_LIST,
        "what_worked": _TEXT_LIST,
        "what_failed": _TEXT_LIST,
        "key_phrases": _TEXT_LIST,
        "evidence_quotes": _TEXT_LIST,
        "recommended_tests": _TEXT_LIST,
        "follow_up": strict_object(
            {
                "objection_responses": {
                    "type": "array",
                    "items": strict_object(
                        {
                            "objection_type": {"type": "string", "enum": list(OBJECTION_TYPES)},
                            "agent_response": _TEXT,
                            "outcome": _TEXT,
                        }
                    ),
                },
                "follow_up_effectiveness": strict_object(
                    {
                        "score": {"type": "integer", "minimum": 0, "maximum": 100},
                        "converted_after_objection": {"type": "boolean"},
                        "notes": _TEXT,
                    }
                ),
            }
        ),
    }
)

COMPRESSION_INSTRUCTIONS = """\
You compress one part of a long sales conversation so that a later step can analyse the whole conversation.
Write a compact, factual digest of this part, oldest first: what matters for how the conversation moved \
toward a booked meeting (the lead's questions, objections and how the setter answered them, proposed or \
agreed times, commitments, changes of tone), with dates. Leave out greetings, signatures, quoted earlier \
emails and pleasantries. At most 150 words, third person ("the lead", "the setter"), no opinions, no facts \
the messages do not contain.
quotes: up to 3 short sentences copied exactly from the messages that best show the lead's intent or \
objections; an empty list when there are none."""

EXTRACTION_INSTRUCTIONS = f"""\
You analyse a sales conversation that ended with a booked meeting, for setters who want to learn what gets \
meetings booked. Read the whole conversation, oldest first (a long one comes as digests of its parts, in \
order), and fill in:
- summary: two to four sentences: who the lead is, what they wanted, how the conversation went and how the \
meeting got booked.
- key_events: the turning points in order, one short line each, with the date when known.
- what_worked: setter moves that brought the lead closer to booking, each tied to what happened.
- what_failed: setter moves that stalled or put off the lead (unanswered questions, pushy or late \
follow-ups, wrong facts); an empty list when there were none.
- key_phrases: at most eight short phrases from the conversation that carried the decision.
- evidence_quotes: up to five quotes copied exactly from the messages (or the digests' quotes) that back \
the points above, each under 200 characters.
- recommended_tests: one to three concrete, testable things to try in future conversations.
- follow_up.objection_responses: one item per objection the lead raised, with objection_type one of \
{", ".join(OBJECTION_TYPES[:-1])}, agent_response (how the setter answered, one sentence) and outcome (what \
the lead did next, one sentence). When the lead raised no objection, a single item with objection_type \
"none".
- follow_up.follow_up_effectiveness: score from 0 to 100 for how well the setter's follow-ups and objection \
handling moved the lead to book (100: timely, relevant, every objection resolved; 50: mixed; 0: the lead \
booked in spite of them), converted_after_objection (true when the lead booked after raising at least one \
objection), notes (one or two sentences that explain the score).
Use only what the conversation shows: never invent facts, names, numbers or quotes. Write in English; keep \
quotes in their original language."""

Speaker = Literal["lead", "setter", "digest"]


class ThreadPiece(msgspec.Struct, kw_only=True, frozen=True):
    """A message of the thread or, once compressed, the digest of a run of consecutive messages."""

    text: str  # as the model reads it
    speaker: Speaker
    channel: str | None
    first_at: datetime
    last_at: datetime
    first_number: int  # position in the thread, 1 = oldest message
    last_number: int
    body: str  # the message body or the digest, for the offline provider
    quotes: tuple[str, ...] = ()

    def offline_fact(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "channel": self.channel,
            "at": self.first_at.date().isoformat(),
            "body": self.body[:_OFFLINE_BODY_CHARS],
            "quotes": list(self.quotes),
        }


class InsightContext(msgspec.Struct, kw_only=True, frozen=True):
    """What the extraction reads: the thread as pieces (messages, or digests when it was compressed)."""

    lead: LeadContext
    booked_at: datetime | None
    pieces: list[ThreadPiece]
    messages: list[TranscriptMessage]  # the whole thread, for the offline provider only

    @property
    def compressed(self) -> bool:
        return any(piece.speaker == "digest" for piece in self.pieces)

    def prompt_input(self) -> str:
        booked = self.booked_at.strftime("%Y-%m-%d %H:%M UTC") if self.booked_at else "unknown"
        shape = "digests of its parts, in order" if self.compressed else "every message, oldest first"
        thread = "\n\n".join(piece.text for piece in self.pieces) or "(no messages)"
        return (
            f"Lead details:\n{lead_facts(self.lead)}\nMeeting booked at: {booked}\n\n"
            f"Conversation of {len(self.messages)} messages ({shape}):\n{thread}"
        )

    def offline_context(self) -> dict[str, Any]:
        return {
            **lead_context(self.lead),
            "last_name": self.lead.last_name,
            "booked_at": self.booked_at.date().isoformat() if self.booked_at else None,
            "messages": [
                {
                    "sent_by": m.sent_by,
                    "channel": m.channel,
                    "sent_at": m.sent_at.date().isoformat(),
                    "body": m.body[:_OFFLINE_BODY_CHARS],
                }
                for m in self.messages
            ],
        }


def thread_compression_prompt(
    lead: LeadContext, pieces: list[ThreadPiece], *, part: int, parts: int
) -> PromptSpec:
    first, last = pieces[0], pieces[-1]
    thread = "\n\n".join(piece.text for piece in pieces)
    text = (
        f"Lead details:\n{lead_facts(lead)}\n\n"
        f"Part {part} of {parts}: messages {first.first_number} to {last.last_number}, oldest first:\n"
        f"{thread}"
    )
    return PromptSpec(
        task=tasks.THREAD_COMPRESSION,
        model=get_settings().model_insights,
        instructions=COMPRESSION_INSTRUCTIONS,
        input=text,
        schema_name=tasks.THREAD_COMPRESSION,
        json_schema=DIGEST_SCHEMA,
        max_output_tokens=COMPRESSION_FIRST_BUDGET,
        retry_max=COMPRESSION_RETRY_MAX,
        retry_extra_tokens=COMPRESSION_RETRY_EXTRA,
        context={
            "pieces": [piece.offline_fact() for piece in pieces],
            "messages": last.last_number - first.first_number + 1,
            "first_at": first.first_at.date().isoformat(),
            "last_at": last.last_at.date().isoformat(),
        },
    )


def insight_extraction_prompt(ctx: InsightContext) -> PromptSpec:
    return PromptSpec(
        task=tasks.CONVERSATION_INSIGHT,
        model=get_settings().model_insights,
        instructions=EXTRACTION_INSTRUCTIONS,
        input=ctx.prompt_input(),
        schema_name=tasks.CONVERSATION_INSIGHT,
        json_schema=INSIGHT_SCHEMA,
        max_output_tokens=EXTRACTION_FIRST_BUDGET,
        retry_max=EXTRACTION_RETRY_MAX,
        retry_extra_tokens=EXTRACTION_RETRY_EXTRA,
        context=ctx.offline_context(),
    )
