"""A worker SIGKILLed while its provider call is in flight: the call may have reached the provider, so the
message is never sent again by itself. Dramatiq redelivers the job to another worker, which finds the message
`sending` and does not call; the sweep turns it `unknown` (API.md, "Sending"). One provider call in all."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest

from server.sending.sweeps import settle_stuck_sends
from tests.fakes.fake_providers import FakeProviders, ProviderAnswer
from tests.processes import start_role, stop_all
from tests.reliability.harness import Api, RedisServer, Web, broker_backlog, sms_body, stack_env, wait_until

pytestmark = pytest.mark.slow

HEARTBEAT_TIMEOUT_MS = 2000


async def test_a_worker_killed_during_the_provider_call_never_sends_twice(
    fake_providers: FakeProviders, redis_server: RedisServer, log_dir: Path
) -> None:
    fake_providers.script(ProviderAnswer.hang(30))
    env = stack_env(
        redis_server.url,
        DRAMATIQ_HEARTBEAT_TIMEOUT_MS=str(HEARTBEAT_TIMEOUT_MS),
        DRAMATIQ_MAINTENANCE_CHANCE="1000000",
        WORKER_THREADS="2",
    )
    web = Web(env, log_dir)
    worker = start_role("worker", env, log_dir / "worker-1.log")
    procs = [web.proc, worker]
    try:
        await asyncio.to_thread(web.wait_ready)
        api = Api.signup(web.url)
        api.call(
            "PUT",
            "/api/integrations/gohighlevel",
            json={
                "base_url": fake_providers.base_url,
                "location_id": "loc-1",
                "private_integration_token": "ghl-token",
            },
        )
        stored = api.outcome(api.webhook("sms", sms_body("Yes, text me the details")))
        lead_id = stored["lead_id"]
        message = api.call(
            "POST", f"/api/leads/{lead_id}/messages", 201, json={"channel": "sms", "content": "Hi!"}
        )
        await asyncio.to_thread(
            wait_until, lambda: fake_providers.sends(), timeout=20, what="the provider call in flight"
        )
        worker.kill()
        killed_at = time.monotonic()
        replacement = start_role("worker", env, log_dir / "worker-2.log")
        procs.append(replacement)

        def redelivered() -> bool:  # the dead worker's job went to the replacement, which left it alone
            return '"messages.send"' in replacement.output() and not broker_backlog(
                redis_server.client(), env["DRAMATIQ_NAMESPACE"]
            )

        await asyncio.to_thread(wait_until, redelivered, timeout=30, what="the redelivered send job")
        assert time.monotonic() - killed_at >= HEARTBEAT_TIMEOUT_MS / 1000 - 0.5
        [current] = [m for m in api.messages(lead_id) if m["id"] == message["id"]]
        assert current["delivery"]["status"] == "sending"  # not called again, not yet settled

        # The scheduler's sweep, once no call can still be in flight (its threshold shortened for the test).
        assert await settle_stuck_sends(stuck_after=timedelta(seconds=0)) >= 1
        [current] = [m for m in api.messages(lead_id) if m["id"] == message["id"]]
        assert current["delivery"]["status"] == "unknown"
        await asyncio.sleep(1.0)  # a late second call would show up now
        assert len(fake_providers.sends()) == 1
    finally:
        stop_all(reversed(procs))
