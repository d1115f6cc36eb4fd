"""Issue 15: one time budget per draft. The optional steps (verifier, meeting overseer) give way to it, a
draft that generation produced is never thrown away for a slow optional step, and a draft the database
refuses ends in the recorded failure path (draft_failures + draft.failed), never a silent retry."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.settings import reset_settings_cache
from server.drafts import generation as draft_generation
from server.drafts import writer as draft_writer
from server.drafts.writer import WrittenDraft
from tests.conftest import Workspace


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_budget(seconds: float) -> None:
        monkeypatch.setenv("MANUAL_DRAFT_TIMEOUT_S", str(seconds))
        monkeypatch.setenv("MEETING_OVERSEER_ENABLED", "true")
        reset_settings_cache()

    yield set_budget
    monkeypatch.undo()
    reset_settings_cache()


async def interested_lead(client: AsyncTestClient[Any], ws: Workspace) -> uuid.UUID:
    lead = (await client.post("/api/leads", json={"first_name": "Budget"}, headers=ws.auth)).json()["data"]
    return uuid.UUID(lead["id"])


async def test_a_slow_overseer_never_costs_the_draft(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch, budget: Any
) -> None:
    lead_id = await interested_lead(client, workspace)
    started: list[float] = []

    async def slow_overseer(*_: Any, **__: Any) -> str:
        started.append(time.monotonic())
        await asyncio.sleep(60)
        return "never"

    monkeypatch.setattr(draft_writer, "oversee", slow_overseer)
    budget(6)
    began = time.monotonic()
    [outcome] = await draft_generation.generate_for_channels(lead_id, ["sms"], source="on_demand")
    assert outcome.status == "created", outcome
    assert started, "the overseer had time to start"
    assert time.monotonic() - began < 7  # cut at the budget, the draft kept
    drafts = (await client.get(f"/api/leads/{lead_id}/drafts", headers=workspace.auth)).json()["data"]
    assert [d["channel"] for d in drafts] == ["sms"] and drafts[0]["content"] != "never"


async def test_an_optional_step_does_not_start_without_enough_budget_left(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch, budget: Any
) -> None:
    lead_id = await interested_lead(client, workspace)
    calls: list[str] = []

    async def overseer(*_: Any, **__: Any) -> str:
        calls.append("overseer")
        return "revised"

    monkeypatch.setattr(draft_writer, "oversee", overseer)
    budget(draft_writer.MIN_OPTIONAL_STEP_S - 1)
    [outcome] = await draft_generation.generate_for_channels(lead_id, ["linkedin"], source="on_demand")
    assert outcome.status == "created" and calls == []


async def test_a_draft_the_database_refuses_is_a_recorded_failure(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead_id = await interested_lead(client, workspace)

    async def unstorable(*_: Any, **__: Any) -> WrittenDraft:
        # Something the cleaning missed: PostgreSQL refuses a NUL in text.
        return WrittenDraft(content="Hi\x00 there", subject=None, model="m", provider="offline")

    monkeypatch.setattr(draft_generation, "write_draft", unstorable)
    [outcome] = await draft_generation.generate_for_channels(lead_id, ["email"], source="on_demand")
    assert (outcome.status, outcome.reason) == ("failed", "the draft could not be stored")
    lead = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]["lead"]
    assert [(f["channel"], f["reason"]) for f in lead["draft_failures"]] == [
        ("email", "the draft could not be stored")
    ]
