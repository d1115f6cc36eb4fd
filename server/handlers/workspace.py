"""The workspace's settings, teammates and webhook secret."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide

from server.accounts import service as accounts
from server.accounts.service import Principal, user_view, workspace_view
from server.handlers.common import CleanInput, ok, provide_principal


class MemberIn(CleanInput):
    name: str
    email: str
    password: str
    role: str


class WorkspaceSettingsIn(CleanInput):
    auto_assign: str


class WorkspaceController(Controller):
    path = "/api/workspace"
    dependencies = {"principal": Provide(provide_principal)}

    @patch("")
    async def change_settings(self, principal: Principal, data: WorkspaceSettingsIn) -> Response[Any]:
        workspace = await accounts.set_auto_assign(principal, data.auto_assign)
        return ok(workspace_view(workspace, principal.role))

    @post("/members", status_code=201)
    async def add_member(self, principal: Principal, data: MemberIn) -> Response[Any]:
        user, token = await accounts.add_member(
            principal, name=data.name, email=data.email, password=data.password, role=data.role
        )
        return ok({"user": user_view(user), "token": token}, 201)

    @get("/members")
    async def list_members(self, principal: Principal) -> Response[Any]:
        users = await accounts.members(principal)
        return ok([user_view(u) for u in users])

    @post("/webhook-secret/rotate", status_code=200)
    async def rotate_secret(self, principal: Principal) -> Response[Any]:
        secret = await accounts.rotate_webhook_secret(principal)
        return ok({"webhook_secret": secret})
