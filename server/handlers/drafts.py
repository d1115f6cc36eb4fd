"""Drafts: list per lead, read, edit, reject, approve, generate on demand."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide

from server.accounts.service import Principal
from server.drafts import actions as draft_actions
from server.handlers.common import CleanInput, ok, parse_id, provide_principal


class EditIn(CleanInput):
    content: str
    version: int


class ApproveIn(CleanInput):
    content: str | None = None
    force: bool = False


class GenerateIn(CleanInput):
    channel: str


class DraftsController(Controller):
    path = "/api"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/leads/{lead_id:str}/drafts")
    async def lead_drafts(
        self, principal: Principal, lead_id: str, status: str | None = None, channel: str | None = None
    ) -> Response[Any]:
        drafts = await draft_actions.list_drafts(
            principal.workspace_id, parse_id(lead_id, "lead"), status=status, channel=channel
        )
        return ok(drafts)

    @post("/leads/{lead_id:str}/drafts", status_code=202)
    async def generate(self, principal: Principal, lead_id: str, data: GenerateIn) -> Response[Any]:
        await draft_actions.request_draft(
            principal.workspace_id, parse_id(lead_id, "lead"), data.channel, actor=principal.actor
        )
        return ok({"enqueued": [data.channel]}, 202)

    @get("/drafts/{draft_id:str}")
    async def get_draft(self, principal: Principal, draft_id: str) -> Response[Any]:
        return ok(await draft_actions.get_draft(principal.workspace_id, parse_id(draft_id, "draft")))

    @patch("/drafts/{draft_id:str}")
    async def edit(self, principal: Principal, draft_id: str, data: EditIn) -> Response[Any]:
        draft = await draft_actions.edit_draft(
            principal.workspace_id,
            parse_id(draft_id, "draft"),
            content=data.content,
            version=data.version,
            actor=principal.actor,
        )
        return ok(draft)

    @post("/drafts/{draft_id:str}/reject", status_code=200)
    async def reject(self, principal: Principal, draft_id: str) -> Response[Any]:
        draft = parse_id(draft_id, "draft")
        return ok(await draft_actions.reject_draft(principal.workspace_id, draft, actor=principal.actor))

    @post("/drafts/{draft_id:str}/approve", status_code=200)
    async def approve(
        self, principal: Principal, draft_id: str, data: ApproveIn | None = None
    ) -> Response[Any]:
        body = data or ApproveIn()
        approval = await draft_actions.approve_draft(
            principal, parse_id(draft_id, "draft"), content=body.content, force=body.force
        )
        return ok(approval)
