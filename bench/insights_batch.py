"""Booked-conversation insights benchmark: wall time and model calls per lead for a batch of booked leads.

    .venv/bin/python -m bench.insights_batch                 # 200 leads × 40 messages, plus 10 × 500
    .venv/bin/python -m bench.insights_batch --leads 50 --long-leads 0

Every scenario runs the same in-process extraction the `setterdesk backfill-insights` command runs (a few
leads at once), first with the offline provider, then with the official SDK against a fake OpenAI server
that answers at once (tests/fakes/fake_openai.py, in a thread of this process). It uses a database of its own
(setterdesk_bench_insights, dropped and migrated at start) and the Redis of REDIS_URL for the per-lead locks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bench.database import prepare
from bench.report import fmt, table
from server.ai.providers.select import reset_provider_cache
from server.core.db.engine import dispose_engine, session_factory
from server.core.db.models import Lead, Message, Workspace
from server.core.logging import configure_logging
from server.core.settings import async_database_url, reset_settings_cache
from server.insights.booked_summaries import backfill_insights
from tests.fakes.fake_openai import FakeOpenAIServer

DB_NAME = "setterdesk_bench_insights"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LINES = (
    ("provider", "Hi {name}, saw {company} is growing. Worth a quick chat about booking more meetings?"),
    ("lead", "Maybe. What does it cost? We don't have much budget this quarter."),
    ("setter", "Fair question. Pricing depends on volume. Would a short call on Thursday at 2pm work?"),
    ("lead", "I need to check with my manager first, we already use another agency."),
    ("setter", "Makes sense. Happy to include your manager; I can send two case studies before the call."),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    workspace_id: uuid.UUID
    leads: int
    messages: int


async def seed(leads: int, messages: int) -> Scenario:
    async with session_factory()() as session:
        workspace = Workspace(name=f"bench {leads}x{messages}", webhook_secret=uuid.uuid4().hex)
        session.add(workspace)
        await session.flush()
        lead_rows: list[dict[str, Any]] = []
        message_rows: list[dict[str, Any]] = []
        for n in range(leads):
            lead_id = uuid.uuid4()
            name, company = f"Lead{n}", f"Company {n}"
            lead_rows.append(
                {
                    "id": lead_id,
                    "workspace_id": workspace.id,
                    "first_name": name,
                    "company": company,
                    "sentiment_tag": "Meeting Booked",
                    "status": "meeting-booked",
                    "channels": ["email"],
                    "activity_at": START,
                    "appointment_booked_at": START + timedelta(days=10),
                }
            )
            for i in range(messages - 1):
                sent_by, text = LINES[i % len(LINES)]
                body = f"{text.format(name=name, company=company)} (message {i})"
                message_rows.append(_message(workspace.id, lead_id, sent_by, body, i))
            message_rows.append(
                _message(workspace.id, lead_id, "lead", "Thursday works, booked it.", messages)
            )
        await session.execute(insert(Lead), lead_rows)
        for start in range(0, len(message_rows), 5_000):
            await session.execute(insert(Message), message_rows[start : start + 5_000])
        await session.commit()
        return Scenario(f"{leads} leads × {messages} messages", workspace.id, leads, messages)


def _message(workspace_id: uuid.UUID, lead_id: uuid.UUID, sent_by: str, body: str, i: int) -> dict[str, Any]:
    at = START + timedelta(hours=i)
    return {
        "id": uuid.uuid4(),
        "workspace_id": workspace_id,
        "lead_id": lead_id,
        "channel": "email",
        "direction": "inbound" if sent_by == "lead" else "outbound",
        "sent_by": sent_by,
        "subject": "Re: more meetings",
        "body": body,
        "to": [],
        "cc": [],
        "bcc": [],
        "sent_at": at,
        "dedupe_key": uuid.uuid4().hex,
        "post_processed_at": at,
    }


async def forget_insights() -> None:
    async with session_factory()() as session:
        await session.execute(text("TRUNCATE insights, insight_failures, events"))
        await session.commit()


def use_provider(base_url: str | None) -> None:

    if base_url:
        os.environ.update(LLM_PROVIDER="openai", OPENAI_API_KEY="bench-key", OPENAI_BASE_URL=base_url)
    else:
        os.environ["LLM_PROVIDER"] = "offline"
        os.environ.pop("OPENAI_API_KEY", None)
    reset_settings_cache()
    reset_provider_cache()


async def measure(scenario: Scenario, provider: str, fake: FakeOpenAIServer | None) -> list[str]:

    await forget_insights()
    requests_before = fake.request_count if fake else 0
    started = time.perf_counter()
    summary = await backfill_insights(workspace_id=scenario.workspace_id)
    wall = time.perf_counter() - started
    http_requests = (fake.request_count - requests_before) if fake else None
    done = max(1, summary.done)
    return [
        scenario.name,
        provider,
        f"{summary.done}/{summary.total}",
        str(summary.failed),
        fmt(wall, 2),
        fmt(summary.done / wall if wall else None),
        fmt(wall * 1000 / done),
        fmt(summary.model_calls / done, 2),
        fmt(http_requests / done, 2) if http_requests is not None else "–",
    ]


async def run(options: argparse.Namespace) -> str:

    scenarios = [await seed(options.leads, options.messages)]
    if options.long_leads:
        scenarios.append(await seed(options.long_leads, options.long_messages))
    rows: list[list[str]] = []
    use_provider(None)
    for scenario in scenarios:
        rows.append(await measure(scenario, "offline", None))
    try:
        with FakeOpenAIServer(keep_requests=False) as fake:
            use_provider(fake.base_url)
            for scenario in scenarios:
                rows.append(await measure(scenario, "fake OpenAI (HTTP)", fake))
    finally:
        await dispose_engine()
    header = [
        "scenario",
        "provider",
        "done",
        "failed",
        "wall s",
        "leads/s",
        "ms/lead",
        "calls/lead",
        "HTTP/lead",
    ]
    return table("Booked-conversation insights, in-process backfill (4 leads at once)", header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights_batch")
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--long-leads", type=int, default=10, help="a second batch of long threads (0: none)")
    parser.add_argument("--long-messages", type=int, default=500)
    options = parser.parse_args()

    configure_logging("WARNING", json=False)
    url = async_database_url(asyncio.run(prepare(DB_NAME)))
    os.environ["DATABASE_URL"] = url
    use_provider(None)
    print(asyncio.run(run(options)))


if __name__ == "__main__":
    main()
