"""Teammates and the webhook secret."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide

from server.db.engine import session_factory
from server.domain import accounts
from server.domain.accounts import Principal, user_view
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
        async with session_factory()() as session:
            user, token = await accounts.add_member(
                session, principal, name=data.name, email=data.email, password=data.password, role=data.role
            )
        return ok({"user": user_view(user), "token": token}, 201)

    @get("/members")
    async def list_members(self, principal: Principal) -> Response[Any]:
        async with session_factory()() as session:
            users = await accounts.members(session, principal)
        return ok([user_view(u) for u in users])

    @post("/webhook-secret/rotate", status_code=200)
    async def rotate_secret(self, principal: Principal) -> Response[Any]:
        async with session_factory()() as session:
            secret = await accounts.rotate_webhook_secret(session, principal)
        return ok({"webhook_secret": secret})
