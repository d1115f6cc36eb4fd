"""The one mapping from exceptions to the JSON error envelope."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.core.db.availability import database_unavailable
from server.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    RateLimited,
    RetryLater,
    Unauthenticated,
)
from server.core.logging import get_logger

log = get_logger(__name__)

_STATUS: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    Overloaded: 503,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def envelope_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(
        {"success": False, "error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RetryLater) else None
    return envelope_error(status, exc.code, exc.message, headers)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    details = exc.extra if isinstance(exc.extra, list) else []
    parts = [f"{d.get('key') or 'body'}: {d.get('message')}" for d in details if isinstance(d, dict)]
    message = "; ".join(parts) if parts else (exc.detail or "invalid request")
    return envelope_error(400, "invalid_input", message)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code = _HTTP_CODES.get(status, "error")
    if isinstance(exc, NotAuthorizedException):
        code = "unauthenticated"
    return envelope_error(status, code, exc.detail or code.replace("_", " "), exc.headers or None)


def _undecodable_body(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # msgspec, inside Litestar's body parsing, gives up on absurdly nested JSON (RecursionError) and on
    # invalid UTF-8 (UnicodeDecodeError): bad input, not a bug.
    if isinstance(exc, RecursionError):
        return envelope_error(400, "invalid_json", "the JSON body is nested too deeply")
    return envelope_error(400, "invalid_json", "the body is not valid UTF-8 JSON")


def _database_down(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("database.unavailable", error_type=type(exc).__name__)
    return envelope_error(
        503, "service_unavailable", "the database is unavailable; retry shortly", {"Retry-After": "5"}
    )


def _redis_down(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The few requests that cannot do without Redis (the sign-in throttle) fail like a database outage.
    log.error("redis.unavailable", error_type=type(exc).__name__)
    return envelope_error(
        503, "service_unavailable", "a backing service is unavailable; retry shortly", {"Retry-After": "5"}
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return _redis_down(request, exc)
    if database_unavailable(exc):
        return _database_down(request, exc)
    log.exception("request.failed", error_type=type(exc).__name__, path=request.url.path)
    return envelope_error(500, "internal_error", "an unexpected error occurred")


exception_handlers: dict[type[Exception] | int, Any] = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    RecursionError: _undecodable_body,
    UnicodeDecodeError: _undecodable_body,
    Exception: _internal_error,
}
