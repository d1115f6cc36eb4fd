"""Teammates and the webhook secret."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide

from server.accounts import service as accounts
from server.accounts.service import Principal, user_view
from server.handlers.common import CleanInput, ok, provide_principal


class MemberIn(CleanInput):
    name: str
    email: str
    password: str
    role: str


class WorkspaceController(Controller):
    path = "/api/workspace"
    dependencies = {"principal": Provide(provide_principal)}

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
