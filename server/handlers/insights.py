"""Insights: one lead's, the workspace list, failed extractions, and running the booked-summaries job now."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide

from server.accounts.service import Principal
from server.core.pagination import clamp_limit
from server.handlers.common import ok, parse_id, provide_principal, require_admin
from server.insights import service as insights
from server.insights.booked_summaries import enqueue_booked_summaries


class InsightsController(Controller):
    path = "/api"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/leads/{lead_id:str}/insight")
    async def lead_insight(self, principal: Principal, lead_id: str) -> Response[Any]:
        return ok(await insights.lead_insight(principal.workspace_id, parse_id(lead_id, "lead")))

    @get("/insights")
    async def list_insights(
        self,
        principal: Principal,
        outcome: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Response[Any]:
        items, next_cursor = await insights.list_insights(
            principal.workspace_id, outcome=outcome, limit=clamp_limit(limit), cursor=cursor
        )
        return ok({"items": items, "next_cursor": next_cursor})

    @get("/insights/failures")
    async def list_failures(
        self, principal: Principal, limit: int | None = None, cursor: str | None = None
    ) -> Response[Any]:
        require_admin(principal)
        items, next_cursor = await insights.list_failures(
            principal.workspace_id, limit=clamp_limit(limit), cursor=cursor
        )
        return ok({"items": items, "next_cursor": next_cursor})

    @post("/insights/booked-summaries/run", status_code=202)
    async def run_booked_summaries(self, principal: Principal) -> Response[Any]:
        require_admin(principal)
        return ok({"enqueued": await enqueue_booked_summaries(principal.workspace_id)}, 202)
