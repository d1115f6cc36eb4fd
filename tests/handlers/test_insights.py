"""Insights API: a lead's insight, the list (outcome filter, cursor), failures, and running the job now."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from server.insights.lead_summary import summarise_lead
from tests.conftest import Workspace
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply
from tests.insights.insight_threads import BOOKED_THREAD, booked_lead

INSIGHT_FIELDS = {
    "summary",
    "key_events",
    "what_worked",
    "what_failed",
    "key_phrases",
    "evidence_quotes",
    "recommended_tests",
    "follow_up",
}


async def summarised_lead(ws: Workspace, first_name: str = "Dana") -> str:
    lead_id = await booked_lead(ws.id, BOOKED_THREAD, first_name=first_name)
    assert (await summarise_lead(lead_id)).status == "done"
    return str(lead_id)


async def test_a_leads_insight_has_the_api_shape(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    lead_id = await summarised_lead(workspace)

    response = await client.get(f"/api/leads/{lead_id}/insight", headers=workspace.auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert {"outcome", "insight", "model", "source", "computed_at"} <= set(data)
    assert (data["outcome"], data["source"], data["lead_id"]) == ("BOOKED", "offline", lead_id)
    assert data["model"] == "offline-deterministic-v1" and data["computed_at"].endswith("Z")
    assert set(data["insight"]) == INSIGHT_FIELDS
    assert (data["first_name"], data["last_name"], data["company"]) == ("Dana", "Reyes", "Acme Roofing")


async def test_no_insight_and_another_workspaces_lead_are_404(
    client: AsyncTestClient[Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    without = await booked_lead(workspace.id, BOOKED_THREAD)
    theirs = await summarised_lead(other_workspace)

    for lead_id in (str(without), theirs, str(uuid.uuid4()), "not-a-uuid"):
        response = await client.get(f"/api/leads/{lead_id}/insight", headers=workspace.auth)
        assert response.status_code == 404, lead_id
        assert response.json() == {"success": False, "error": response.json()["error"]}
        assert response.json()["error"]["code"] == "not_found"
    listed = (await client.get("/api/insights", headers=workspace.auth)).json()["data"]
    assert listed == {"items": [], "next_cursor": None}


async def test_list_filters_by_outcome_and_pages_with_a_cursor(
    client: AsyncTestClient[Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    ids = [await summarised_lead(workspace, first_name=f"Lead{i}") for i in range(3)]
    await summarised_lead(other_workspace)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        params: dict[str, Any] = {"outcome": "BOOKED", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/insights", params=params, headers=workspace.auth)).json()["data"]
        seen += [item["lead_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))  # newest first, only this workspace
    item = (await client.get("/api/insights", headers=workspace.auth)).json()["data"]["items"][0]
    assert (
        item["first_name"] == "Lead2"
        and item["outcome"] == "BOOKED"
        and set(item["insight"]) == INSIGHT_FIELDS
    )
    bad = await client.get("/api/insights", params={"outcome": "LOST"}, headers=workspace.auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_outcome"
    bad_cursor = await client.get("/api/insights", params={"cursor": "zzz"}, headers=workspace.auth)
    assert bad_cursor.status_code == 400


async def test_run_now_is_for_owners_and_admins_and_scoped_to_the_workspace(
    client: AsyncTestClient[Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    await booked_lead(workspace.id, BOOKED_THREAD)
    await booked_lead(workspace.id, BOOKED_THREAD)
    await booked_lead(workspace.id, BOOKED_THREAD, booked=False)  # not booked: not picked
    await booked_lead(workspace.id, [])  # nothing to summarise: not picked
    await summarised_lead(workspace)  # up to date: not picked
    await booked_lead(other_workspace.id, BOOKED_THREAD)
    setter = await workspace.add_member("setter")
    admin = await workspace.add_member("admin", name="Ada Admin")

    forbidden = await client.post(
        "/api/insights/booked-summaries/run", headers={"Authorization": f"Bearer {setter['token']}"}
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    first = await client.post(
        "/api/insights/booked-summaries/run", headers={"Authorization": f"Bearer {admin['token']}"}
    )
    assert first.status_code == 202, first.text
    # The two booked leads of this workspace, not the other workspace's.
    assert first.json() == {"success": True, "data": {"enqueued": 2}}
    again = await client.post("/api/insights/booked-summaries/run", headers=workspace.auth)
    assert again.status_code == 202, again.text
    # The session's worker may already have summarised some of them: those are up to date now.
    assert 0 <= again.json()["data"]["enqueued"] <= 2
    client.cookies.clear()
    assert (await client.post("/api/insights/booked-summaries/run")).status_code == 401


async def test_failures_are_listed_for_admins_with_their_category(
    client: AsyncTestClient[Any],
    workspace: Workspace,
    fake_openai: FakeOpenAIServer,
    openai_env: dict[str, str],
) -> None:
    lead_id = await booked_lead(workspace.id, BOOKED_THREAD)
    fake_openai.script(FakeReply.error(400))
    assert (await summarise_lead(lead_id)).reason == "bad_request"
    setter = await workspace.add_member("setter")

    page = (await client.get("/api/insights/failures", headers=workspace.auth)).json()["data"]

    [failure] = page["items"]
    assert (failure["lead_id"], failure["category"], failure["permanent"]) == (
        str(lead_id),
        "bad_request",
        True,
    )
    assert failure["attempts"] == 1 and page["next_cursor"] is None
    denied = await client.get(
        "/api/insights/failures", headers={"Authorization": f"Bearer {setter['token']}"}
    )
    assert denied.status_code == 403
