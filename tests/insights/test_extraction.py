"""Insight extraction: the budget grows on cut-short answers, long threads are compressed first, the offline
answer is schema-valid and grounded in the conversation, and the insight is stored with its event."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from server.ai import tasks
from server.ai.prompts.insights import (
    INSIGHT_SCHEMA,
    OBJECTION_TYPES,
    InsightContext,
    insight_extraction_prompt,
)
from server.ai.providers.offline import OfflineProvider
from server.ai.runner import next_budget
from server.ai.schema_check import conforms
from server.ai.transcript import LeadContext, TranscriptMessage
from server.core.db.engine import session_factory
from server.core.db.models import Lead, Message, Workspace
from server.core.event_schemas import decode_event
from server.insights import extraction as insight_extraction
from server.insights.conversation_hash import conversation_hash, conversation_hash_sql
from server.insights.extraction import MAX_EXTRACTION_INPUT_CHARS, extract_insight, message_pieces
from server.insights.lead_summary import summarise_lead
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.insights.insight_threads import (
    BOOKED_THREAD,
    START,
    booked_lead,
    insight_events,
    long_thread,
    stored_insight,
)


@pytest.fixture
async def workspace_id() -> uuid.UUID:
    async with session_factory()() as session:
        workspace = Workspace(name="insights", webhook_secret=uuid.uuid4().hex)
        session.add(workspace)
        await session.commit()
        return workspace.id


def insight_requests(fake: FakeOpenAIServer) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.format_name == tasks.CONVERSATION_INSIGHT]


def assert_strict(schema: dict[str, Any]) -> None:
    if schema.get("type") == "object":
        assert schema["additionalProperties"] is False
        assert sorted(schema["required"]) == sorted(schema["properties"])
        for sub in schema["properties"].values():
            assert_strict(sub)
    if schema.get("type") == "array":
        assert_strict(schema["items"])


def test_the_insight_schema_is_strict_and_has_the_design_fields() -> None:
    assert_strict(INSIGHT_SCHEMA)
    assert list(INSIGHT_SCHEMA["properties"]) == [
        "summary",
        "key_events",
        "what_worked",
        "what_failed",
        "key_phrases",
        "evidence_quotes",
        "recommended_tests",
        "follow_up",
    ]
    follow_up = INSIGHT_SCHEMA["properties"]["follow_up"]["properties"]
    objection = follow_up["objection_responses"]["items"]["properties"]
    assert objection["objection_type"]["enum"] == list(OBJECTION_TYPES)
    assert list(objection) == ["objection_type", "agent_response", "outcome"]
    score = follow_up["follow_up_effectiveness"]["properties"]["score"]
    assert (score["type"], score["minimum"], score["maximum"]) == ("integer", 0, 100)


async def test_budget_grows_3200_4800_6400_and_the_insight_is_stored(
    fake_openai: FakeOpenAIServer, openai_env: dict[str, str], workspace_id: uuid.UUID
) -> None:
    lead_id = await booked_lead(workspace_id, BOOKED_THREAD)

    def answer(request: RecordedRequest) -> FakeReply:
        if (request.max_output_tokens or 0) < 6000:
            return FakeReply.incomplete('{"summary": "Dana booked after')
        return FakeReply()

    fake_openai.script(*[answer] * 10)

    outcome = await summarise_lead(lead_id)

    assert (outcome.status, outcome.model_calls) == ("done", 3)
    budgets = [r.max_output_tokens for r in insight_requests(fake_openai)]
    assert budgets == [3200, 4800, 6400]
    for previous, following in itertools.pairwise(budgets):
        assert following == next_budget(previous, multiplier=1.5, extra=1600, cap=6400)
    insight = await stored_insight(lead_id)
    assert insight is not None and insight.source == "openai" and insight.outcome == "BOOKED"
    assert conforms(insight.insight, INSIGHT_SCHEMA)


async def test_a_500_message_thread_is_compressed_in_chunks_before_extraction(
    fake_openai: FakeOpenAIServer, openai_env: dict[str, str], workspace_id: uuid.UUID
) -> None:
    lead_id = await booked_lead(workspace_id, long_thread(500))

    outcome = await summarise_lead(lead_id)

    assert outcome.status == "done"
    compressions = [r for r in fake_openai.requests if r.format_name == tasks.THREAD_COMPRESSION]
    [extraction] = insight_requests(fake_openai)
    assert len(compressions) >= 5
    assert all(len(r.input) < insight_extraction.CHUNK_CHARS + 1_000 for r in compressions)
    # Chunks are compressed a few at a time, so they reach the model in any order; together they cover it all.
    assert any("messages 1 to " in r.input for r in compressions)
    assert any("to 500, oldest first" in r.input for r in compressions)
    assert len(extraction.input) < MAX_EXTRACTION_INPUT_CHARS
    assert "Digest of messages 1-" in extraction.input and "Conversation of 500 messages" in extraction.input
    assert extraction.max_output_tokens == 3200
    assert outcome.model_calls == len(compressions) + 1


async def test_very_long_threads_take_another_round_of_digests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(insight_extraction, "MAX_EXTRACTION_INPUT_CHARS", 4_000)
    monkeypatch.setattr(insight_extraction, "CHUNK_CHARS", 3_000)
    messages = [
        TranscriptMessage(
            channel="sms",
            direction="inbound" if sent_by == "lead" else "outbound",
            sent_by=sent_by,  # type: ignore[arg-type]
            sent_at=START + timedelta(minutes=i),
            body=body,
        )
        for i, (sent_by, body) in enumerate(long_thread(400))
    ]

    extracted = await extract_insight(messages, LeadContext(first_name="Dana"), booked_at=None)

    first_round = len(insight_extraction.chunks(insight_extraction.message_pieces(messages), 3_000))
    assert extracted.digests > first_round  # digests of digests
    assert extracted.model_calls == extracted.digests + 1
    assert conforms(extracted.data, INSIGHT_SCHEMA)


async def test_the_offline_insight_is_grounded_in_the_conversation(workspace_id: uuid.UUID) -> None:
    lead_id = await booked_lead(workspace_id, BOOKED_THREAD)

    outcome = await summarise_lead(lead_id, provider=OfflineProvider())

    assert (outcome.status, outcome.model_calls) == ("done", 1)
    insight = await stored_insight(lead_id)
    assert insight is not None and (insight.source, insight.model) == ("offline", "offline-deterministic-v1")
    data = insight.insight
    assert conforms(data, INSIGHT_SCHEMA)
    assert "Dana Reyes from Acme Roofing booked a meeting" in data["summary"]
    [response] = data["follow_up"]["objection_responses"]
    assert response["objection_type"] == "pricing"
    assert response["agent_response"] == "Fair question."
    effectiveness = data["follow_up"]["follow_up_effectiveness"]
    assert effectiveness["converted_after_objection"] is True and 0 <= effectiveness["score"] <= 100
    lead_words = " ".join(body for sent_by, body in BOOKED_THREAD if sent_by == "lead")
    assert data["evidence_quotes"] and all(quote in lead_words for quote in data["evidence_quotes"])
    assert "Offered a concrete day or time, which made saying yes easy" in data["what_worked"]
    assert "thursday" in data["key_phrases"]


async def test_storing_emits_insight_updated_in_the_api_shape(workspace_id: uuid.UUID) -> None:
    lead_id = await booked_lead(workspace_id, BOOKED_THREAD)

    await summarise_lead(lead_id)

    [event] = await insight_events(lead_id)
    envelope = {
        "id": event.id,
        "type": event.type,
        "workspace_id": str(workspace_id),
        "lead_id": str(lead_id),
        "at": event.created_at.isoformat(),
        "data": event.data,
        "actor": event.actor,
    }
    decode_event(envelope)
    assert event.actor == {"type": "ai"}  # the model wrote it
    shown = event.data["insight"]
    assert shown["lead_id"] == str(lead_id) and shown["outcome"] == "BOOKED"
    assert shown["source"] == "offline" and shown["first_name"] == "Dana"
    assert set(shown["insight"]) == set(INSIGHT_SCHEMA["properties"])


async def test_the_sql_fingerprint_matches_the_python_one(workspace_id: uuid.UUID) -> None:
    thread = [*BOOKED_THREAD, ("lead", "Ünïcode ✓ and 'quotes', \"double\" too\nnew line")]
    lead_id = await booked_lead(workspace_id, thread)
    async with session_factory()() as session:
        rows = (
            await session.execute(
                select(Message.id, Message.body)
                .where(Message.lead_id == lead_id)
                .order_by(Message.sent_at, Message.id)
            )
        ).all()
        in_sql = await session.scalar(select(conversation_hash_sql(Lead.id)).where(Lead.id == lead_id))
    assert in_sql == conversation_hash((row.id, row.body) for row in rows)


def test_the_extraction_prompt_carries_budgets_lead_and_thread() -> None:
    messages = [
        TranscriptMessage(
            channel="email", direction="inbound", sent_by="lead", sent_at=START, body="Thursday works."
        )
    ]
    ctx = InsightContext(
        lead=LeadContext(first_name="Dana", company="Acme Roofing"),
        booked_at=START,
        pieces=message_pieces(messages),
        messages=messages,
    )
    spec = insight_extraction_prompt(ctx)
    assert (spec.max_output_tokens, spec.retry_max, spec.retry_extra_tokens) == (3200, 6400, 1600)
    assert spec.task == tasks.CONVERSATION_INSIGHT and spec.retry_multiplier == 1.5
    assert "Thursday works." in spec.input and "Acme Roofing" in spec.input
    assert "Meeting booked at: 2026-02-02 09:00 UTC" in spec.input
