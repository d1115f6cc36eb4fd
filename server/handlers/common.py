"""What every handler shares: the success envelope, id parsing, clean input structs, the caller."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import State

from server.accounts.browser_session import SESSION_COOKIE, is_cross_site
from server.accounts.service import Principal, resolve_token
from server.core.errors import Forbidden, NotFound, Unauthenticated
from server.core.text_cleaning import clean_text


def ok(data: Any, status: int = 200, **kwargs: Any) -> Response[Any]:
    return Response({"success": True, "data": data}, status_code=status, **kwargs)


def parse_id(value: str, what: str = "resource") -> uuid.UUID:
    """Ids are UUIDs; anything else simply does not exist (404, like another workspace's id)."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise NotFound(f"{what} not found") from None


class CleanInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Input structs strip NUL bytes and lone surrogates from every string field (PostgreSQL rejects NUL)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, clean_text(value))


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def request_token(request: Request[Any, Any, State]) -> tuple[str | None, bool]:
    """The caller's token, and whether it came from the session cookie (which CSRF can ride on)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, False
    return request.cookies.get(SESSION_COOKIE) or None, True


def check_same_origin(request: Request[Any, Any, State]) -> None:
    """Unsafe requests authenticated by the cookie must not come from another site (CSRF)."""
    if is_cross_site(request.headers):
        raise Forbidden(
            "cross-site request refused: send it from this site, or use a bearer token", code="csrf_failed"
        )


async def provide_principal(request: Request[Any, Any, State]) -> Principal:
    token, from_cookie = request_token(request)
    if not token:
        raise Unauthenticated("sign in first: send a bearer token or the session cookie")
    if from_cookie and request.method in UNSAFE_METHODS:
        check_same_origin(request)
    principal = await resolve_token(token)
    if principal is None:
        raise Unauthenticated("the token is invalid or was revoked", code="invalid_token")
    return principal


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("only owners and admins can do this")
