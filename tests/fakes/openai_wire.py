"""The Responses API wire format, as the fake OpenAI server sends it."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from tests.fakes.fake_openai import RecordedRequest


def response_body(
    request: RecordedRequest, text: str, status: Literal["completed", "incomplete"], reason: str | None
) -> dict[str, Any]:
    """A Responses API object as the real server sends it (the fields the SDK's Response model needs)."""
    output_tokens = max(1, len(text) // 4)
    input_tokens = max(1, len(json.dumps(request.input)) // 4)
    # A reasoning model that spent the whole budget thinking: incomplete, a reasoning item and no message.
    reasoning_tokens = 0
    output: list[dict[str, Any]] = []
    if status == "incomplete" and not text:
        output_tokens = reasoning_tokens = request.max_output_tokens or 1
        output.append({"type": "reasoning", "id": f"rs_{uuid.uuid4().hex}", "summary": []})
    message = {
        "type": "message",
        "id": f"msg_{uuid.uuid4().hex}",
        "role": "assistant",
        "status": status,
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }
    return {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "error": None,
        "incomplete_details": {"reason": reason or "max_output_tokens"} if status == "incomplete" else None,
        "instructions": request.instructions,
        "max_output_tokens": request.max_output_tokens,
        "model": request.model or "gpt-fake",
        "output": [message] if text else output,
        "parallel_tool_calls": True,
        "temperature": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "text": request.body.get("text") or {"format": {"type": "text"}},
        "truncation": "disabled",
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
            "total_tokens": input_tokens + output_tokens,
        },
        "metadata": {},
    }


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


def error_body(status_code: int) -> dict[str, Any]:
    return {
        "error": {
            "message": f"Fake OpenAI error {status_code}",
            "type": _ERROR_TYPES.get(status_code, "api_error"),
            "param": None,
            "code": None,
        }
    }
