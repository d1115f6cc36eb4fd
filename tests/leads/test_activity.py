"""Who did what (API.md, "Team workflow"): every event records its actor, and a lead's activity lists its
events newest first, paged."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningWorker, Workspace
from tests.helpers import deliver, drain, interested_email, pending


async def activity(ws: Workspace, lead_id: str, **params: str) -> dict[str, Any]:
    answer = await ws.client.get(f"/api/leads/{lead_id}/activity", params=params, headers=ws.auth)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def test_each_event_says_who_did_it(workspace: Workspace, worker: RunningWorker) -> None:
    result = await deliver(workspace, "email", interested_email("Interested! Can we talk Thursday?"))
    lead_id = result["lead_id"]
    await drain(worker)
    [draft] = await pending(workspace.client, workspace, lead_id)
    await workspace.client.post(f"/api/drafts/{draft['id']}/approve", headers=workspace.auth)
    await drain(worker)  # the send: no provider connected, so not_sent
    items = (await activity(workspace, lead_id, limit="100"))["items"]
    owner = {"type": "user", "id": workspace.owner["id"], "name": workspace.owner["name"]}
    actor_of = {(item["type"], frozenset(item["actor"].items())) for item in items}
    for kind, actor in (
        ("message.created", {"type": "provider", "name": "EmailBison"}),
        ("lead.sentiment_changed", {"type": "ai"}),
        ("draft.created", {"type": "ai"}),
        ("draft.approved", owner),
        ("message.updated", {"type": "system"}),
    ):
        assert (kind, frozenset(actor.items())) in actor_of, kind
    assert [item["id"] for item in items] == sorted((item["id"] for item in items), reverse=True)


async def test_a_setters_sentiment_change_is_theirs_and_the_list_pages(workspace: Workspace) -> None:
    setter = await workspace.add_member("setter", name="Sam Setter")
    auth = {"Authorization": f"Bearer {setter['token']}"}
    result = await deliver(workspace, "email", interested_email("Who is this?"))
    lead_id = result["lead_id"]
    for tag in ("Interested", "Not Interested", "Follow Up"):
        changed = await workspace.client.patch(
            f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": tag}, headers=auth
        )
        assert changed.status_code == 200, changed.text
    first = await activity(workspace, lead_id, limit="2")
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await activity(workspace, lead_id, limit="100", cursor=first["next_cursor"])
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    changes = [item for item in first["items"] + rest["items"] if item["type"] == "lead.sentiment_changed"]
    by_users = [
        c["actor"] for c in changes if c["actor"]["type"] == "user"
    ]  # the AI may classify the reply too
    assert [(a["id"], a["name"]) for a in by_users] == [(setter["user"]["id"], "Sam Setter")] * 3
    assert (
        await workspace.client.get(
            f"/api/leads/{lead_id}/activity", params={"cursor": "abc"}, headers=workspace.auth
        )
    ).status_code == 400


async def test_reads_are_not_history(workspace: Workspace) -> None:
    result = await deliver(workspace, "email", interested_email("Still there?"))
    await workspace.client.post(f"/api/leads/{result['lead_id']}/read", headers=workspace.auth)
    items = (await activity(workspace, result["lead_id"], limit="100"))["items"]
    assert items and "lead.read" not in {item["type"] for item in items}
