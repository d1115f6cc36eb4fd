"""The webhook event log for owners and admins: list, read the raw body, replay."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide

from server.accounts.service import Principal
from server.core.pagination import clamp_limit
from server.handlers.common import ok, parse_id, provide_principal, require_admin
from server.inbound import webhook_log


class WebhookEventsController(Controller):
    path = "/api/webhook-events"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/")
    async def list_events(
        self,
        principal: Principal,
        status: str | None = None,
        channel: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Response[Any]:
        require_admin(principal)
        items, next_cursor = await webhook_log.list_events(
            principal.workspace_id, status=status, channel=channel, limit=clamp_limit(limit), cursor=cursor
        )
        return ok({"items": items, "next_cursor": next_cursor})

    @get("/{event_id:str}")
    async def get_event(self, principal: Principal, event_id: str) -> Response[Any]:
        require_admin(principal)
        return ok(await webhook_log.get_event(principal.workspace_id, parse_id(event_id, "webhook event")))

    @post("/{event_id:str}/replay", status_code=202)
    async def replay(self, principal: Principal, event_id: str) -> Response[Any]:
        require_admin(principal)
        result = await webhook_log.replay(principal.workspace_id, parse_id(event_id, "webhook event"))
        return ok(result, 202)
