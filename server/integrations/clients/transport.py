"""One HTTP call to a provider, and what its failure means for the message (API.md, "Sending").

The question every failure answers: could the provider have received the request? Nothing sent yet (the
connection was refused or timed out while connecting) is safe to retry. A request that went out with no answer
back (a read timeout, the connection closed after the body) may have been delivered: it is `unknown` and never
retried automatically, since a lead must never get the same reply twice. 429 and 5xx are retried with backoff
(429 no sooner than its Retry-After); 401/403 fail and mark the integration in error; other 4xx fail with the
provider's reason.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, Final, Literal

import httpx
import msgspec

from server.core.logging import get_logger

log = get_logger(__name__)

FailureKind = Literal["retry", "unknown", "rejected", "unauthorized"]
# Connecting is quick or broken; a provider that takes a while to answer a send still answers.
TIMEOUT: Final = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
_REASON_LENGTH: Final = 300


class ProviderFailure(Exception):
    def __init__(
        self,
        kind: FailureKind,
        code: str,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.message = message
        self.status = status
        self.retry_after_s = retry_after_s


class Sent(msgspec.Struct, frozen=True):
    """A provider's 2xx. `provider_message_id` in the form the provider's echo webhook is parsed to
    (`ghl:<id>`, `unipile:<id>`), so the echo lands on this message; `thread` holds new thread references
    (a Unipile chat started by this send)."""

    provider: str
    provider_message_id: str | None = None
    thread: dict[str, str] = {}


async def call(
    provider: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json: Any = None,
    files: dict[str, tuple[None, str]] | None = None,
    limits: httpx.Timeout = TIMEOUT,
) -> Any:
    """Make the request; return the decoded JSON body of a 2xx (None when it has none). Raises
    ProviderFailure."""
    try:
        response = await _client().request(
            method, url, headers=headers, json=json, files=files, timeout=limits
        )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ProviderFailure("retry", "connect_failed", f"could not connect to {provider}") from exc
    except httpx.TimeoutException as exc:
        raise ProviderFailure("unknown", "no_answer", f"{provider} did not answer in time") from exc
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise ProviderFailure("unknown", "connection_lost", f"the connection to {provider} was lost") from exc
    except httpx.HTTPError as exc:  # an unusable base_url (bad scheme, bad host name)
        raise ProviderFailure(
            "rejected", "bad_base_url", f"cannot call {provider}: {type(exc).__name__}"
        ) from exc
    if response.is_success:
        return _json_or_none(response)
    reason = _reason(response)
    status = response.status_code
    log.info("provider.refused", provider=provider, status=status)
    if status == 429:
        retry_after = _retry_after(response.headers.get("retry-after"))
        raise ProviderFailure("retry", "rate_limited", reason, status=status, retry_after_s=retry_after)
    if status >= 500:
        raise ProviderFailure("retry", "provider_error", reason, status=status)
    if status in (401, 403):
        raise ProviderFailure("unauthorized", "provider_unauthorized", reason, status=status)
    raise ProviderFailure("rejected", "provider_rejected", reason, status=status)


_clients: dict[int, httpx.AsyncClient] = {}


def _client() -> httpx.AsyncClient:
    """One pooled client per event loop (each worker thread runs its own): a client per call would build a TLS
    context and a connection each time, most of a send's CPU."""
    key = id(asyncio.get_running_loop())
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    return client


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _reason(response: httpx.Response) -> str:
    """The provider's own words: EmailBison and GoHighLevel say `message`, Unipile (RFC 7807) `detail` and
    `title`."""
    body = _json_or_none(response)
    if isinstance(body, dict):
        for key in ("detail", "message", "title", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return f"{response.status_code}: {value.strip()[:_REASON_LENGTH]}"
    return f"{response.status_code}: {response.reason_phrase or 'error'}"


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP date: rare from these APIs; the backoff applies
    return max(0.0, seconds) if math.isfinite(seconds) else None
