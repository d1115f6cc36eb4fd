"""A fake of the providers' send APIs (EmailBison, GoHighLevel, Unipile): real HTTP on 127.0.0.1.

Tests, and worker processes started by tests, send through this server instead of the real providers: one
server serves all three (the paths tell them apart), so every integration's base_url is `fake.base_url`. It
runs its own event loop in a background thread, so sync and async tests can use it alike.

    with FakeProviders() as fake:  # accepts "eb-key", "ghl-token" and "unipile-key"
        fake.script(ProviderAnswer.error(429, retry_after_s=2), ProviderAnswer.drop_after_body())
        ...  # the next two sends (any provider) get these answers, in order; later ones succeed
        fake.sends("gohighlevel")[0].json
        assert fake.max_in_window("gohighlevel", 10.0) <= 100

Only sends (send, start_chat) take scripted answers, and only those the provider would accept: checks, and
requests refused for their credentials (401) or their shape (400/422), get the provider's own answer and
leave the script alone. Every request is recorded, refused or not, with its arrival time and the status it
was answered with (None while unanswered, and for good when the connection was dropped or the client gave
up). A script entry may also be a callable taking the RecordedRequest and returning a ProviderAnswer.

The webhook bodies the providers post back for a sent message are in tests/fakes/provider_echoes.py.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

from aiohttp import web

from tests.fakes.background_http import BackgroundHttpServer
from tests.fakes.provider_echoes import ghl_conversation_id

Provider = Literal["emailbison", "gohighlevel", "unipile"]
Kind = Literal["send", "start_chat", "check"]
GHL_VERSION = "2021-04-15"
# (method, path, provider, kind): the real APIs' paths, below each integration's base_url.
ROUTES: tuple[tuple[str, str, Provider, Kind], ...] = (
    ("POST", r"/api/replies/{reply_id:\d+}/reply", "emailbison", "send"),
    ("GET", "/api/users", "emailbison", "check"),
    ("POST", "/conversations/messages", "gohighlevel", "send"),
    ("GET", "/locations/{location_id}", "gohighlevel", "check"),
    ("POST", "/api/v1/chats/{chat_id}/messages", "unipile", "send"),
    ("POST", "/api/v1/chats", "unipile", "start_chat"),
    ("GET", "/api/v1/accounts/{account_id}", "unipile", "check"),
)
UNIPILE_ERRORS = {
    400: ("errors/invalid_parameters", "Invalid parameters"),
    401: ("errors/invalid_credentials", "Invalid credentials"),
    403: ("errors/forbidden", "Forbidden"),
    404: ("errors/resource_not_found", "Resource not found"),
    429: ("errors/too_many_requests", "Too many requests"),
}


@dataclass(frozen=True)
class RecordedRequest:
    provider: Provider
    kind: Kind
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    json: dict[str, Any] | None  # a JSON object body sent as application/json
    form: dict[str, str] | None  # multipart/form-data fields (repeated fields joined by ",")
    content_type: str  # the media type without parameters; "" without a Content-Type header
    at: float  # time.monotonic() at arrival
    answered_status: int | None = None


@dataclass(frozen=True)
class ProviderAnswer:
    """One scripted answer to a send. Build it with the class methods."""

    kind: Literal["ok", "error", "hang", "drop"] = "ok"
    status: int = 0
    retry_after_s: float | None = None
    detail: str = "Scripted failure."
    delay_s: float = 0.0

    @classmethod
    def ok(cls) -> ProviderAnswer:
        return cls()

    @classmethod
    def error(
        cls, status: int, *, retry_after_s: float | None = None, detail: str = "Scripted failure."
    ) -> ProviderAnswer:
        """`status` in the provider's error shape; `Retry-After` (whole seconds, rounded up) when given."""
        return cls(kind="error", status=status, retry_after_s=retry_after_s, detail=detail)

    @classmethod
    def hang(cls, seconds: float) -> ProviderAnswer:
        """Read the request, wait `seconds`, then answer normally (for client read timeouts)."""
        return cls(kind="hang", delay_s=seconds)

    @classmethod
    def drop_after_body(cls) -> ProviderAnswer:
        """Read the whole request, then close the connection without any HTTP answer."""
        return cls(kind="drop")


Responder = Callable[[RecordedRequest], ProviderAnswer]
Reply = tuple[int, dict[str, Any]]


class FakeProviders(BackgroundHttpServer):
    name = "fake-providers"

    def __init__(
        self,
        *,
        emailbison_key: str = "eb-key",
        ghl_token: str = "ghl-token",
        unipile_key: str = "unipile-key",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.emailbison_key, self.ghl_token, self.unipile_key = emailbison_key, ghl_token, unipile_key
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._script: deque[ProviderAnswer | Responder] = deque()
        self._reply_ids = iter(range(50_001, 10**9))

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def sends(self, provider: Provider | None = None) -> list[RecordedRequest]:
        """The send and start_chat requests, of one provider or all, in order of arrival."""
        return [
            r for r in self.requests if r.kind != "check" and (provider is None or r.provider == provider)
        ]

    def max_in_window(self, provider: Provider, window_s: float) -> int:
        """The most sends of `provider` that arrived within any `window_s` seconds (a half-open window)."""
        times = sorted(r.at for r in self.sends(provider))
        best = start = 0
        for end, at in enumerate(times):
            while at - times[start] >= window_s:
                start += 1
            best = max(best, end - start + 1)
        return best

    def script(self, *answers: ProviderAnswer | Responder) -> None:
        """Answer the next accepted sends with these, in order, then succeed again."""
        with self._lock:
            self._script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._script.clear()

    def add_routes(self, app: web.Application) -> None:
        for method, path, provider, kind in ROUTES:
            app.router.add_route(method, path, partial(self._handle, provider=provider, kind=kind))

    async def _handle(self, request: web.Request, *, provider: Provider, kind: Kind) -> web.StreamResponse:
        at = time.monotonic()
        body, form = await _read_body(request)
        recorded = RecordedRequest(
            provider=provider,
            kind=kind,
            method=request.method,
            path=request.path,
            headers={name.lower(): value for name, value in request.headers.items()},
            json=body,
            form=form,
            content_type=request.content_type if "Content-Type" in request.headers else "",
            at=at,
        )
        with self._lock:
            self._requests.append(recorded)
        refusal = self._refusal(recorded)
        scripted: ProviderAnswer | Responder | None = None
        if refusal is None and kind != "check":
            with self._lock:
                scripted = self._script.popleft() if self._script else None
        answer = scripted(recorded) if callable(scripted) else scripted or ProviderAnswer()
        headers: dict[str, str] = {}
        if refusal is not None:
            status, payload = refusal
        elif answer.kind == "drop":
            # The request reached the provider; the answer never comes. Close before any byte is written.
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError  # aiohttp then ends the request quietly, writing nothing
        elif answer.kind == "error":
            status, payload = answer.status, error_body(provider, answer.status, answer.detail)
            if answer.retry_after_s is not None:
                headers["Retry-After"] = str(math.ceil(answer.retry_after_s))
        else:
            await asyncio.sleep(answer.delay_s)
            status, payload = self._success(recorded, request.match_info)
        self._answered(recorded, status)
        return web.json_response(payload, status=status, headers=headers)

    def _answered(self, recorded: RecordedRequest, status: int) -> None:
        with self._lock:
            for index in range(len(self._requests) - 1, -1, -1):
                if self._requests[index] is recorded:
                    self._requests[index] = replace(recorded, answered_status=status)
                    return

    def _refusal(self, r: RecordedRequest) -> Reply | None:
        """The provider's answer to a request it does not accept: bad credentials first, then bad shape."""
        if r.provider == "emailbison":
            if r.headers.get("authorization") != f"Bearer {self.emailbison_key}":
                return 401, {"message": "Unauthenticated."}
            return _emailbison_problem(r.json) if r.kind == "send" else None
        if r.provider == "gohighlevel":
            if r.headers.get("authorization") != f"Bearer {self.ghl_token}":
                return 401, {"statusCode": 401, "message": "Invalid JWT"}
            if r.headers.get("version") != GHL_VERSION:
                return 400, {"statusCode": 400, "message": "Version header is required"}
            return _ghl_problem(r.json) if r.kind == "send" else None
        if r.headers.get("x-api-key") != self.unipile_key:
            return 401, error_body("unipile", 401, "The API key is missing or invalid.")
        return _unipile_problem(r.form, r.kind) if r.kind != "check" else None

    def _success(self, r: RecordedRequest, match: Any) -> Reply:
        if r.provider == "emailbison" and r.kind == "send":
            body = r.json or {}
            reply = {
                "id": next(self._reply_ids),
                "uuid": str(uuid.uuid4()),
                "parent_id": int(match["reply_id"]),
                "email_subject": body.get("subject"),
                "type": "Outgoing Email",
                "folder": "Sent",
                "to": [{"address": t["email_address"], "name": t.get("name")} for t in body["to_emails"]],
            }
            return 200, {"data": {"success": True, "message": "Reply sent", "reply": reply}}
        if r.provider == "emailbison":
            return 200, {"data": {"id": 1, "name": "Fake User", "email": "fake@example.com"}}
        if r.provider == "gohighlevel" and r.kind == "send":
            conversation_id = ghl_conversation_id(str((r.json or {})["contactId"]))
            message = "Message queued successfully."
            return 201, {"conversationId": conversation_id, "messageId": _new_id(), "msg": message}
        if r.provider == "gohighlevel":
            return 200, {"location": {"id": match["location_id"], "name": "Fake Location"}}
        if r.kind == "send":
            return 201, {"object": "MessageSent", "message_id": _new_id()}
        if r.kind == "start_chat":
            return 201, {"object": "ChatStarted", "chat_id": _new_id(), "message_id": _new_id()}
        account_id = match["account_id"]
        return 200, {"object": "Account", "id": account_id, "name": "Fake LinkedIn", "type": "LINKEDIN"}


def error_body(provider: Provider, status: int, detail: str) -> dict[str, Any]:
    """An error as each provider shapes it: Laravel's, NestJS's, RFC 7807."""
    if provider == "emailbison":
        return {"message": detail}
    if provider == "gohighlevel":
        return {"statusCode": status, "message": detail}
    default = ("errors/unexpected_error", "Unexpected error") if status >= 500 else ("errors/bad_request", "")
    error_type, title = UNIPILE_ERRORS.get(status, default)
    return {"status": status, "type": error_type, "title": title or "Bad request", "detail": detail}


async def _read_body(request: web.Request) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """The JSON object (application/json) or the multipart fields, each None when the body is neither."""
    if request.content_type == "multipart/form-data":
        try:
            fields = await request.post()
        except Exception:  # a broken multipart body: nothing usable in it
            return None, None
        form: dict[str, str] = {}
        for name, value in fields.items():
            text = value if isinstance(value, str) else str(getattr(value, "filename", ""))
            form[name] = f"{form[name]},{text}" if name in form else text
        return None, form
    raw = await request.read()
    if request.content_type != "application/json":
        return None, None
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None, None
    return (parsed if isinstance(parsed, dict) else None), None


def _emailbison_problem(body: dict[str, Any] | None) -> Reply | None:
    """Laravel's 422 for the fields a reply needs."""
    body = body or {}
    recipients = body.get("to_emails")
    sender_id = body.get("sender_email_id")
    valid = {
        "message": isinstance(body.get("message"), str) and body["message"].strip() != "",
        "sender_email_id": (isinstance(sender_id, int) and not isinstance(sender_id, bool))
        or (isinstance(sender_id, str) and sender_id.isdigit()),
        "to_emails": isinstance(recipients, list)
        and recipients != []
        and all(isinstance(t, dict) and "@" in str(t.get("email_address", "")) for t in recipients),
    }
    errors = {
        name: [f"The {name.replace('_', ' ')} field is required."] for name, ok in valid.items() if not ok
    }
    if not errors:
        return None
    first = next(iter(errors.values()))[0]
    more = len(errors) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return 422, {"message": first + suffix, "errors": errors}


def _ghl_problem(body: dict[str, Any] | None) -> Reply | None:
    """GoHighLevel's 422 (NestJS validation) for the fields an SMS needs."""
    body = body or {}
    missing = [
        f"{name} should not be empty"
        for name in ("type", "contactId", "message")
        if not (isinstance(body.get(name), str) and body[name].strip())
    ]
    if not missing:
        return None
    return 422, {"statusCode": 422, "message": missing, "error": "Unprocessable Entity"}


def _unipile_problem(form: dict[str, str] | None, kind: Kind) -> Reply | None:
    """Unipile's 400 (RFC 7807) for a body that is not multipart or lacks a required field."""
    if form is None:
        return 400, error_body("unipile", 400, "The body must be multipart/form-data.")
    required = ("text",) if kind == "send" else ("account_id", "attendees_ids", "text")
    missing = [name for name in required if not form.get(name, "").strip()]
    if not missing:
        return None
    return 400, error_body("unipile", 400, f"Missing required field(s): {', '.join(missing)}.")


def _new_id() -> str:
    return secrets.token_hex(10)


if __name__ == "__main__":
    # A standalone server for manual runs: point each integration's base_url at the printed url.
    import sys

    with FakeProviders(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()
