"""Domain errors. They name what went wrong; server/errors.py alone maps them to HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    """Also the answer for another workspace's ids: never reveal that they exist."""

    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class RetryLater(DomainError):
    """Try the same request again after `retry_after_s` seconds."""

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class RateLimited(RetryLater):
    code = "rate_limited"


class Overloaded(RetryLater):
    """More work arrived than this process takes on at once; nothing of it was started."""

    code = "service_unavailable"
