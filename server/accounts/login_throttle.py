"""Repeated failed logins are slowed down: per email and per client address, counted in Redis."""

from __future__ import annotations

import hashlib

from redis.exceptions import RedisError

from server.core.errors import RateLimited
from server.core.logging import get_logger
from server.core.redis import redis_client

log = get_logger(__name__)

MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 100  # many accounts from one address: credential stuffing
WINDOW_S = 15 * 60


def _keys(email: str, client_ip: str | None) -> list[str]:
    # Hashed so Redis holds no email addresses.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    keys = [f"setterdesk:login-failures:email:{digest}"]
    if client_ip:
        keys.append(f"setterdesk:login-failures:ip:{client_ip}")
    return keys


async def check(email: str, client_ip: str | None) -> None:
    """Raise RateLimited while either counter is over the limit. With Redis down, sign-in stays available
    (unthrottled) rather than failing for everyone."""
    client = redis_client()
    for key in _keys(email, client_ip):
        try:
            count = int(await client.get(key) or 0)
        except RedisError as exc:
            log.warning("login_throttle.unavailable", error_type=type(exc).__name__)
            return
        limit = MAX_FAILURES if ":email:" in key else MAX_FAILURES_PER_ADDRESS
        if count >= limit:
            retry_after = max(1, int(await client.ttl(key)))  # Redis just answered
            raise RateLimited("too many failed sign-ins; try again later", retry_after_s=retry_after)


async def record_failed_login(email: str, client_ip: str | None) -> None:
    pipe = redis_client().pipeline(transaction=False)
    for key in _keys(email, client_ip):
        pipe.incr(key)
        pipe.expire(key, WINDOW_S, nx=True)
    try:
        await pipe.execute()
    except RedisError as exc:
        log.warning("login_throttle.unavailable", error_type=type(exc).__name__)


async def reset(email: str) -> None:
    try:
        await redis_client().delete(_keys(email, None)[0])
    except RedisError as exc:
        log.warning("login_throttle.unavailable", error_type=type(exc).__name__)
