"""Signup, login, logout, who am I."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide

from server.accounts import login_throttle
from server.accounts import service as accounts
from server.accounts.browser_session import SESSION_COOKIE
from server.accounts.service import Principal, user_view, workspace_view
from server.core.errors import Forbidden, Unauthenticated
from server.core.settings import get_settings
from server.handlers.common import CleanInput, ok, provide_principal


class SignupIn(CleanInput):
    workspace_name: str
    name: str
    email: str
    password: str


class LoginIn(CleanInput):
    email: str
    password: str


def _session_cookie(token: str | None, request: Request[Any, Any, Any]) -> Cookie:
    settings = get_settings()
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
        max_age=None if token else 0,
    )


class AuthController(Controller):
    path = "/api"

    @post("/signup", status_code=201)
    async def signup(self, data: SignupIn, request: Request[Any, Any, Any]) -> Response[Any]:
        if not get_settings().signup_enabled:
            raise Forbidden("signup is switched off on this server", code="signup_disabled")
        workspace, user, token = await accounts.signup(
            workspace_name=data.workspace_name, name=data.name, email=data.email, password=data.password
        )
        body = {"workspace": workspace_view(workspace, "owner"), "user": user_view(user), "token": token}
        return ok(body, 201, cookies=[_session_cookie(token, request)])

    @post("/auth/login", status_code=200)
    async def login(self, data: LoginIn, request: Request[Any, Any, Any]) -> Response[Any]:
        client_ip = request.client.host if request.client else None
        await login_throttle.check(data.email, client_ip)
        try:
            workspace, user, token = await accounts.login(email=data.email, password=data.password)
        except Unauthenticated:
            await login_throttle.record_failed_login(data.email, client_ip)
            raise
        await login_throttle.reset(data.email)
        body = {"user": user_view(user), "workspace": workspace_view(workspace, user.role), "token": token}
        return ok(body, cookies=[_session_cookie(token, request)])

    @post("/auth/logout", status_code=200, dependencies={"principal": Provide(provide_principal)})
    async def logout(self, principal: Principal, request: Request[Any, Any, Any]) -> Response[Any]:
        await accounts.logout(principal)
        return ok({"logged_out": True}, cookies=[_session_cookie(None, request)])

    @get("/me", dependencies={"principal": Provide(provide_principal)})
    async def me(self, principal: Principal) -> Response[Any]:
        user, workspace = await accounts.me(principal)
        return ok({"user": user_view(user), "workspace": workspace_view(workspace, user.role)})
