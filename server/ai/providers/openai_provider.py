"""The OpenAI Responses API through the official SDK, with strict json_schema output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import openai
from openai import AsyncOpenAI

from server.ai.providers.base import (
    ModelRequest,
    ModelResponse,
    PermanentModelError,
    ResponseStatus,
    TransientModelError,
)

if TYPE_CHECKING:
    from openai.types.responses import Response

    from server.core.settings import Settings

_PERMANENT_BY_STATUS = {
    400: "bad_request",
    401: "auth",
    403: "permission",
    404: "not_found",
    422: "unprocessable",
}
# Error codes of a response whose status is "failed" that a later attempt may not hit again.
_TRANSIENT_FAILURE_CODES = {"server_error": "server_error", "rate_limit_exceeded": "rate_limited"}


class OpenAIProvider:
    name = "openai"

    def __init__(self, *, api_key: str, base_url: str | None = None, timeout_s: float = 60.0) -> None:
        # The runner owns retries and backoff, so the SDK must not retry on its own.
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url or None, max_retries=0, timeout=timeout_s
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIProvider:
        return cls(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout_s=settings.openai_timeout_s,
        )

    def __repr__(self) -> str:
        return "OpenAIProvider()"  # never the key

    async def aclose(self) -> None:
        await self._client.close()

    async def respond(self, request: ModelRequest) -> ModelResponse:
        options: dict[str, Any] = {}
        if request.reasoning_effort:
            options["reasoning"] = {"effort": request.reasoning_effort}
        try:
            response = await self._client.responses.create(
                model=request.model,
                instructions=request.instructions,
                input=request.input,
                max_output_tokens=request.max_output_tokens,
                text={
                    "format": {
                        "type": "json_schema",
                        "name": request.schema_name,
                        "schema": request.json_schema,
                        "strict": True,
                    }
                },
                **options,
            )
        except openai.OpenAIError as exc:
            raise _model_error(exc) from exc
        return _model_response(response)


def _model_response(response: Response) -> ModelResponse:
    status: ResponseStatus
    if response.status == "failed":
        code = response.error.code if response.error else None
        transient = _TRANSIENT_FAILURE_CODES.get(str(code))
        if transient:
            raise TransientModelError(transient)
        raise PermanentModelError("model_failed")
    # cancelled, queued, in_progress: nothing usable came back.
    status = response.status if response.status in ("completed", "incomplete") else "failed"
    details = response.incomplete_details
    usage = response.usage
    return ModelResponse(
        status=status,
        incomplete_reason=details.reason if details else None,
        output_text=response.output_text,
        model=response.model,
        provider="openai",
        input_tokens=usage.input_tokens if usage else None,
        output_tokens=usage.output_tokens if usage else None,
    )


def _model_error(exc: openai.OpenAIError) -> TransientModelError | PermanentModelError:
    """Map SDK exceptions to a category. The SDK's message may quote the server, so it is not kept."""
    if isinstance(exc, openai.APITimeoutError):
        return TransientModelError("timeout")
    if isinstance(exc, openai.APIConnectionError):
        return TransientModelError("connection")
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code == 429:
            return TransientModelError("rate_limited", status_code=code, retry_after_s=_retry_after(exc))
        if code >= 500:
            return TransientModelError("server_error", status_code=code)
        if code in (408, 409):
            return TransientModelError("timeout" if code == 408 else "conflict", status_code=code)
        return PermanentModelError(_PERMANENT_BY_STATUS.get(code, "client_error"), status_code=code)
    return PermanentModelError("sdk_error")


def _retry_after(exc: openai.APIStatusError) -> float | None:
    raw = exc.response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None  # an HTTP date; the runner's own backoff applies
