"""The one prompt runner: every model call goes through `run_prompt`.

It grows the output budget when an answer is cut short or unusable, backs off on transient errors, and logs
one line per attempt with ids, sizes and categories only (never the prompt or the output text).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import msgspec

from server.ai.providers.base import (
    ModelProvider,
    ModelRequest,
    ModelResponse,
    PermanentModelError,
    TransientModelError,
)
from server.ai.providers.select import get_provider
from server.ai.reasoning import reasoning_effort
from server.ai.schema_check import schema_errors
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.text_cleaning import clean_tree

log = get_logger(__name__)

# Backoff never waits longer than this between two attempts, whatever the attempt number or Retry-After.
BACKOFF_CAP_S = 8.0


class PromptSpec(msgspec.Struct, kw_only=True, frozen=True):
    task: str
    model: str
    instructions: str
    input: str
    schema_name: str
    json_schema: dict[str, Any]
    max_output_tokens: int
    retry_max: int
    retry_extra_tokens: int = 0
    retry_multiplier: float = 1.5
    # None: settings.openai_timeout_s.
    timeout_s: float | None = None
    context: dict[str, Any] = msgspec.field(default_factory=dict)


class PromptResult(msgspec.Struct, kw_only=True, frozen=True):
    data: dict[str, Any]
    model: str
    provider: str
    attempts: int
    budgets: list[int]


class PromptFailed(Exception):
    """No usable answer after the retries. `category` is one short word: "max_output_tokens",
    "invalid_output", "incomplete", or the last error's category ("rate_limited", "timeout", "auth", …).
    `transient`: the attempts ran out on errors that a later try may not hit again (429, 5xx, timeouts)."""

    def __init__(self, category: str, *, task: str, attempts: int, transient: bool = False) -> None:
        super().__init__(f"{task} failed after {attempts} attempt(s): {category}")
        self.category = category
        self.task = task
        self.attempts = attempts
        self.transient = transient


class _Unusable(Exception):
    """An answer that came back but cannot be used; a bigger budget may fix it."""

    def __init__(self, category: str) -> None:
        super().__init__(category)
        self.category = category


def next_budget(prev: int, *, multiplier: float, extra: int, cap: int) -> int:
    """The output budget after `prev` proved too small."""
    return min(cap, max(prev + 1, int(prev * multiplier), prev + extra))


def backoff_delay(failures: int, *, base_s: float, retry_after_s: float | None = None) -> float:
    """Exponential backoff with full jitter; a server's Retry-After is a floor, the cap a ceiling."""
    delay = random.uniform(0, min(BACKOFF_CAP_S, base_s * 2 ** (failures - 1)))
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return min(delay, BACKOFF_CAP_S)


async def run_prompt(spec: PromptSpec, *, provider: ModelProvider | None = None) -> PromptResult:
    provider = provider or get_provider()
    settings = get_settings()
    timeout_s = spec.timeout_s if spec.timeout_s is not None else settings.openai_timeout_s
    budget = spec.max_output_tokens
    budgets: list[int] = []
    transient_failures = 0
    while True:
        budgets.append(budget)
        attempt = len(budgets)
        request = _request(spec, budget)
        started = time.monotonic()
        try:
            response = await _respond_within(provider, request, timeout_s)
            data = _parse(response, spec.json_schema)
        except TransientModelError as exc:
            _log_attempt(spec, provider, attempt, budget, exc.category, started)
            transient_failures += 1
            if transient_failures >= settings.openai_max_attempts:
                raise _failed(exc.category, spec, attempt, transient=True) from exc
            delay = backoff_delay(
                transient_failures, base_s=settings.openai_backoff_base_s, retry_after_s=exc.retry_after_s
            )
            await asyncio.sleep(delay)
        except PermanentModelError as exc:
            _log_attempt(spec, provider, attempt, budget, exc.category, started)
            raise _failed(exc.category, spec, attempt) from exc
        except _Unusable as exc:
            _log_attempt(spec, provider, attempt, budget, exc.category, started)
            if exc.category == "incomplete":  # cut short for another reason: more tokens would not help
                raise _failed("incomplete", spec, attempt) from None
            if budget >= spec.retry_max:
                final = "max_output_tokens" if exc.category == "max_output_tokens" else "invalid_output"
                raise _failed(final, spec, attempt) from None
            budget = next_budget(
                budget, multiplier=spec.retry_multiplier, extra=spec.retry_extra_tokens, cap=spec.retry_max
            )
        else:
            _log_attempt(spec, provider, attempt, budget, "ok", started)
            return PromptResult(
                data=data, model=response.model, provider=provider.name, attempts=attempt, budgets=budgets
            )


def _request(spec: PromptSpec, budget: int) -> ModelRequest:
    return ModelRequest(
        task=spec.task,
        model=spec.model,
        instructions=spec.instructions,
        input=spec.input,
        schema_name=spec.schema_name,
        json_schema=spec.json_schema,
        max_output_tokens=budget,
        reasoning_effort=reasoning_effort(spec.task, spec.model),
        context=spec.context,
    )


async def _respond_within(provider: ModelProvider, request: ModelRequest, timeout_s: float) -> ModelResponse:
    try:
        return await asyncio.wait_for(provider.respond(request), timeout_s)
    except TimeoutError:
        raise TransientModelError("timeout") from None


def _parse(response: ModelResponse, schema: dict[str, Any]) -> dict[str, Any]:
    """The answer as validated JSON, or _Unusable saying why not."""
    if response.status == "failed":
        raise TransientModelError("model_failed")
    if response.status == "incomplete":
        # Only a budget cut is worth a bigger budget; a content filter stays a content filter.
        raise _Unusable(
            "max_output_tokens" if response.incomplete_reason == "max_output_tokens" else "incomplete"
        )
    if not response.output_text.strip():
        raise _Unusable("empty_output")
    try:
        # Cleaned like provider input: a NUL or a lone surrogate (valid JSON escapes) would fail the insert of
        # whatever the answer becomes, a draft or an insight.
        data = clean_tree(json.loads(response.output_text))
    except ValueError:  # not JSON, or nested absurdly deep (BodyNotJson)
        raise _Unusable("invalid_json") from None
    if not isinstance(data, dict) or schema_errors(data, schema):
        raise _Unusable("schema_mismatch")
    return data


def _failed(category: str, spec: PromptSpec, attempts: int, *, transient: bool = False) -> PromptFailed:
    log.warning("prompt_failed", task=spec.task, model=spec.model, category=category, attempts=attempts)
    return PromptFailed(category, task=spec.task, attempts=attempts, transient=transient)


def _log_attempt(
    spec: PromptSpec, provider: ModelProvider, attempt: int, budget: int, outcome: str, started: float
) -> None:
    log.info(
        "model_attempt",
        task=spec.task,
        model=spec.model,
        provider=provider.name,
        attempt=attempt,
        budget=budget,
        outcome=outcome,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
