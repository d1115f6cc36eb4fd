"""What every handler shares: the success envelope, id parsing, clean input structs, the caller."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import State

from server.db.engine import session_factory
from server.domain.accounts import Principal, resolve_token
from server.domain.errors import Forbidden, NotFound, Unauthenticated
from server.domain.text_cleaning import clean_text

SESSION_COOKIE = "setterdesk_session"


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


def request_token(request: Request[Any, Any, State]) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE) or None


async def provide_principal(request: Request[Any, Any, State]) -> Principal:
    token = request_token(request)
    if not token:
        raise Unauthenticated("sign in first: send a bearer token or the session cookie")
    async with session_factory()() as session:
        principal = await resolve_token(session, token)
    if principal is None:
        raise Unauthenticated("the token is invalid or was revoked", code="invalid_token")
    return principal


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("only owners and admins can do this")
