"""The shared rate limit (server/integrations/rate_limit.py): never more than `limit` calls in any window,
across concurrent callers, and every caller gets its turn."""

from __future__ import annotations

import asyncio
import time
import uuid

from server.integrations.rate_limit import wait_for_slot


def most_in_any_window(times: list[float], window_s: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window_s) for i, start in enumerate(times))


async def test_callers_past_the_limit_wait_their_turn_and_none_fails() -> None:
    key = f"test:{uuid.uuid4().hex}"
    taken: list[float] = []

    async def call() -> None:
        await wait_for_slot(key, limit=5, window_s=0.5)
        taken.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*[call() for _ in range(12)])
    assert len(taken) == 12
    assert most_in_any_window(taken, 0.5) <= 5
    assert time.monotonic() - started >= 1.0  # the 11th and 12th needed a third window


async def test_keys_are_limited_separately() -> None:
    first, second = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    started = time.monotonic()
    await asyncio.gather(
        *[wait_for_slot(key, limit=3, window_s=5) for key in (first, second) for _ in range(3)]
    )
    assert time.monotonic() - started < 1.0
