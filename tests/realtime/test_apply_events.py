"""Zulip's check, action by action: the state fetched over REST before, plus the events the action sent
over /ws (each valid against its schema), equals a fresh fetch after. Real web and worker processes."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from server.core.event_schemas import decode_event
from tests.realtime.conftest import OpenWs
from tests.realtime.helpers import (
    Tenant,
    db_event_ids,
    ids_of,
    interested_email,
    lead_with_pending_draft,
    settled,
    types_of,
)

pytestmark = pytest.mark.slow


# --- the client-side model ------------------------------------------------------------------------------
def _message_key(message: dict[str, Any]) -> tuple[datetime, str]:
    return datetime.fromisoformat(message["sent_at"]), message["id"]


def _with_message(messages: list[dict[str, Any]], message: dict[str, Any]) -> list[dict[str, Any]]:
    if any(m["id"] == message["id"] for m in messages):
        return messages
    return sorted([*messages, message], key=_message_key)  # the transcript is oldest first


def apply_event(state: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """The lead page's state (GET /api/leads/{id}) after one event; pure, the input is left alone."""
    state = copy.deepcopy(state)
    kind, data = event["type"], event["data"]
    drafts: list[dict[str, Any]] = state["drafts"]
    if kind == "message.created":
        is_new = all(m["id"] != data["message"]["id"] for m in state["messages"])
        state["messages"] = _with_message(state["messages"], data["message"])
        if is_new and data["message"]["direction"] == "inbound":  # unread for every teammate, this one too
            state["lead"]["unread_count"] += 1
    elif kind == "message.updated":
        state["messages"] = [
            data["message"] if m["id"] == data["message"]["id"] else m for m in state["messages"]
        ]
    elif kind in ("lead.updated", "lead.sentiment_changed"):
        # unread_count is per user: events carry null, the client keeps its own.
        state["lead"] = {**data["lead"], "unread_count": state["lead"]["unread_count"]}
    elif kind == "draft.created":
        if all(d["id"] != data["draft"]["id"] for d in drafts):
            state["drafts"] = sorted([*drafts, data["draft"]], key=lambda d: d["channel"])
    elif kind == "draft.updated":
        state["drafts"] = [data["draft"] if d["id"] == data["draft"]["id"] else d for d in drafts]
    elif kind in ("draft.rejected", "draft.approved", "draft.superseded"):
        state["drafts"] = [d for d in drafts if d["id"] != data["draft"]["id"]]
        if kind == "draft.approved":
            state["messages"] = _with_message(state["messages"], data["message"])
    return state


def comparable(detail: dict[str, Any]) -> dict[str, Any]:
    """What must agree: every lead field, the transcript's message ids in order, the pending drafts."""
    return {
        "lead": detail["lead"],
        "messages": [(m["id"], (m["delivery"] or {}).get("status")) for m in detail["messages"]],
        "drafts": [
            (d["id"], d["channel"], d["content"], d["version"], d["status"]) for d in detail["drafts"]
        ],
    }


def has_all(*expected: str) -> Callable[[list[dict[str, Any]]], bool]:
    """Every expected type, as many times as expected."""
    return lambda events: not Counter(expected) - Counter(types_of(events))


async def check_action(
    open_ws: OpenWs,
    tenant: Tenant,
    lead_id: str,
    action: Callable[[], Awaitable[Any]],
    expected: list[str],
) -> list[dict[str, Any]]:
    """Fetch, subscribe, act, collect, apply, refetch, compare. Returns the events."""
    await settled(tenant.id, lead_id)
    before = await tenant.lead(lead_id)
    client = await open_ws(tenant.token)
    baseline = await client.subscribe(lead_id)
    assert baseline == (await db_event_ids(tenant.id, lead_id))[-1]

    await action()
    events = await client.events(until=has_all(*expected), quiet_s=0.4, timeout=20)

    state = before
    for event in events:
        decode_event(event)
        assert event["workspace_id"] == tenant.id and event["lead_id"] == lead_id
        state = apply_event(state, event)
    after = await tenant.lead(lead_id)
    assert comparable(state) == comparable(after)
    # Exactly the events the action committed for this lead, once each, in commit order.
    assert ids_of(events) == await db_event_ids(tenant.id, lead_id, after=baseline)
    assert types_of(events) == expected
    return events


# --- one test per action ---------------------------------------------------------------------------------
async def test_inbound_reply_processed_by_the_worker(open_ws: OpenWs, tenant: Tenant) -> None:
    lead = await tenant.create_lead()

    async def reply() -> None:
        await tenant.webhook("email", interested_email(lead["email"]))

    events = await check_action(
        open_ws,
        tenant,
        lead["id"],
        reply,
        ["message.created", "lead.updated", "lead.sentiment_changed", "draft.created", "lead.updated"],
    )
    changed = next(e for e in events if e["type"] == "lead.sentiment_changed")
    assert changed["data"]["previous_sentiment_tag"] == "New"
    assert events[-1]["data"]["lead"]["pending_draft_channels"] == ["email"]


async def test_manual_sentiment_change_to_ineligible_rejects_the_draft(
    open_ws: OpenWs, tenant: Tenant
) -> None:
    lead_id, _ = await lead_with_pending_draft(tenant)

    async def not_interested() -> None:
        await tenant.call(
            "PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": "Not Interested"}
        )

    events = await check_action(
        open_ws, tenant, lead_id, not_interested, ["draft.rejected", "lead.sentiment_changed"]
    )
    assert events[-1]["data"]["lead"]["sentiment_tag"] == "Not Interested"


async def test_manual_sentiment_change_to_eligible_drafts_in_the_worker(
    open_ws: OpenWs, tenant: Tenant
) -> None:
    lead_id, draft = await lead_with_pending_draft(tenant)
    await tenant.call("POST", f"/api/drafts/{draft['id']}/reject")
    current = (await tenant.lead(lead_id))["lead"]["sentiment_tag"]
    target = "Information Requested" if current != "Information Requested" else "Interested"

    async def eligible() -> None:
        await tenant.call("PATCH", f"/api/leads/{lead_id}/sentiment", json={"sentiment_tag": target})

    events = await check_action(
        open_ws,
        tenant,
        lead_id,
        eligible,
        ["lead.sentiment_changed", "draft.created", "lead.updated"],
    )
    assert events[1]["data"]["draft"]["source"] == "manual_sentiment"


async def test_draft_edit(open_ws: OpenWs, tenant: Tenant) -> None:
    lead_id, draft = await lead_with_pending_draft(tenant)

    async def edit() -> None:
        await tenant.call(
            "PATCH",
            f"/api/drafts/{draft['id']}",
            json={"content": "Tuesday at 10?", "version": draft["version"]},
        )

    [event] = await check_action(open_ws, tenant, lead_id, edit, ["draft.updated"])
    assert event["data"]["draft"]["content"] == "Tuesday at 10?"
    assert event["data"]["draft"]["version"] == draft["version"] + 1


async def test_draft_reject(open_ws: OpenWs, tenant: Tenant) -> None:
    lead_id, draft = await lead_with_pending_draft(tenant)

    async def reject() -> None:
        await tenant.call("POST", f"/api/drafts/{draft['id']}/reject")

    events = await check_action(open_ws, tenant, lead_id, reject, ["draft.rejected", "lead.updated"])
    assert events[-1]["data"]["lead"]["pending_draft_channels"] == []


async def test_draft_approve(open_ws: OpenWs, tenant: Tenant) -> None:
    lead_id, draft = await lead_with_pending_draft(tenant)

    async def approve() -> None:
        await tenant.call(
            "POST", f"/api/drafts/{draft['id']}/approve", json={"content": "Edited before sending"}
        )

    # Then the send: no provider is connected in this workspace, so the delivery goes sending → not_sent.
    sent = ["message.updated", "message.updated"]
    events = await check_action(
        open_ws, tenant, lead_id, approve, ["message.created", "draft.approved", "lead.updated", *sent]
    )
    approved = events[1]["data"]
    assert approved["draft"]["disposition"] == "EDITED"
    assert approved["message"]["id"] == events[0]["data"]["message"]["id"]
    assert approved["message"]["body"] == "Edited before sending"


async def test_on_demand_regenerate_supersedes(open_ws: OpenWs, tenant: Tenant) -> None:
    lead_id, draft = await lead_with_pending_draft(tenant)

    async def regenerate() -> None:
        await tenant.call("POST", f"/api/leads/{lead_id}/drafts", 202, json={"channel": "email"})

    events = await check_action(
        open_ws,
        tenant,
        lead_id,
        regenerate,
        ["draft.superseded", "draft.created", "lead.updated"],
    )
    superseded, created = events[0]["data"], events[1]["data"]
    assert superseded["draft"]["id"] == draft["id"] and superseded["draft"]["status"] == "superseded"
    assert superseded["superseded_by"] == created["draft"]["id"]
    assert created["draft"]["source"] == "on_demand"


async def test_lead_patch(open_ws: OpenWs, tenant: Tenant) -> None:
    lead = await tenant.create_lead(company="Old Co")

    async def patch() -> None:
        await tenant.patch_lead(lead["id"], company="New Co", title="CTO", last_name="Lee")

    [event] = await check_action(open_ws, tenant, lead["id"], patch, ["lead.updated"])
    assert event["data"]["lead"]["company"] == "New Co"


def test_apply_event_is_pure_and_idempotent() -> None:
    message = {"id": "m1", "sent_at": "2026-01-01T00:00:00+00:00", "direction": "inbound"}
    draft = {"id": "d1", "channel": "email", "content": "x", "version": 1, "status": "pending"}
    state: dict[str, Any] = {"lead": {"unread_count": 0}, "messages": [], "drafts": []}
    created = {"type": "draft.created", "data": {"draft": draft}}
    arrived = {"type": "message.created", "data": {"message": message}}
    once = apply_event(apply_event(state, arrived), created)
    assert state == {"lead": {"unread_count": 0}, "messages": [], "drafts": []}
    assert apply_event(once, created) == once
    assert apply_event(once, arrived) == once  # a repeated message counts once
    approved = {"type": "draft.approved", "data": {"draft": draft, "message": message}}
    assert apply_event(once, approved) == {"lead": {"unread_count": 1}, "messages": [message], "drafts": []}
