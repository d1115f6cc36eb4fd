"""Manual-sentiment generation: at most 2 channels at once, a time limit per channel, failures recorded."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.settings import reset_settings_cache
from server.drafts import generation as draft_generation
from server.drafts.writer import WrittenDraft
from tests.conftest import Workspace


async def lead_with_three_channels(client: AsyncTestClient[Any], ws: Workspace) -> str:
    lead = (await client.post("/api/leads", json={"first_name": "Tri"}, headers=ws.auth)).json()["data"]
    await client.patch(
        f"/api/leads/{lead['id']}/sentiment", json={"sentiment_tag": "Interested"}, headers=ws.auth
    )
    return str(lead["id"])


async def test_at_most_two_channels_at_once_and_a_time_limit_each(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = await lead_with_three_channels(client, workspace)
    running = 0
    peak = 0

    async def slow_writer(channel: str, *_: Any, **__: Any) -> WrittenDraft:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(5 if channel == "linkedin" else 0.2)
        finally:
            running -= 1
        return WrittenDraft(content=f"draft for {channel}", subject=None, model="m", provider="offline")

    monkeypatch.setattr(draft_generation, "write_draft", slow_writer)
    monkeypatch.setenv("MANUAL_DRAFT_TIMEOUT_S", "1")
    reset_settings_cache()
    try:
        outcomes = await draft_generation.generate_for_channels(
            uuid.UUID(lead_id), ["email", "sms", "linkedin"], source="on_demand"
        )
    finally:
        monkeypatch.delenv("MANUAL_DRAFT_TIMEOUT_S")
        reset_settings_cache()
    assert peak == 2
    by_channel = {o.channel: o for o in outcomes}
    assert by_channel["email"].status == by_channel["sms"].status == "created"
    assert by_channel["linkedin"].status == "failed" and by_channel["linkedin"].reason == "timed out"
    lead = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]["lead"]
    assert lead["sentiment_tag"] == "Interested"
    assert lead["pending_draft_channels"] == ["email", "sms"]
    assert [f["channel"] for f in lead["draft_failures"]] == ["linkedin"]
