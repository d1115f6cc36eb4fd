"""GoHighLevel allows 100 requests per 10 s per location (API.md): 110 SMS approved at once are all sent,
never more than 100 calls to the location in any 10 s, and none fails or provokes a 429."""

from __future__ import annotations

import asyncio

from tests.conftest import RunningWorker, Workspace
from tests.fakes.fake_providers import FakeProviders
from tests.integrations.helpers import connect
from tests.sending.helpers import settled, sms_lead, write


async def test_110_sms_at_once_stay_within_the_locations_limit(
    workspace: Workspace, worker: RunningWorker, fake_providers: FakeProviders
) -> None:
    await connect(workspace, "gohighlevel", fake_providers)
    lead_id, _ = await sms_lead(workspace)
    messages = await asyncio.gather(*[write(workspace, lead_id, "sms", f"Reply {n}") for n in range(110)])
    for message in messages:
        sent = await settled(workspace, lead_id, message["id"], statuses=frozenset({"sent"}), timeout_s=60)
        assert sent["delivery"]["attempts"] == 1  # no 429, no retry
    assert len(fake_providers.sends("gohighlevel")) == 110
    assert fake_providers.max_in_window("gohighlevel", 10.0) <= 100
