"""`lead.read` reaches the reader's own sockets only, on every web process, live and on resume (API.md,
"Team workflow"); teammates' streams skip it without a gap."""

from __future__ import annotations

import pytest

from tests.realtime.conftest import OpenWs
from tests.realtime.helpers import Tenant, types_of

pytestmark = pytest.mark.slow


async def test_a_read_reaches_the_readers_other_tabs_and_no_teammate(tenant: Tenant, open_ws: OpenWs) -> None:
    sam = await tenant.add_member("Sam Setter")
    lead = await tenant.create_lead(first_name="Read")
    owner_tabs = [await open_ws(tenant.token, web=w) for w in (0, 1)]
    sam_tab = await open_ws(sam.token, web=1)
    starts = [await tab.subscribe_inbox() for tab in owner_tabs]
    sam_start = await sam_tab.subscribe_inbox()
    await sam_tab.subscribe(lead["id"])

    await tenant.call("POST", f"/api/leads/{lead['id']}/read")
    await tenant.patch_lead(lead["id"], company="After the read")

    for tab in owner_tabs:
        got = await tab.events(until=lambda evs: "lead.updated" in types_of(evs))
        [read] = [e for e in got if e["type"] == "lead.read"]
        assert read["data"]["user_id"] == tenant.user["id"] and read["data"]["lead_id"] == lead["id"]
    seen_by_sam = await sam_tab.events(until=lambda evs: types_of(evs).count("lead.updated") >= 2)
    assert "lead.read" not in types_of(seen_by_sam)

    # Resuming replays the same way: the reader's own read comes back, a teammate's stream skips it.
    replay = await open_ws(tenant.token, web=0)
    await replay.subscribe_inbox(last_event_id=starts[0])
    assert "lead.read" in types_of(await replay.events(until=lambda evs: "lead.updated" in types_of(evs)))
    teammate = await open_ws(sam.token, web=0)
    await teammate.subscribe_inbox(last_event_id=sam_start)
    assert "lead.read" not in types_of(
        await teammate.events(until=lambda evs: "lead.updated" in types_of(evs))
    )
