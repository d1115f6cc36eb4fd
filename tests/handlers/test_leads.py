"""Leads API: create, list (newest activity first, filter, search, cursor), edit, message pages."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import Workspace
from tests.helpers import deliver, sample


async def create(client: AsyncTestClient[Any], ws: Workspace, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/leads", json=fields, headers=ws.auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_create_and_read_lead_shape(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    lead = await create(
        client,
        workspace,
        first_name="Dana",
        last_name="Lee",
        email="Dana@Prospect.io",
        phone="+1 415 555 0100",
        linkedin_url="https://www.linkedin.com/in/dana/",
        company="Prospect",
    )
    assert lead["email"] == "dana@prospect.io"
    assert lead["sentiment_tag"] == "New" and lead["status"] == "new"
    for key in (
        "id",
        "assigned_to",
        "last_message_at",
        "last_inbound_at",
        "appointment_booked_at",
        "channels",
        "pending_draft_channels",
    ):
        assert key in lead
    detail = (await client.get(f"/api/leads/{lead['id']}", headers=workspace.auth)).json()["data"]
    assert detail == {"lead": lead, "messages": [], "drafts": []}


async def test_list_newest_activity_first_with_cursor(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    ids = [(await create(client, workspace, first_name=f"L{i}"))["id"] for i in range(5)]
    page1 = (await client.get("/api/leads", params={"limit": 2}, headers=workspace.auth)).json()["data"]
    page2 = (
        await client.get(
            "/api/leads", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=workspace.auth
        )
    ).json()["data"]
    page3 = (
        await client.get(
            "/api/leads", params={"limit": 2, "cursor": page2["next_cursor"]}, headers=workspace.auth
        )
    ).json()["data"]
    seen = [lead["id"] for page in (page1, page2, page3) for lead in page["items"]]
    assert seen == list(reversed(ids))
    assert page3["next_cursor"] is None
    # A webhook for the oldest lead moves it to the top.
    sms = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
    await client.patch(f"/api/leads/{ids[0]}", json={"phone": "+1 555 000 1234"}, headers=workspace.auth)
    sms.update({"from": "+15550001234", "messageId": uuid.uuid4().hex, "contactId": "c-top"})
    await deliver(workspace, "sms", sms)
    top = (await client.get("/api/leads", params={"limit": 1}, headers=workspace.auth)).json()["data"][
        "items"
    ][0]
    assert top["id"] == ids[0] and top["channels"] == ["sms"] and top["last_inbound_at"] is not None


async def test_filter_and_search(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    a = await create(client, workspace, first_name="Alice", company="Zebra Corp")
    await create(client, workspace, first_name="Bob")
    await client.patch(
        f"/api/leads/{a['id']}/sentiment", json={"sentiment_tag": "Objection"}, headers=workspace.auth
    )
    by_tag = (
        await client.get("/api/leads", params={"sentiment": "Objection"}, headers=workspace.auth)
    ).json()
    assert [lead["id"] for lead in by_tag["data"]["items"]] == [a["id"]]
    by_text = (await client.get("/api/leads", params={"q": "zebra"}, headers=workspace.auth)).json()
    assert [lead["id"] for lead in by_text["data"]["items"]] == [a["id"]]
    wildcard = (await client.get("/api/leads", params={"q": "%"}, headers=workspace.auth)).json()
    assert wildcard["data"]["items"] == []
    bad = await client.get("/api/leads", params={"sentiment": "Happy"}, headers=workspace.auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_sentiment_tag"


async def test_patch_lead_fields_and_booking(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    lead = await create(client, workspace, first_name="Old", company="Keep")
    response = await client.patch(
        f"/api/leads/{lead['id']}",
        json={"first_name": "New\u0000", "appointment_booked_at": "2026-03-01T15:00:00+00:00", "title": None},
        headers=workspace.auth,
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["first_name"] == "New" and data["company"] == "Keep"
    assert data["appointment_booked_at"].startswith("2026-03-01T15:00:00")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nope"},
        {"phone": "12"},
        {"appointment_booked_at": "tomorrow"},
        {"assigned_to": "x"},
        [1],
        "str",
    ],
)
async def test_patch_bad_input_is_400(client: AsyncTestClient[Any], workspace: Workspace, body: Any) -> None:
    lead = await create(client, workspace, first_name="V")
    response = await client.patch(f"/api/leads/{lead['id']}", json=body, headers=workspace.auth)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False


async def test_assign_to_teammate_only_in_workspace(
    client: AsyncTestClient[Any], workspace: Workspace, other_workspace: Workspace
) -> None:
    lead = await create(client, workspace, first_name="A")
    mate = await workspace.add_member()
    ok = await client.patch(
        f"/api/leads/{lead['id']}", json={"assigned_to": mate["user"]["id"]}, headers=workspace.auth
    )
    assert ok.json()["data"]["assigned_to"] == mate["user"]["id"]
    foreign = other_workspace.owner["id"]
    bad = await client.patch(
        f"/api/leads/{lead['id']}", json={"assigned_to": foreign}, headers=workspace.auth
    )
    assert bad.status_code == 400


async def test_message_pages(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    base = copy.deepcopy(sample("unipile_message_received_2.json"))
    base["sender"]["attendee_provider_id"] = f"prov-{uuid.uuid4().hex[:6]}"
    lead_id = None
    for i in range(5):
        body = copy.deepcopy(base)
        body["message_id"] = f"pg-{uuid.uuid4().hex}"
        body["message"] = f"message {i}"
        body["timestamp"] = f"2026-07-06T09:4{i}:00.000Z"
        lead_id = (await deliver(workspace, "linkedin", body))["lead_id"]
    newest = (
        await client.get(f"/api/leads/{lead_id}/messages", params={"limit": 2}, headers=workspace.auth)
    ).json()["data"]
    assert [m["body"] for m in newest] == ["message 3", "message 4"]
    older = (
        await client.get(
            f"/api/leads/{lead_id}/messages",
            params={"limit": 2, "before": newest[0]["id"]},
            headers=workspace.auth,
        )
    ).json()["data"]
    assert [m["body"] for m in older] == ["message 1", "message 2"]
    none = (
        await client.get(f"/api/leads/{lead_id}/messages", params={"channel": "sms"}, headers=workspace.auth)
    ).json()["data"]
    assert none == []
    bad = await client.get(
        f"/api/leads/{lead_id}/messages", params={"channel": "fax"}, headers=workspace.auth
    )
    assert bad.status_code == 400
