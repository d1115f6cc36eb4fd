"""The prompt runner against the fake OpenAI server, through the official SDK over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.ai.providers.openai_provider import OpenAIProvider
from server.ai.runner import BACKOFF_CAP_S, PromptFailed, PromptSpec, backoff_delay, next_budget, run_prompt
from server.core.settings import reset_settings_cache
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"body": {"type": "string"}},
    "required": ["body"],
    "additionalProperties": False,
}


def spec(**overrides: Any) -> PromptSpec:
    fields: dict[str, Any] = {
        "task": "sms_draft",
        "model": "gpt-test",
        "instructions": "Write a short reply.",
        "input": "Lead: can we talk on Thursday?",
        "schema_name": "sms_draft",
        "json_schema": SCHEMA,
        "max_output_tokens": 1200,
        "retry_max": 3200,
        "retry_extra_tokens": 800,
        "retry_multiplier": 1.5,
        "timeout_s": 5.0,
    }
    return PromptSpec(**(fields | overrides))


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OPENAI_BACKOFF_BASE_S", "0.001")
    monkeypatch.setenv("OPENAI_MAX_ATTEMPTS", "3")
    reset_settings_cache()
    yield
    reset_settings_cache()


def budgets_sent(fake: FakeOpenAIServer) -> list[int | None]:
    return [r.max_output_tokens for r in fake.requests]


async def test_success_on_first_attempt(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.completed({"body": "Hi Dana, Thursday works. What time suits you?"}))

    result = await run_prompt(spec(), provider=openai_provider)

    assert result.data == {"body": "Hi Dana, Thursday works. What time suits you?"}
    assert (result.attempts, result.budgets, result.provider, result.model) == (
        1,
        [1200],
        "openai",
        "gpt-test",
    )
    sent = fake_openai.requests[0]
    assert (sent.model, sent.format_name, sent.json_schema) == ("gpt-test", "sms_draft", SCHEMA)
    assert sent.body["text"]["format"]["strict"] is True
    assert sent.instructions == "Write a short reply."
    assert sent.authorization == "Bearer test-key"


async def test_budget_grows_by_the_formula_after_max_output_tokens(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.incomplete(), FakeReply.incomplete())

    result = await run_prompt(spec(), provider=openai_provider)

    # 1200 → max(1201, 1800, 2000) = 2000 → max(2001, 3000, 2800) = 3000 (cap 3200 not reached).
    assert budgets_sent(fake_openai) == [1200, 2000, 3000]
    assert result.budgets == [1200, 2000, 3000]
    assert result.attempts == 3
    assert set(result.data) == {"body"}


async def test_budget_grows_by_the_extra_tokens_when_they_dominate(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.incomplete(), FakeReply.incomplete())

    await run_prompt(spec(retry_multiplier=1.0), provider=openai_provider)

    assert budgets_sent(fake_openai) == [1200, 2000, 2800]


async def test_exhausting_retry_max_fails_with_max_output_tokens(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(*[FakeReply.incomplete()] * 10)

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(), provider=openai_provider)

    assert failed.value.category == "max_output_tokens"
    assert budgets_sent(fake_openai) == [1200, 2000, 3000, 3200]
    assert failed.value.attempts == 4


async def test_invalid_json_is_retried_with_a_larger_budget(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.invalid_json(), FakeReply.completed({"body": "Hi"}))

    result = await run_prompt(spec(), provider=openai_provider)

    assert result.data == {"body": "Hi"}
    assert budgets_sent(fake_openai) == [1200, 2000]


@pytest.mark.parametrize(
    "bad",
    [
        FakeReply.completed({"body": 42}),
        FakeReply.completed({"body": "Hi", "extra": "x"}),
        FakeReply.completed({}),
        FakeReply.completed(""),
        FakeReply.completed("[1, 2]"),
    ],
    ids=["wrong-type", "extra-property", "missing-property", "empty-output", "not-an-object"],
)
async def test_output_that_fails_the_schema_is_retried(
    bad: FakeReply, fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(bad)

    result = await run_prompt(spec(), provider=openai_provider)

    assert result.attempts == 2


async def test_invalid_output_until_the_cap_fails_as_invalid_output(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(*[FakeReply.invalid_json()] * 10)

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(max_output_tokens=3000), provider=openai_provider)

    assert failed.value.category == "invalid_output"
    assert budgets_sent(fake_openai) == [3000, 3200]


async def test_incomplete_for_another_reason_fails_at_once(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.incomplete(reason="content_filter"))

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(), provider=openai_provider)

    assert failed.value.category == "incomplete"
    assert len(fake_openai.requests) == 1


async def test_rate_limit_is_retried_with_the_same_budget(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.error(429), FakeReply.error(500))

    result = await run_prompt(spec(), provider=openai_provider)

    assert result.attempts == 3
    assert budgets_sent(fake_openai) == [1200, 1200, 1200]


async def test_transient_errors_stop_after_max_attempts(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(*[FakeReply.error(503)] * 5)

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(), provider=openai_provider)

    assert failed.value.category == "server_error"
    assert len(fake_openai.requests) == 3  # OPENAI_MAX_ATTEMPTS


@pytest.mark.parametrize(("status", "category"), [(401, "auth"), (400, "bad_request"), (404, "not_found")])
async def test_permanent_errors_fail_at_once(
    status: int, category: str, fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.error(status))

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(), provider=openai_provider)

    assert failed.value.category == category
    assert len(fake_openai.requests) == 1


async def test_a_slow_answer_times_out_and_is_retried(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.slow(2.0))

    result = await run_prompt(spec(timeout_s=0.3), provider=openai_provider)

    assert result.attempts == 2


async def test_slow_answers_every_time_fail_as_timeout(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(*[FakeReply.slow(2.0)] * 3)

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(timeout_s=0.2), provider=openai_provider)

    assert failed.value.category == "timeout"


async def test_prompt_failed_message_names_no_content(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.error(401))

    with pytest.raises(PromptFailed) as failed:
        await run_prompt(spec(), provider=openai_provider)

    assert str(failed.value) == "sms_draft failed after 1 attempt(s): auth"


def test_next_budget_examples() -> None:
    assert next_budget(1200, multiplier=1.5, extra=800, cap=3200) == 2000
    assert next_budget(2000, multiplier=1.5, extra=800, cap=3200) == 3000
    assert next_budget(3000, multiplier=1.5, extra=800, cap=3200) == 3200
    assert next_budget(400, multiplier=1.5, extra=0, cap=1600) == 600
    assert next_budget(1, multiplier=1.0, extra=0, cap=10) == 2


@given(
    prev=st.integers(1, 100_000),
    multiplier=st.floats(1.0, 4.0),
    extra=st.integers(0, 10_000),
    headroom=st.integers(1, 100_000),
)
def test_next_budget_grows_strictly_and_never_passes_the_cap(
    prev: int, multiplier: float, extra: int, headroom: int
) -> None:
    cap = prev + headroom
    budget = next_budget(prev, multiplier=multiplier, extra=extra, cap=cap)
    assert prev < budget <= cap
    assert budget == min(cap, max(prev + 1, int(prev * multiplier), prev + extra))


@given(failures=st.integers(1, 50), base=st.floats(0.0, 5.0), retry_after=st.none() | st.floats(0.0, 100.0))
def test_backoff_stays_within_the_cap(failures: int, base: float, retry_after: float | None) -> None:
    delay = backoff_delay(failures, base_s=base, retry_after_s=retry_after)
    assert 0.0 <= delay <= BACKOFF_CAP_S
    if retry_after is not None:
        assert delay >= min(retry_after, BACKOFF_CAP_S)


async def test_nul_and_lone_surrogates_in_model_output_are_cleaned(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    # Valid JSON escapes that PostgreSQL (NUL) and UTF-8 (a lone surrogate) refuse.
    fake_openai.script(FakeReply.completed('{"body": "Hi Dana\\u0000, Thursday \\ud83d works"}'))

    result = await run_prompt(spec(), provider=openai_provider)

    assert result.data == {"body": "Hi Dana, Thursday \ufffd works"}


async def test_a_budget_spent_on_reasoning_is_retried_larger_with_the_tasks_effort(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    fake_openai.script(FakeReply.reasoning_exhausted(), FakeReply.completed({"body": "Thursday works."}))

    result = await run_prompt(spec(model="gpt-5-mini"), provider=openai_provider)

    assert result.data == {"body": "Thursday works."}
    assert result.budgets == [1200, 2000]
    assert [r.body.get("reasoning") for r in fake_openai.requests] == [{"effort": "low"}] * 2


async def test_models_that_do_not_reason_get_no_reasoning_parameter(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_openai.script(FakeReply.completed({"body": "Hi"}), FakeReply.completed({"body": "Hi"}))
    await run_prompt(spec(model="gpt-4o-mini"), provider=openai_provider)
    monkeypatch.setenv("REASONING_DRAFT", "none")
    reset_settings_cache()
    await run_prompt(spec(model="gpt-5-mini"), provider=openai_provider)  # configured off
    assert [r.body.get("reasoning") for r in fake_openai.requests] == [None, None]


def test_a_misspelt_reasoning_effort_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.core.settings import Settings

    monkeypatch.setenv("REASONING_CLASSIFY", "lowest")
    with pytest.raises(ValueError, match="REASONING_CLASSIFY"):
        Settings.from_env()
