"""A rate limit shared by every worker process: at most `limit` calls in any `window_s` seconds per key
(GoHighLevel allows 100 requests per 10 s per location). Past the limit a caller waits its turn instead of
failing or provoking a 429.

A sliding-window log in Redis: one sorted set per key, scored by Redis's own clock (so the workers' clocks
never disagree), trimmed and checked atomically by one script.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Final

from redis.exceptions import NoScriptError

from server.core.logging import get_logger
from server.core.redis import redis_client

log = get_logger(__name__)

# Returns 0 when a slot was taken, else how many ms until the oldest call leaves the window.
_TAKE_SLOT: Final = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""
_sha: str | None = None


async def wait_for_slot(key: str, *, limit: int, window_s: float) -> float:
    """Take one call's slot under `key`, waiting as long as it takes. Returns the seconds waited."""
    global _sha
    client = redis_client()
    waited = 0.0
    while True:
        args = (int(window_s * 1000), limit, uuid.uuid4().hex)
        try:
            if _sha is None:
                _sha = await client.script_load(_TAKE_SLOT)
            wait_ms = int(await client.evalsha(_sha, 1, f"setterdesk:rate:{key}", *args))  # type: ignore[misc]
        except NoScriptError:  # Redis restarted and forgot the script
            _sha = None
            continue
        if wait_ms == 0:
            if waited:
                log.info("rate_limit.waited", key=key, waited_s=round(waited, 2))
            return waited
        # A little jitter, so the callers waiting on one slot do not all ask at the same instant.
        pause = wait_ms / 1000 + random.uniform(0.0, 0.05)
        await asyncio.sleep(pause)
        waited += pause
