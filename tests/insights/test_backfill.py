"""`setterdesk backfill-insights`: every booked lead lacking a current insight, in-process, with a progress
bar on stderr and a summary at the end (done, skipped, failed)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

from server.core.db.engine import session_factory
from server.core.db.models import Workspace
from server.insights.booked_summaries import backfill_insights
from server.launcher.progress import ProgressBar
from tests.fakes.fake_openai import FakeOpenAIServer, FakeReply, RecordedRequest
from tests.insights.insight_threads import BOOKED_THREAD, booked_lead, stored_failure, stored_insight

ROOT = Path(__file__).resolve().parents[2]


async def new_workspace() -> uuid.UUID:
    async with session_factory()() as session:
        workspace = Workspace(name="backfill", webhook_secret=uuid.uuid4().hex)
        session.add(workspace)
        await session.commit()
        return workspace.id


def test_the_progress_bar_redraws_one_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(width=10, stream=out)

    bar(0, 4)
    bar(1, 4)
    bar(4, 4)
    bar.close()

    assert out.getvalue() == "\r[..........] 0/4\r[##........] 1/4\r[##########] 4/4\n"


async def test_backfill_reports_progress_and_skips_what_is_current() -> None:
    workspace_id = await new_workspace()
    leads = [await booked_lead(workspace_id, BOOKED_THREAD) for _ in range(3)]
    progress: list[tuple[int, int]] = []

    first = await backfill_insights(
        workspace_id=workspace_id, on_progress=lambda d, t: progress.append((d, t))
    )
    again = await backfill_insights(workspace_id=workspace_id)

    assert (first.total, first.done, first.skipped, first.failed, first.model_calls) == (3, 3, 0, 0, 3)
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert all([await stored_insight(lead) for lead in leads])
    assert (again.total, again.done) == (0, 0)


async def test_the_command_line_prints_a_bar_and_a_summary(fake_openai: FakeOpenAIServer) -> None:
    workspace_id = await new_workspace()
    leads = [await booked_lead(workspace_id, BOOKED_THREAD, first_name=f"Ok{i}") for i in range(2)]
    broken = await booked_lead(workspace_id, BOOKED_THREAD, first_name="Broken")

    def answer(request: RecordedRequest) -> FakeReply:
        return FakeReply.error(400) if "Name: Broken " in str(request.input) else FakeReply()

    fake_openai.script(*[answer] * 10)
    env = os.environ | {
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test-backfill",
        "OPENAI_BASE_URL": fake_openai.base_url,
    }

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.launcher.cli", "backfill-insights", "--workspace", str(workspace_id)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )

    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 1, stderr[-2000:]  # one lead failed
    assert "\r[" + "." * 30 + "] 0/3" in stderr and "\r[" + "#" * 30 + "] 3/3\n" in stderr
    assert "backfill-insights: 3 leads: 2 done, 0 skipped, 1 failed (bad_request: 1)" in stdout
    assert f"failed: lead {broken}: bad_request" in stdout
    assert "sk-test-backfill" not in stdout + stderr
    assert all([await stored_insight(lead) for lead in leads])
    failure = await stored_failure(broken)
    assert failure is not None and failure.category == "bad_request"
