"""Round-robin assignment of the leads inbound webhooks create, a setting owners turn on (API.md, "Team
workflow", and docs/API.md "Additions")."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from tests.conftest import Workspace
from tests.helpers import deliver, email_reply, interested_email


async def set_auto_assign(ws: Workspace, mode: str, headers: dict[str, str] | None = None) -> Any:
    return await ws.client.patch("/api/workspace", json={"auto_assign": mode}, headers=headers or ws.auth)


async def assignee_of(ws: Workspace, lead_id: str) -> str | None:
    answer = await ws.client.get(f"/api/leads/{lead_id}", headers=ws.auth)
    assignee: str | None = answer.json()["data"]["lead"]["assigned_to"]
    return assignee


async def test_new_leads_stay_unassigned_until_the_owner_turns_round_robin_on(workspace: Workspace) -> None:
    await workspace.add_member("setter")
    me = await workspace.client.get("/api/me", headers=workspace.auth)
    assert me.json()["data"]["workspace"]["auto_assign"] == "off"
    result = await deliver(workspace, "email", interested_email())
    assert await assignee_of(workspace, result["lead_id"]) is None


async def test_round_robin_hands_new_leads_to_the_setters_in_turn(workspace: Workspace) -> None:
    first = await workspace.add_member("setter", name="Ana")
    second = await workspace.add_member("setter", name="Bo")
    await workspace.add_member("admin", name="Cy")  # admins and the owner are not in the rotation
    answer = await set_auto_assign(workspace, "round_robin")
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["auto_assign"] == "round_robin"

    leads = [(await deliver(workspace, "email", interested_email()))["lead_id"] for _ in range(4)]
    assignees = [await assignee_of(workspace, lead_id) for lead_id in leads]
    ana, bo = first["user"]["id"], second["user"]["id"]
    assert assignees == [ana, bo, ana, bo]

    # A reply on a lead that already exists keeps its assignee and does not take a turn.
    lead = await workspace.client.get(f"/api/leads/{leads[0]}", headers=workspace.auth)
    await deliver(workspace, "email", email_reply(lead.json()["data"]["lead"]["email"], "One more thing"))
    assert await assignee_of(workspace, leads[0]) == ana
    fifth = await deliver(workspace, "email", interested_email())
    assert await assignee_of(workspace, fifth["lead_id"]) == ana


async def test_leads_created_at_once_are_shared_evenly(workspace: Workspace) -> None:
    setters = [await workspace.add_member("setter", name=f"Setter {n}") for n in range(3)]
    await set_auto_assign(workspace, "round_robin")
    results = await asyncio.gather(*(deliver(workspace, "email", interested_email()) for _ in range(9)))
    counts = Counter([await assignee_of(workspace, r["lead_id"]) for r in results])
    assert counts == Counter({s["user"]["id"]: 3 for s in setters})


async def test_turning_it_off_leaves_new_leads_unassigned(workspace: Workspace) -> None:
    await workspace.add_member("setter")
    await set_auto_assign(workspace, "round_robin")
    assert (await set_auto_assign(workspace, "off")).json()["data"]["auto_assign"] == "off"
    result = await deliver(workspace, "email", interested_email())
    assert await assignee_of(workspace, result["lead_id"]) is None


async def test_with_no_setters_new_leads_stay_unassigned(workspace: Workspace) -> None:
    await set_auto_assign(workspace, "round_robin")
    result = await deliver(workspace, "email", interested_email())
    assert await assignee_of(workspace, result["lead_id"]) is None


async def test_only_the_owner_changes_it_and_only_to_a_known_mode(workspace: Workspace) -> None:
    for role in ("setter", "admin"):
        member = await workspace.add_member(role)
        as_member = {"Authorization": f"Bearer {member['token']}"}
        refused = await set_auto_assign(workspace, "round_robin", as_member)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = await set_auto_assign(workspace, "random")
    assert bad.status_code == 400 and "auto_assign" in bad.json()["error"]["message"]
    missing = await workspace.client.patch("/api/workspace", json={}, headers=workspace.auth)
    assert missing.status_code == 400
    me = await workspace.client.get("/api/me", headers=workspace.auth)
    assert me.json()["data"]["workspace"]["auto_assign"] == "off"
