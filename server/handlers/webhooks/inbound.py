"""POST /api/webhooks/{email|sms|linkedin}: record the body (authenticated by the workspace secret), answer.

Processing runs in a worker afterwards (server/inbound/accept.py); the answer never waits for it.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, post

from server.core.errors import NotFound, PayloadTooLarge, Unauthenticated
from server.core.settings import get_settings
from server.handlers.common import ok, parse_id
from server.handlers.webhooks.admission import webhooks_in_flight
from server.inbound.accept import accept
from server.inbound.parsers import PARSERS


def _credentials(request: Request[Any, Any, Any], workspace: str | None) -> tuple[uuid.UUID, str]:
    if not workspace:
        raise NotFound("unknown workspace: pass ?workspace=<workspace_id>", code="workspace_not_found")
    workspace_id = parse_id(workspace, "workspace")
    secret = request.headers.get("x-webhook-secret") or request.query_params.get("secret") or ""
    if not secret:
        raise Unauthenticated("missing or wrong webhook secret", code="invalid_webhook_secret")
    return workspace_id, secret


async def _read_body(request: Request[Any, Any, Any]) -> bytes:
    limit = get_settings().webhook_max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body is larger than {limit} bytes")
    body = await request.body()
    if len(body) > limit:
        raise PayloadTooLarge(f"body is larger than {limit} bytes")
    return body


class WebhooksController(Controller):
    path = "/api/webhooks"

    @post("/{channel:str}", status_code=200)
    async def receive(
        self, request: Request[Any, Any, Any], channel: str, workspace: str | None = None
    ) -> Response[Any]:
        if channel not in PARSERS:
            raise NotFound("no such webhook: use email, sms or linkedin")
        with webhooks_in_flight.admit():
            workspace_id, secret = _credentials(request, workspace)
            body = await _read_body(request)
            accepted = await accept(workspace_id, channel, secret, body, request.headers.get("content-type"))
        return ok(accepted)
