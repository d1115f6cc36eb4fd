"""What every model provider takes and returns, and the two kinds of failure the runner tells apart."""

from __future__ import annotations

from typing import Any, Literal, Protocol

import msgspec

ResponseStatus = Literal["completed", "incomplete", "failed"]
ProviderName = Literal["openai", "offline"]


class ModelRequest(msgspec.Struct, kw_only=True, frozen=True):
    """One structured-JSON model call."""

    task: str
    model: str
    instructions: str
    input: str
    schema_name: str
    json_schema: dict[str, Any]
    max_output_tokens: int
    # minimal | low | medium | high, for reasoning models; None sends none (server/ai/reasoning.py).
    reasoning_effort: str | None = None
    # Structured facts only the offline provider reads; never sent to OpenAI.
    context: dict[str, Any] = msgspec.field(default_factory=dict)


class ModelResponse(msgspec.Struct, kw_only=True, frozen=True):
    status: ResponseStatus
    output_text: str
    model: str
    provider: ProviderName
    incomplete_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


class ModelProvider(Protocol):
    name: str

    async def respond(self, request: ModelRequest) -> ModelResponse: ...


class ModelError(Exception):
    """A failed call. `category` is a short, loggable word; the message never holds prompt or output text."""

    def __init__(self, category: str, *, status_code: int | None = None) -> None:
        super().__init__(category if status_code is None else f"{category} (HTTP {status_code})")
        self.category = category
        self.status_code = status_code


class TransientModelError(ModelError):
    """Worth retrying after a pause: connection errors, timeouts, 429, 5xx."""

    def __init__(
        self, category: str, *, status_code: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(category, status_code=status_code)
        self.retry_after_s = retry_after_s


class PermanentModelError(ModelError):
    """Retrying the same request cannot help: bad request, bad key, unknown model."""
