"""Per-user read state and assignment rights (API.md, "Team workflow")."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import text

from server.core.db.engine import read_session
from tests.conftest import Workspace
from tests.helpers import deliver, interested_email


def as_user(ws: Workspace, member: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {member['token']}"}


async def lead_of(ws: Workspace, lead_id: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = await ws.client.get(f"/api/leads/{lead_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    lead: dict[str, Any] = answer.json()["data"]["lead"]
    return lead


async def listed_ids(ws: Workspace, headers: dict[str, str], **params: str) -> set[str]:
    answer = await ws.client.get("/api/leads", params=params, headers=headers)
    return {item["id"] for item in answer.json()["data"]["items"]}


async def test_read_state_is_per_user_and_a_new_reply_makes_it_unread_again(workspace: Workspace) -> None:
    setter = await workspace.add_member("setter")
    first = interested_email("Is Tuesday still open?")
    result = await deliver(workspace, "email", first)
    lead_id = result["lead_id"]
    owner, sam = workspace.auth, as_user(workspace, setter)
    assert (await lead_of(workspace, lead_id, owner))["unread_count"] == 1
    assert (await lead_of(workspace, lead_id, sam))["unread_count"] == 1

    read = await workspace.client.post(f"/api/leads/{lead_id}/read", headers=owner)
    assert read.status_code == 200 and read.json()["data"]["unread_count"] == 0
    assert (await lead_of(workspace, lead_id, owner))["unread_count"] == 0
    assert (await lead_of(workspace, lead_id, sam))["unread_count"] == 1  # only the one who opened it
    assert lead_id not in await listed_ids(workspace, owner, unread="true")
    assert lead_id in await listed_ids(workspace, sam, unread="true")
    assert lead_id in await listed_ids(workspace, owner, unread="false")

    again = copy.deepcopy(first)
    again["data"]["reply"]["id"] += 1
    again["data"]["reply"]["date_received"] = "2031-01-01T00:00:00Z"
    again["data"]["reply"]["text_body"] = "Or Wednesday?"
    await deliver(workspace, "email", again)
    assert (await lead_of(workspace, lead_id, owner))["unread_count"] == 1
    assert (await lead_of(workspace, lead_id, sam))["unread_count"] == 2


async def test_marking_read_appends_lead_read_for_the_users_other_tabs(workspace: Workspace) -> None:
    result = await deliver(workspace, "email", interested_email())
    await workspace.client.post(f"/api/leads/{result['lead_id']}/read", headers=workspace.auth)
    async with read_session() as session:
        [data] = (
            await session.execute(
                text("SELECT data FROM events WHERE lead_id = CAST(:lead AS uuid) AND type = 'lead.read'"),
                {"lead": result["lead_id"]},
            )
        ).scalars()
    assert data["user_id"] == workspace.owner["id"] and data["lead_id"] == result["lead_id"]
    assert data["read_at"]


async def test_another_workspaces_lead_cannot_be_marked_read(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    result = await deliver(other_workspace, "email", interested_email())
    answer = await workspace.client.post(f"/api/leads/{result['lead_id']}/read", headers=workspace.auth)
    assert answer.status_code == 404


async def test_setters_assign_themselves_or_unassign_themselves_only(workspace: Workspace) -> None:
    setter = await workspace.add_member("setter")
    sam, sam_id, owner_id = as_user(workspace, setter), setter["user"]["id"], workspace.owner["id"]
    lead = (
        await workspace.client.post("/api/leads", json={"first_name": "Ada"}, headers=workspace.auth)
    ).json()

    async def assign(headers: dict[str, str], user_id: str | None) -> int:
        answer = await workspace.client.patch(
            f"/api/leads/{lead['data']['id']}", json={"assigned_to": user_id}, headers=headers
        )
        return answer.status_code

    assert await assign(sam, owner_id) == 403  # a setter never assigns someone else
    assert await assign(sam, sam_id) == 200  # takes it
    assert await assign(sam, None) == 200  # lets it go
    assert await assign(workspace.auth, owner_id) == 200  # owners assign anyone
    assert await assign(sam, None) == 403  # not theirs to unassign
    assert await assign(sam, sam_id) == 200  # but they may take it
    assert await assign(workspace.auth, sam_id) == 200
    assert (await lead_of(workspace, lead["data"]["id"], sam))["assigned_to"] == sam_id
