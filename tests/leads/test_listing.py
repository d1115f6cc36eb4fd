"""The inbox list (API.md, "Team workflow"): combinable filters, and search over contacts and message text
with PostgreSQL full-text search, each lead found through a message carrying its best match and a snippet."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.conftest import RunningWorker, Workspace, make_workspace
from tests.helpers import deliver, drain, interested_email, sample


async def listed(ws: Workspace, **params: str) -> list[dict[str, Any]]:
    answer = await ws.client.get("/api/leads", params=params, headers=ws.auth)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["data"]["items"]
    return items


async def email_from(ws: Workspace, text: str, subject: str = "Re: our call") -> dict[str, Any]:
    body = interested_email(text)
    body["data"]["reply"]["email_subject"] = subject
    return await deliver(ws, "email", body)


async def sms_from(ws: Workspace, text: str) -> dict[str, Any]:
    body = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
    body.update(body=text, contactId=uuid.uuid4().hex[:16], messageId=uuid.uuid4().hex[:16])
    body["from"] = f"+1555{uuid.uuid4().int % 10**7:07d}"
    return await deliver(ws, "sms", body)


async def test_message_text_search_finds_the_lead_with_its_best_message_and_a_snippet(
    workspace: Workspace,
) -> None:
    pricing = await email_from(workspace, "Could you send the pricing for twelve seats? Our budget is tight.")
    await email_from(workspace, "Thursday afternoon works for a call.")
    also = await sms_from(workspace, "what is the pricing again")
    items = await listed(workspace, q="pricing")
    found = {item["id"]: item for item in items}
    assert set(found) == {pricing["lead_id"], also["lead_id"]}
    match = found[pricing["lead_id"]]["match"]
    assert match["message_id"] == pricing["message_id"]
    assert "«pricing»" in match["snippet"] and "seats" in match["snippet"]


async def test_search_takes_phrases_and_exclusions_as_typed_in_a_search_box(workspace: Workspace) -> None:
    wanted = await email_from(workspace, "We need a demo next week for the whole sales team.")
    await email_from(workspace, "A demo is not needed, we already use a competitor.")
    phrase = await listed(workspace, q='"sales team" demo')
    assert [item["id"] for item in phrase] == [wanted["lead_id"]]
    excluded = await listed(workspace, q="demo -competitor")
    assert [item["id"] for item in excluded] == [wanted["lead_id"]]


async def test_stemming_finds_other_forms_of_a_word(workspace: Workspace) -> None:
    booked = await email_from(workspace, "I booked a slot on your calendar for Friday.")
    assert [item["id"] for item in await listed(workspace, q="booking")] == [booked["lead_id"]]


async def test_a_contact_match_has_no_message_match(workspace: Workspace) -> None:
    lead = (
        await workspace.client.post(
            "/api/leads", json={"first_name": "Zebulon", "company": "Quiet Co"}, headers=workspace.auth
        )
    ).json()["data"]
    [item] = await listed(workspace, q="zebulon")
    assert (item["id"], item["match"]) == (lead["id"], None)


async def test_filters_combine(workspace: Workspace) -> None:
    mate = await workspace.add_member("setter")
    mine = await email_from(workspace, "Interested, let's talk pricing")
    theirs = await email_from(workspace, "Interested, pricing please")
    # Never drafted, whenever the session's worker gets to it: the opt-out fast path tags it Not Interested.
    texted = await sms_from(
        workspace, "Thanks, but we are not interested at this time, whatever the pricing."
    )
    owner_id = workspace.owner["id"]
    for lead, user in ((mine, owner_id), (theirs, mate["user"]["id"])):
        patched = await workspace.client.patch(
            f"/api/leads/{lead['lead_id']}", json={"assigned_to": user}, headers=workspace.auth
        )
        assert patched.status_code == 200, patched.text

    def ids(items: list[dict[str, Any]]) -> set[str]:
        return {item["id"] for item in items}

    assert ids(await listed(workspace, assigned="me")) == {mine["lead_id"]}
    assert ids(await listed(workspace, assigned=mate["user"]["id"])) == {theirs["lead_id"]}
    assert ids(await listed(workspace, assigned="none")) == {texted["lead_id"]}
    assert ids(await listed(workspace, channel="sms")) == {texted["lead_id"]}
    assert ids(await listed(workspace, channel="email", assigned="me", q="pricing")) == {mine["lead_id"]}
    assert ids(await listed(workspace, has_draft="false", channel="sms", q="pricing")) == {texted["lead_id"]}


async def test_has_draft(workspace: Workspace, worker: RunningWorker) -> None:
    drafted = await email_from(workspace, "Interested! Can we book a call Tuesday?")
    undrafted = await sms_from(workspace, "Thanks, but we are not interested at this time.")
    await drain(worker)
    assert {item["id"] for item in await listed(workspace, has_draft="true")} == {drafted["lead_id"]}
    assert {item["id"] for item in await listed(workspace, has_draft="false")} == {undrafted["lead_id"]}


async def test_bad_filters_are_400_and_another_workspaces_user_is_refused(workspace: Workspace) -> None:
    other = await make_workspace(workspace.client, "Other Co")
    for params, code in (
        ({"assigned": other.owner["id"]}, "invalid_assignee"),
        ({"assigned": "somebody"}, "invalid_assignee"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"sentiment": "Sleepy"}, "invalid_sentiment_tag"),
        ({"q": "x" * 201}, "invalid_input"),
    ):
        answer = await workspace.client.get("/api/leads", params=params, headers=workspace.auth)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code), params


async def test_search_never_reaches_another_workspace(workspace: Workspace) -> None:
    other = await make_workspace(workspace.client, "Other Co")
    await email_from(other, "Our secret project Bluebird needs pricing")
    assert await listed(workspace, q="bluebird") == []
