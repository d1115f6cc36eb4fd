"""Invariant 9 (docs/ARCHITECTURE.md) with the project's real logging config: no secret and no message
content in logs.

The check runs in a child process so that configure_logging() (global, once per process) does not change
the logging of the other tests. The child talks to the fake OpenAI server like a worker would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk-test-DO-NOT-LOG-4242"
LEAD_TEXT = "Zebra-Quartz pricing for our warehouse please, and call me Thursday"

CHILD = textwrap.dedent(
    f"""
    import asyncio
    from datetime import UTC, datetime

    from server.leads.classification import classify_sentiment
    from server.drafts.writer import write_draft
    from server.ai.transcript import LeadContext, TranscriptMessage
    from server.core.logging import configure_logging

    configure_logging("INFO", json=True)
    message = TranscriptMessage(
        channel="email", direction="inbound", sent_by="lead",
        sent_at=datetime(2026, 2, 5, tzinfo=UTC), subject="Re: Zebra-Quartz", body={LEAD_TEXT!r},
    )
    lead = LeadContext(first_name="Dana", company="Zebra-Quartz Storage")

    async def main():
        await classify_sentiment([message], lead, message)
        await write_draft("email", [message], lead)

    asyncio.run(main())
    """
)


def test_logs_hold_categories_and_sizes_but_no_key_and_no_content(fake_openai: FakeOpenAIServer) -> None:
    def answer(request: RecordedRequest) -> FakeReply:
        if request.format_name == "meeting_overseer":
            return FakeReply.error(401)  # a failing gate: logged as a warning, never fatal
        if request.format_name == "email_draft":
            return FakeReply.completed({"subject": "Re: Zebra-Quartz", "body": "Hi Dana, Zebra-Quartz call?"})
        return FakeReply()

    fake_openai.script(*[answer] * 20)
    env = os.environ | {
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": SECRET_KEY,
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_MAX_ATTEMPTS": "2",
        "OPENAI_BACKOFF_BASE_S": "0.001",
    }

    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout + done.stderr
    assert SECRET_KEY not in output
    assert "Zebra" not in output
    assert "pricing" not in output
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    attempts = [e for e in events if e["event"] == "model_attempt"]
    assert {e["task"] for e in attempts} >= {"sentiment_classification", "email_draft", "meeting_overseer"}
    assert all(e["provider"] == "openai" and isinstance(e["duration_ms"], int) for e in attempts)
    [gate] = [e for e in events if e["event"] == "meeting_overseer_failed"]
    assert (gate["level"], gate["error_type"], gate["category"]) == ("warning", "PromptFailed", "auth")
    assert all(r.authorization == f"Bearer {SECRET_KEY}" for r in fake_openai.requests)
