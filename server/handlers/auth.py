"""Signup, login, logout, who am I."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide

from server.db.engine import session_factory
from server.domain import accounts
from server.domain.accounts import Principal, user_view, workspace_view
from server.domain.errors import Forbidden
from server.handlers.common import SESSION_COOKIE, CleanInput, ok, provide_principal
from server.settings import get_settings


class SignupIn(CleanInput):
    workspace_name: str
    name: str
    email: str
    password: str


class LoginIn(CleanInput):
    email: str
    password: str


def _session_cookie(token: str | None) -> Cookie:
    settings = get_settings()
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
        max_age=None if token else 0,
    )


class AuthController(Controller):
    path = "/api"

    @post("/signup", status_code=201)
    async def signup(self, data: SignupIn) -> Response[Any]:
        if not get_settings().signup_enabled:
            raise Forbidden("signup is switched off on this server", code="signup_disabled")
        async with session_factory()() as session:
            workspace, user, token = await accounts.signup(
                session,
                workspace_name=data.workspace_name,
                name=data.name,
                email=data.email,
                password=data.password,
            )
        body = {"workspace": workspace_view(workspace, "owner"), "user": user_view(user), "token": token}
        return ok(body, 201, cookies=[_session_cookie(token)])

    @post("/auth/login", status_code=200)
    async def login(self, data: LoginIn) -> Response[Any]:
        async with session_factory()() as session:
            workspace, user, token = await accounts.login(session, email=data.email, password=data.password)
        body = {"user": user_view(user), "workspace": workspace_view(workspace, user.role), "token": token}
        return ok(body, cookies=[_session_cookie(token)])

    @post("/auth/logout", status_code=200, dependencies={"principal": Provide(provide_principal)})
    async def logout(self, principal: Principal) -> Response[Any]:
        async with session_factory()() as session:
            await accounts.logout(session, principal)
        return ok({"logged_out": True}, cookies=[_session_cookie(None)])

    @get("/me", dependencies={"principal": Provide(provide_principal)})
    async def me(self, principal: Principal) -> Response[Any]:
        async with session_factory()() as session:
            user, workspace = await accounts.me(session, principal)
        return ok({"user": user_view(user), "workspace": workspace_view(workspace, user.role)})
