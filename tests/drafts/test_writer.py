"""write_draft: the email pipeline, the verifier's guard rails, channel limits, a gate that never blocks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from server.ai import tasks
from server.ai.providers.base import PermanentModelError
from server.ai.runner import PromptFailed
from server.ai.transcript import LeadContext, TranscriptMessage
from server.core.settings import reset_settings_cache
from server.drafts.writer import draft_context, fit_to_limit, is_light_edit, write_draft
from server.inbound.parsers.normalized import Channel
from tests.fakes.scripted_provider import ScriptedProvider, truncated

LEAD = LeadContext(first_name="Dana", company="Acme Roofing", sentiment_tag="Interested")
LEAD_TEXT = "Kumquat question: how much is it, and can we talk Thursday?"
DRAFT = (
    "Hi Dana,\n\nThanks for getting back to me. Pricing depends on the size of your team, so a short call is "
    "the best way to get you a real figure.\n\nHappy to look at Thursday. What time works best for you?"
    "\n\nBest regards,"
)
SECRET_KEY = "sk-live-never-in-logs-1234"


def message(body: str, *, channel: Channel = "email", direction: str = "inbound") -> TranscriptMessage:
    return TranscriptMessage(
        channel=channel,
        direction="inbound" if direction == "inbound" else "outbound",
        sent_by="lead" if direction == "inbound" else "setter",
        sent_at=datetime(2026, 2, 5, 10, tzinfo=UTC),
        subject="Re: Quick question" if channel == "email" else None,
        body=body,
    )


MESSAGES = [message("Hi Dana, quick question about roofing leads.", direction="outbound"), message(LEAD_TEXT)]


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EMAIL_VERIFIER_ENABLED", "true")
    monkeypatch.setenv("MEETING_OVERSEER_ENABLED", "true")
    monkeypatch.setenv("OPENAI_BACKOFF_BASE_S", "0.001")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)  # in settings; the scripted provider never uses it
    monkeypatch.setenv("LLM_PROVIDER", "offline")
    reset_settings_cache()
    yield
    reset_settings_cache()


def email_provider(**answers: Any) -> ScriptedProvider:
    return ScriptedProvider({tasks.EMAIL_DRAFT: {"subject": "Re: Quick question", "body": DRAFT}, **answers})


async def test_email_runs_strategy_generation_verifier_and_overseer() -> None:
    provider = email_provider()

    draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert (draft.content, draft.subject, draft.model, draft.provider) == (
        DRAFT,
        "Re: Quick question",
        "scripted",
        "scripted",
    )
    assert provider.tasks_called() == [
        tasks.EMAIL_STRATEGY,
        tasks.EMAIL_DRAFT,
        tasks.EMAIL_VERIFY,
        tasks.MEETING_OVERSEER,
    ]
    assert '"goal": "answer_then_book"' in provider.calls[1].input  # the plan feeds the generation


async def test_offline_email_draft_reads_like_a_reply() -> None:
    draft = await write_draft("email", MESSAGES, LEAD)

    assert draft.provider == "offline"
    assert draft.subject == "Re: Quick question"
    assert draft.content.startswith("Hi Dana,")
    assert "Thursday" in draft.content


@pytest.mark.parametrize("error", [RuntimeError("boom"), PermanentModelError("auth", status_code=401)])
async def test_a_failing_overseer_never_prevents_the_draft(error: Exception) -> None:
    provider = email_provider(**{tasks.MEETING_OVERSEER: error})

    with structlog.testing.capture_logs() as logs:
        draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == DRAFT
    [warning] = [e for e in logs if e["event"] == "meeting_overseer_failed"]
    expected_type = "RuntimeError" if isinstance(error, RuntimeError) else "PromptFailed"
    assert (warning["log_level"], warning["error_type"], warning["channel"]) == (
        "warning",
        expected_type,
        "email",
    )
    assert "boom" not in str(logs)


async def test_an_overseer_revision_replaces_the_body() -> None:
    revised = DRAFT.replace("What time works best for you?", "Does 2pm on Thursday still suit you?")
    provider = email_provider(**{tasks.MEETING_OVERSEER: {"decision": "revise", "body": revised}})

    draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == revised


async def test_disabled_gates_are_not_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_VERIFIER_ENABLED", "false")
    monkeypatch.setenv("MEETING_OVERSEER_ENABLED", "false")
    reset_settings_cache()
    provider = email_provider()

    await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert provider.tasks_called() == [tasks.EMAIL_STRATEGY, tasks.EMAIL_DRAFT]


async def test_a_light_verifier_edit_is_kept() -> None:
    edited = DRAFT.replace("Thanks for getting back to me.", "Thanks for getting back to me so quickly.")
    provider = email_provider(**{tasks.EMAIL_VERIFY: {"verdict": "edited", "body": edited}})

    draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == edited


@pytest.mark.parametrize(
    "body",
    [
        "Dear Ms Dana, we are a leading provider of enterprise solutions. Please find attached our brochure.",
        DRAFT + "\n\nP.S. " + "We also offer many other services you might like. " * 4,
        "",
    ],
    ids=["rewrite", "much-longer", "empty"],
)
async def test_a_verifier_rewrite_is_discarded(body: str) -> None:
    provider = email_provider(**{tasks.EMAIL_VERIFY: {"verdict": "edited", "body": body}})

    with structlog.testing.capture_logs() as logs:
        draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == DRAFT
    assert {"event": "verifier_discarded", "reason": "rewrite", "log_level": "info"} in logs


async def test_an_ok_verdict_keeps_the_draft_whatever_body_comes_with_it() -> None:
    provider = email_provider(**{tasks.EMAIL_VERIFY: {"verdict": "ok", "body": "Something else entirely."}})

    draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == DRAFT


async def test_a_truncated_verifier_answer_is_discarded() -> None:
    provider = email_provider(**{tasks.EMAIL_VERIFY: truncated()})

    with structlog.testing.capture_logs() as logs:
        draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == DRAFT
    verify_budgets = [c.max_output_tokens for c in provider.calls if c.task == tasks.EMAIL_VERIFY]
    assert verify_budgets == [2000, 3200, 4800, 6000]
    assert {"event": "verifier_discarded", "reason": "max_output_tokens", "log_level": "info"} in logs


async def test_an_invalid_verifier_answer_is_discarded() -> None:
    provider = email_provider(**{tasks.EMAIL_VERIFY: {"verdict": "maybe", "body": DRAFT}})

    draft = await write_draft("email", MESSAGES, LEAD, provider=provider)

    assert draft.content == DRAFT


async def test_a_failed_generation_propagates() -> None:
    provider = ScriptedProvider({tasks.SMS_DRAFT: PermanentModelError("bad_request", status_code=400)})

    with pytest.raises(PromptFailed) as failed:
        await write_draft("sms", [message("Call me?", channel="sms")], LEAD, provider=provider)

    assert failed.value.category == "bad_request"


async def test_an_empty_generated_body_fails_the_draft() -> None:
    provider = ScriptedProvider({tasks.SMS_DRAFT: {"body": "  "}})

    with pytest.raises(PromptFailed) as failed:
        await write_draft("sms", [message("Call me?", channel="sms")], LEAD, provider=provider)

    assert failed.value.category == "invalid_output"


@pytest.mark.parametrize(("channel", "limit"), [("sms", 300), ("linkedin", 600)])
async def test_short_channels_are_cut_to_their_limit(channel: Channel, limit: int) -> None:
    long_body = "Thanks for the reply, Dana. " + "Happy to walk you through how it works. " * 30
    task = tasks.SMS_DRAFT if channel == "sms" else tasks.LINKEDIN_DRAFT
    provider = ScriptedProvider({task: {"body": long_body}})

    draft = await write_draft(channel, [message("Tell me more", channel=channel)], LEAD, provider=provider)

    assert len(draft.content) <= limit
    assert draft.content.endswith(".")
    assert draft.subject is None
    assert provider.tasks_called() == [task, tasks.MEETING_OVERSEER]


async def test_logs_hold_no_message_content_and_no_key() -> None:
    provider = email_provider(**{tasks.MEETING_OVERSEER: RuntimeError(LEAD_TEXT)})

    with structlog.testing.capture_logs() as logs:
        await write_draft("email", MESSAGES, LEAD, provider=provider)
        await write_draft("sms", [message(LEAD_TEXT, channel="sms")], LEAD, provider=provider)

    assert logs
    text = repr(logs)
    assert "Kumquat" not in text
    assert "Pricing depends" not in text
    assert SECRET_KEY not in text


def test_draft_context_answers_the_latest_inbound_on_the_channel() -> None:
    messages = [message("Email question", channel="email"), message("SMS question", channel="sms")]

    assert draft_context("email", messages, LEAD).latest_inbound == "Email question"
    assert draft_context("sms", messages, LEAD).latest_inbound == "SMS question"
    assert draft_context("linkedin", messages, LEAD).latest_inbound == "SMS question"
    assert draft_context("email", messages, LEAD).latest_subject == "Re: Quick question"


def test_is_light_edit() -> None:
    assert is_light_edit(DRAFT, DRAFT.replace("Thanks", "Many thanks"))
    assert not is_light_edit(DRAFT, "Totally different text.")
    assert not is_light_edit(DRAFT, "   ")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short.", 300, "Short."),
        ("One sentence here. Another sentence follows.", 30, "One sentence here."),
        ("averyveryverylongword and more words", 20, "averyveryverylongwo…"),
        ("Words without an end in sight at all", 20, "Words without an…"),
    ],
)
def test_fit_to_limit(text: str, limit: int, expected: str) -> None:
    fitted = fit_to_limit(text, limit)

    assert fitted == expected
    assert len(fitted) <= limit
