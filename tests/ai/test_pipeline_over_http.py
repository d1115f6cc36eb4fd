"""Classification and drafting end to end through the official SDK and the fake OpenAI server."""

from __future__ import annotations

from datetime import UTC, datetime

from server.ai.transcript import LeadContext, TranscriptMessage
from server.drafts.writer import write_draft
from server.leads.classification import classify_sentiment
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest

LEAD = LeadContext(first_name="Dana", company="Acme Roofing")
LATEST = TranscriptMessage(
    channel="email",
    direction="inbound",
    sent_by="lead",
    sent_at=datetime(2026, 2, 5, 10, tzinfo=UTC),
    subject="Re: Quick question",
    body="Could we talk on Thursday?",
)
BODY = "Hi Dana,\n\nThanks for getting back to me. Thursday works: what time suits you?\n\nBest regards,"


async def test_classification_uses_the_model_answer(
    openai_env: dict[str, str], fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(
        FakeReply.completed({"sentiment_tag": "Meeting Requested", "reason": "Proposes a day."})
    )

    result = await classify_sentiment([LATEST], LEAD, LATEST)

    assert (result.tag, result.source, result.reason) == ("Meeting Requested", "model", "Proposes a day.")
    [sent] = fake_openai.requests
    assert (sent.format_name, sent.max_output_tokens) == ("sentiment_classification", 1000)
    assert sent.body["reasoning"] == {"effort": "minimal"}  # gpt-5-mini reasons: a small effort, stated


async def test_email_draft_survives_a_truncated_verifier(
    openai_env: dict[str, str], fake_openai: FakeOpenAIServer
) -> None:
    def answer(request: RecordedRequest) -> FakeReply:
        if request.format_name == "email_draft":
            return FakeReply.completed({"subject": "Re: Quick question", "body": BODY})
        if request.format_name == "email_verify":
            return FakeReply.incomplete()
        return FakeReply()  # strategy and overseer: the default valid answer ("keep")

    fake_openai.script(*[answer] * 10)

    draft = await write_draft("email", [LATEST], LEAD)

    assert (draft.content, draft.subject, draft.provider) == (BODY, "Re: Quick question", "openai")
    sent = [(r.format_name, r.max_output_tokens) for r in fake_openai.requests]
    assert sent == [
        ("email_strategy", 2000),
        ("email_draft", 2000),
        ("email_verify", 2000),
        ("email_verify", 3200),
        ("email_verify", 4800),
        ("email_verify", 6000),
        ("meeting_overseer", 1200),
    ]
