"""POST /api/webhooks/{email|sms|linkedin}: authenticate with the workspace secret, record, process."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, post

from server.core.errors import NotFound, PayloadTooLarge
from server.core.settings import get_settings
from server.handlers.common import ok, parse_id
from server.handlers.webhooks.admission import webhooks_in_flight
from server.inbound import webhook_log


async def _authenticate(request: Request[Any, Any, Any], workspace: str | None) -> uuid.UUID:
    if not workspace:
        raise NotFound("unknown workspace: pass ?workspace=<workspace_id>", code="workspace_not_found")
    workspace_id = parse_id(workspace, "workspace")
    given = request.headers.get("x-webhook-secret") or request.query_params.get("secret") or ""
    await webhook_log.check_secret(workspace_id, given)
    return workspace_id


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
        if channel not in webhook_log.PARSERS:
            raise NotFound("no such webhook: use email, sms or linkedin")
        with webhooks_in_flight.admit():
            workspace_id = await _authenticate(request, workspace)
            body = await _read_body(request)
            content_type = request.headers.get("content-type")
            event_id = await webhook_log.record(workspace_id, channel, body, content_type)
            result = await webhook_log.process(event_id, workspace_id, channel, body)
        return ok({**_present(result), "webhook_event_id": str(event_id)})


def _present(result: Any) -> dict[str, Any]:
    data = {"status": result.status}
    if result.message_id:
        data["message_id"] = result.message_id
    if result.lead_id:
        data["lead_id"] = result.lead_id
    return data
