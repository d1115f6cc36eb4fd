"""A booked conversation → its insight: a long thread is compressed in parts first, then one extraction.

The extraction input stays under MAX_EXTRACTION_INPUT_CHARS whatever the thread's length: while the thread
is too long, consecutive pieces are grouped into chunks of at most CHUNK_CHARS and each chunk becomes one
digest (one model call each, a few at once). Every piece is under half a chunk, so each round at least
halves the number of pieces, and very long threads simply take another round (digests of digests).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Final

import msgspec

from server.ai.prompts.insights import (
    InsightContext,
    ThreadPiece,
    insight_extraction_prompt,
    thread_compression_prompt,
)
from server.ai.providers.base import ModelProvider
from server.ai.runner import PromptResult, run_prompt
from server.ai.transcript import LeadContext, TranscriptMessage, render_transcript
from server.core.logging import get_logger

log = get_logger(__name__)

MAX_EXTRACTION_INPUT_CHARS: Final = 24_000
# A thread of more messages than this is compressed even when its text is short.
MAX_UNCOMPRESSED_MESSAGES: Final = 150
CHUNK_CHARS: Final = 12_000
MESSAGE_BODY_CHARS: Final = 2_000
DIGEST_CHARS: Final = 1_200
QUOTE_CHARS: Final = 200
MAX_QUOTES: Final = 3
COMPRESSION_CONCURRENCY: Final = 4


class ExtractedInsight(msgspec.Struct, kw_only=True, frozen=True):
    data: dict[str, Any]
    model: str
    provider: str
    model_calls: int  # every attempt, compression included
    digests: int  # compression calls that succeeded (0: the thread was read whole)


def message_pieces(messages: list[TranscriptMessage]) -> list[ThreadPiece]:
    return [
        ThreadPiece(
            text=render_transcript([m], body_limit=MESSAGE_BODY_CHARS),
            speaker="lead" if m.sent_by == "lead" else "setter",
            channel=m.channel,
            first_at=m.sent_at,
            last_at=m.sent_at,
            first_number=number,
            last_number=number,
            body=m.body,
        )
        for number, m in enumerate(messages, start=1)
    ]


def chunks(pieces: list[ThreadPiece], max_chars: int) -> list[list[ThreadPiece]]:
    """Consecutive pieces, greedily grouped so each group's text stays under max_chars."""
    groups: list[list[ThreadPiece]] = []
    size = 0
    for piece in pieces:
        if groups and size + len(piece.text) <= max_chars:
            groups[-1].append(piece)
            size += len(piece.text) + 2
        else:
            groups.append([piece])
            size = len(piece.text)
    return groups


def _too_long(ctx: InsightContext) -> bool:
    messages = sum(piece.speaker != "digest" for piece in ctx.pieces)
    return messages > MAX_UNCOMPRESSED_MESSAGES or len(ctx.prompt_input()) > MAX_EXTRACTION_INPUT_CHARS


def _digest_piece(group: list[ThreadPiece], result: PromptResult) -> ThreadPiece:
    first, last = group[0], group[-1]
    digest = " ".join(str(result.data["digest"]).split())[:DIGEST_CHARS]
    quotes = tuple(" ".join(str(q).split())[:QUOTE_CHARS] for q in result.data["quotes"][:MAX_QUOTES])
    span = f"{first.first_at:%Y-%m-%d} to {last.last_at:%Y-%m-%d}"
    quoted = "".join(f'\n- "{quote}"' for quote in quotes)
    return ThreadPiece(
        text=f"[{span}] Digest of messages {first.first_number}-{last.last_number}:\n{digest}"
        + (f"\nQuotes:{quoted}" if quoted else ""),
        speaker="digest",
        channel=None,
        first_at=first.first_at,
        last_at=last.last_at,
        first_number=first.first_number,
        last_number=last.last_number,
        body=digest,
        quotes=quotes,
    )


async def _compress_round(
    lead: LeadContext, pieces: list[ThreadPiece], provider: ModelProvider | None
) -> tuple[list[ThreadPiece], int]:
    """One round: every chunk becomes a digest. Returns the digests and the model calls they took."""
    groups = chunks(pieces, CHUNK_CHARS)
    limiter = asyncio.Semaphore(COMPRESSION_CONCURRENCY)

    async def compress(part: int, group: list[ThreadPiece]) -> PromptResult:
        async with limiter:
            spec = thread_compression_prompt(lead, group, part=part, parts=len(groups))
            return await run_prompt(spec, provider=provider)

    results = await asyncio.gather(*(compress(i, group) for i, group in enumerate(groups, start=1)))
    digests = [_digest_piece(group, result) for group, result in zip(groups, results, strict=True)]
    return digests, sum(result.attempts for result in results)


async def extract_insight(
    messages: list[TranscriptMessage],
    lead: LeadContext,
    *,
    booked_at: datetime | None,
    provider: ModelProvider | None = None,
) -> ExtractedInsight:
    """The insight of the whole conversation (oldest message first). Raises PromptFailed."""
    ctx = InsightContext(lead=lead, booked_at=booked_at, pieces=message_pieces(messages), messages=messages)
    calls = digests = 0
    while _too_long(ctx):
        pieces, round_calls = await _compress_round(lead, ctx.pieces, provider)
        if len(pieces) >= len(ctx.pieces):
            break  # cannot shrink any further (a single piece): extract from what there is
        calls, digests = calls + round_calls, digests + len(pieces)
        ctx = msgspec.structs.replace(ctx, pieces=pieces)
    result = await run_prompt(insight_extraction_prompt(ctx), provider=provider)
    log.info(
        "insight_extracted",
        messages=len(messages),
        digests=digests,
        input_chars=len(ctx.prompt_input()),
        model_calls=calls + result.attempts,
        provider=result.provider,
    )
    return ExtractedInsight(
        data=result.data,
        model=result.model,
        provider=result.provider,
        model_calls=calls + result.attempts,
        digests=digests,
    )
