"""A fake OpenAI server: real HTTP on 127.0.0.1, enough of POST /v1/responses for the official SDK.

openai 3.x talks through httpx2, which respx cannot intercept, so tests (and worker processes started by
tests, via OPENAI_BASE_URL=<server.base_url>) talk to this server instead. It runs its own event loop in a
background thread, so sync and async tests can use it alike.

    with FakeOpenAIServer() as fake:
        fake.script(FakeReply.incomplete(), FakeReply.error(429), FakeReply.completed({"body": "Hi"}))
        ...  # the next three requests get these answers, in order; later ones get the default answer
        fake.requests[0].max_output_tokens

The default answer is a minimal valid instance of the requested json_schema, with realistic short text.
A script entry may also be a callable taking the RecordedRequest and returning a FakeReply.

The benchmarks use it too, as a model that answers at once: `FakeOpenAIServer(prefer=DRAFTING,
keep_requests=False)` answers so that every interested reply gets a draft, and only counts the requests
(`request_count`) instead of keeping thousands of bodies.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aiohttp import web

from server.ai.schema_instance import minimal_instance
from tests.fakes.background_http import BackgroundHttpServer
from tests.fakes.openai_wire import error_body, response_body

SAMPLE_TEXT = {
    "subject": "Re: Quick question",
    "body": "Hi Dana,\n\nThanks for getting back to me. Would a short call on Thursday work for you?",
    "reason": "The lead replied positively and asked about next steps.",
}
DEFAULT_TEXT = "Thanks for getting back to me, happy to set up a quick call."
# Enum values that take the pipeline all the way to a draft: the classifier says Interested, the overseer
# keeps the draft, the verifier passes it. Without them the first value wins and sentiment comes back "New".
DRAFTING = ("Interested", "keep", "ok")


@dataclass(frozen=True)
class RecordedRequest:
    model: str | None
    max_output_tokens: int | None
    format_name: str | None
    json_schema: dict[str, Any] | None
    instructions: str | None
    input: Any
    authorization: str | None
    body: dict[str, Any]


@dataclass(frozen=True)
class FakeReply:
    """One scripted answer. Build it with the class methods."""

    kind: Literal["completed", "incomplete", "error"] = "completed"
    # None: the default answer for the requested schema.
    text: str | None = None
    reason: str | None = None
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    @classmethod
    def completed(cls, data: dict[str, Any] | str | None = None, *, delay_s: float = 0.0) -> FakeReply:
        text = json.dumps(data) if isinstance(data, dict) else data
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def incomplete(
        cls, text: str = '{"body": "Hi Dana, thanks for', reason: str = "max_output_tokens"
    ) -> FakeReply:
        return cls(kind="incomplete", text=text, reason=reason)

    @classmethod
    def reasoning_exhausted(cls) -> FakeReply:
        """A reasoning model that spent all of max_output_tokens on reasoning: incomplete, no answer."""
        return cls(kind="incomplete", text="", reason="max_output_tokens")

    @classmethod
    def invalid_json(cls, text: str = "Sure! Here is the reply: Hi Dana") -> FakeReply:
        return cls(text=text)

    @classmethod
    def error(cls, status_code: int, *, retry_after_s: float | None = None) -> FakeReply:
        headers = {"retry-after": str(retry_after_s)} if retry_after_s is not None else {}
        return cls(kind="error", status_code=status_code, headers=headers)

    @classmethod
    def slow(cls, delay_s: float, then: FakeReply | None = None) -> FakeReply:
        return replace(then or cls(), delay_s=delay_s)


Responder = Callable[[RecordedRequest], FakeReply]


class FakeOpenAIServer(BackgroundHttpServer):
    name = "fake-openai"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        prefer: Sequence[str] = (),
        keep_requests: bool = True,
    ) -> None:
        """`prefer`: enum values the default answer picks when the schema allows them (else the first).
        `keep_requests`: False keeps only the count, for runs of thousands of requests."""
        super().__init__(host=host, port=port)
        self.prefer = tuple(prefer)
        self.keep_requests = keep_requests
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._count = 0
        self._script: deque[FakeReply | Responder] = deque()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """Requests received since the start or the last reset(), kept or not."""
        with self._lock:
            return self._count

    def script(self, *replies: FakeReply | Responder) -> None:
        """Answer the next requests with these, in order, then fall back to the default answer."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._script.clear()
            self._count = 0

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/responses", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        text_format = (body.get("text") or {}).get("format") or {}
        recorded = RecordedRequest(
            model=body.get("model"),
            max_output_tokens=body.get("max_output_tokens"),
            format_name=text_format.get("name"),
            json_schema=text_format.get("schema"),
            instructions=body.get("instructions"),
            input=body.get("input"),
            authorization=request.headers.get("Authorization"),
            body=body,
        )
        malformed = text_format.get("type") == "json_schema" and not (
            recorded.format_name and recorded.json_schema
        )
        with self._lock:
            self._count += 1
            if self.keep_requests:
                self._requests.append(recorded)
            scripted = self._script.popleft() if self._script and not malformed else None
        if malformed:  # as the real API: a json_schema format needs a name and a schema
            return web.json_response(error_body(400), status=400)
        reply = scripted(recorded) if callable(scripted) else scripted or FakeReply()
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.kind == "error":
            return web.json_response(
                error_body(reply.status_code), status=reply.status_code, headers=reply.headers
            )
        text = reply.text if reply.text is not None else default_output(recorded.json_schema, self.prefer)
        return web.json_response(response_body(recorded, text, reply.kind, reply.reason))


def default_output(schema: dict[str, Any] | None, prefer: Sequence[str] = ()) -> str:
    if schema is None:
        return DEFAULT_TEXT
    if prefer:
        schema = preferring(schema, prefer)
    return json.dumps(minimal_instance(schema, lambda name: SAMPLE_TEXT.get(name, DEFAULT_TEXT)))


def preferring(schema: Any, prefer: Sequence[str]) -> Any:
    """The schema with every enum reordered so that a preferred value, where allowed, comes first."""
    if isinstance(schema, list):
        return [preferring(item, prefer) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: preferring(value, prefer) for key, value in schema.items()}
    if isinstance(out.get("enum"), list):
        out["enum"] = sorted(out["enum"], key=lambda value: value not in prefer)
    return out


if __name__ == "__main__":
    # A standalone server for manual runs: OPENAI_BASE_URL=<printed url> OPENAI_API_KEY=test setterdesk ...
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with FakeOpenAIServer(port=port) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()
