"""An OpenAI stand-in that answers POST /v1/responses at once, on the caller's event loop.

tests/fakes/fake_openai.py answers every enum with its first value, so sentiment comes back "New" and no
draft is ever written. This one answers each requested json_schema with a minimal instance whose enums
prefer the values that lead to a draft: "Interested", the overseer's "keep" and the verifier's "ok".
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import web

from server.ai.schema_instance import minimal_instance

PREFERRED = ("Interested", "keep", "ok")
TEXT = {
    "subject": "Re: quick question about your outbound",
    "body": "Thanks for getting back to me! Would a short call on Tuesday at 10am work for you?",
    "reason": "The lead replied positively and asked about next steps.",
}
DEFAULT_TEXT = "A short call is the best next step."


def _prefer(schema: Any) -> Any:
    """The schema with every enum reordered so a preferred value, when allowed, comes first."""
    if isinstance(schema, list):
        return [_prefer(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _prefer(value) for key, value in schema.items()}
    if isinstance(out.get("enum"), list):
        out["enum"] = sorted(out["enum"], key=lambda v: v not in PREFERRED)
    return out


def answer_text(schema: dict[str, Any] | None) -> str:
    if schema is None:
        return DEFAULT_TEXT
    return json.dumps(minimal_instance(_prefer(schema), lambda name: TEXT.get(name, DEFAULT_TEXT)))


def response_body(request: dict[str, Any], text: str) -> dict[str, Any]:
    """A completed Responses API object with the fields the official SDK's Response model needs."""
    return {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "model": request.get("model") or "gpt-bench",
        "output": [
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
            }
        ],
        "parallel_tool_calls": True,
        "temperature": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "text": request.get("text") or {"format": {"type": "text"}},
        "truncation": "disabled",
        "usage": {
            "input_tokens": 100,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": max(1, len(text) // 4),
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 100 + max(1, len(text) // 4),
        },
        "metadata": {},
    }


class FakeOpenAI:
    """Serves on 127.0.0.1:<port> until stop(); counts the requests it answered."""

    def __init__(self) -> None:
        self.requests = 0
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests += 1
        text_format = (body.get("text") or {}).get("format") or {}
        return web.json_response(response_body(body, answer_text(text_format.get("schema"))))

    async def start(self, port: int) -> str:
        app = web.Application()
        app.router.add_post("/v1/responses", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
