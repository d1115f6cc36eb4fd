"""Prompt builders: strict schemas, the agreed budgets, and inputs that carry what the model needs."""

from __future__ import annotations

from typing import Any

import pytest

from server.ai import tasks
from server.ai.prompts.classification import SENTIMENT_SCHEMA
from server.ai.prompts.drafts import (
    EMAIL_SCHEMA,
    SHORT_MESSAGE_SCHEMA,
    STRATEGY_SCHEMA,
    VERIFY_SCHEMA,
)
from server.ai.prompts.overseer import OVERSEER_SCHEMA
from server.sentiment.rules import SENTIMENT_TAGS
from tests.ai.prompt_samples import all_specs


def assert_strict(schema: dict[str, Any]) -> None:
    if schema.get("type") == "object":
        assert schema["additionalProperties"] is False
        assert sorted(schema["required"]) == sorted(schema["properties"])
        for sub in schema["properties"].values():
            assert_strict(sub)
    if schema.get("type") == "array":
        assert_strict(schema["items"])


@pytest.mark.parametrize(
    "schema",
    [SENTIMENT_SCHEMA, STRATEGY_SCHEMA, EMAIL_SCHEMA, VERIFY_SCHEMA, SHORT_MESSAGE_SCHEMA, OVERSEER_SCHEMA],
)
def test_schemas_are_strict(schema: dict[str, Any]) -> None:
    assert_strict(schema)


def test_sentiment_schema_allows_exactly_the_tags() -> None:
    assert SENTIMENT_SCHEMA["properties"]["sentiment_tag"]["enum"] == list(SENTIMENT_TAGS)


@pytest.mark.parametrize(
    ("name", "task", "first", "cap", "extra"),
    [
        ("sentiment", tasks.SENTIMENT_CLASSIFICATION, 1000, 3000, 600),
        ("strategy", tasks.EMAIL_STRATEGY, 2000, 6000, 1200),
        ("email", tasks.EMAIL_DRAFT, 2000, 6000, 1200),
        ("verify", tasks.EMAIL_VERIFY, 2000, 6000, 1200),
        ("sms", tasks.SMS_DRAFT, 2000, 6000, 1200),
        ("linkedin", tasks.LINKEDIN_DRAFT, 2000, 6000, 1200),
        ("overseer", tasks.MEETING_OVERSEER, 1200, 3600, 800),
    ],
)
def test_budgets_and_task_names(name: str, task: str, first: int, cap: int, extra: int) -> None:
    spec = all_specs()[name]

    assert (spec.task, spec.max_output_tokens, spec.retry_max, spec.retry_extra_tokens) == (
        task,
        first,
        cap,
        extra,
    )
    assert spec.retry_multiplier == 1.5


@pytest.mark.parametrize("name", ["sentiment", "strategy", "email", "verify", "sms", "linkedin", "overseer"])
def test_inputs_carry_the_conversation_and_the_lead(name: str) -> None:
    spec = all_specs()[name]

    assert "can we talk Thursday?" in spec.input
    assert "Dana Reyes" in spec.input
    assert "Acme Roofing" in spec.input
    assert spec.context["latest_inbound"] == "Sounds good, can we talk Thursday?"


@pytest.mark.parametrize("name", ["strategy", "email", "sms", "linkedin"])
def test_writing_prompts_forbid_placeholders_and_invented_facts(name: str) -> None:
    instructions = all_specs()[name].instructions

    assert "Never write placeholders" in instructions
    assert "Never invent" in instructions
    assert "book" in instructions


def test_the_email_prompt_carries_the_plan() -> None:
    assert '{"goal": "book_call"}' in all_specs()["email"].input
