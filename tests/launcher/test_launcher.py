"""`setterdesk run` on a machine with nothing configured: embedded services, demo data, live drafts, sends
through the local provider simulator, and nothing left running after Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from server.demo.seed import DEMO_LOGINS
from server.demo.simulate import email_body
from server.launcher.cli import secret_key
from tests.helpers import outcome_when_processed
from tests.processes import free_port, wait_http

pytestmark = pytest.mark.slow


def running_processes_mentioning(text: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if text in line and "ps -eo" not in line]


def test_the_secret_key_is_created_once_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SETTERDESK_SECRET_KEY", raising=False)
    key, created = secret_key(tmp_path / "data")
    assert created and Fernet(key.encode())
    assert stat.S_IMODE((tmp_path / "data" / "secret.key").stat().st_mode) == 0o600
    assert secret_key(tmp_path / "data") == (key, False)
    monkeypatch.setenv("SETTERDESK_SECRET_KEY", "configured elsewhere")
    assert secret_key(tmp_path / "data") == ("configured elsewhere", False)


def approve_and_wait_for_echo(http: httpx.Client, auth: dict[str, str], leads: list[dict[str, Any]]) -> None:
    """Approve one pending draft per channel: each goes through the simulator, is `sent`, and the provider's
    echo webhook lands on that very message."""
    approved: dict[str, dict[str, Any]] = {}
    for lead in leads:
        for channel in lead["pending_draft_channels"]:
            if channel not in approved:
                params = {"status": "pending", "channel": channel}
                draft = http.get(f"/api/leads/{lead['id']}/drafts", params=params, headers=auth).json()[
                    "data"
                ][0]
                answer = http.post(f"/api/drafts/{draft['id']}/approve", json={}, headers=auth).json()
                approved[channel] = answer["data"]["message"]
    assert approved
    deadline = time.monotonic() + 60
    waiting = dict(approved)
    while waiting and time.monotonic() < deadline:
        for channel, message in list(waiting.items()):
            messages = http.get(f"/api/leads/{message['lead_id']}", headers=auth).json()["data"]["messages"]
            delivery = next(m for m in messages if m["id"] == message["id"])["delivery"]
            events = http.get("/api/webhook-events", params={"channel": channel}, headers=auth).json()["data"]
            echoed = any((e["result"] or {}).get("message_id") == message["id"] for e in events["items"])
            if delivery["status"] == "sent" and echoed:
                del waiting[channel]
        time.sleep(0.3)
    assert not waiting, {channel: message["id"] for channel, message in waiting.items()}


def test_run_from_empty_data_dir_serves_demo_makes_drafts_and_stops_clean(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    unset = {"DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "SETTERDESK_SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        # Point the local defaults at closed ports, as on a fresh machine with no services.
        SETTERDESK_LOCAL_DATABASE_URL="postgresql://postgres@127.0.0.1:1/setterdesk",
        SETTERDESK_LOCAL_REDIS_URL="redis://127.0.0.1:1/0",
        DRAMATIQ_NAMESPACE="setterdesk-launcher-test",
        LLM_PROVIDER="offline",
    )
    launcher = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "setterdesk"),
            "run",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        owner = DEMO_LOGINS[0]
        login = http.post("/api/auth/login", json={"email": owner.email, "password": owner.password}).json()[
            "data"
        ]
        auth = {"Authorization": f"Bearer {login['token']}"}
        leads = http.get("/api/leads", params={"limit": 100}, headers=auth).json()["data"]["items"]
        assert len(leads) == 30
        assert {lead["sentiment_tag"] for lead in leads} >= {"Interested", "Meeting Booked", "Not Interested"}
        assert any(lead["pending_draft_channels"] for lead in leads)
        assert sum(1 for lead in leads if lead["appointment_booked_at"]) >= 3

        lead = {"first_name": "Nina", "last_name": "Live", "email": "nina.live@prospect.example"}
        hook = http.post(
            "/api/webhooks/email",
            params={"workspace": login["workspace"]["id"]},
            json=email_body(lead, "Interested! Can we book a call for Thursday?"),
            headers={"X-Webhook-Secret": login["workspace"]["webhook_secret"]},
        )
        stored = outcome_when_processed(
            lambda path: http.get(path, headers=auth).json()["data"], hook.json()["data"], timeout_s=60
        )
        lead_id = stored["lead_id"]
        deadline = time.monotonic() + 60
        drafts: list[Any] = []
        while not drafts and time.monotonic() < deadline:
            drafts = http.get(f"/api/leads/{lead_id}/drafts?status=pending", headers=auth).json()["data"]
            time.sleep(0.3)
        assert drafts and drafts[0]["provider"] == "offline"

        integrations = http.get("/api/integrations", headers=auth).json()["data"]
        assert all(
            item["connected"] and item["base_url"].startswith("http://127.0.0.1:") for item in integrations
        )
        approve_and_wait_for_echo(http, auth, leads)
    finally:
        launcher.send_signal(signal.SIGINT)
        output = launcher.communicate(timeout=90)[0].decode(errors="replace")
    assert launcher.returncode == 0, output[-3000:]
    assert "started embedded postgres" in output and "started embedded redis" in output
    assert "demo-owner-pass" in output  # the printed logins
    assert "sends go to the local provider simulator" in output
    assert (data_dir / "secret.key").exists()
    time.sleep(1)
    assert running_processes_mentioning(str(data_dir)) == []
    assert running_processes_mentioning(f"--port {port}") == []
    redis_url = output.split("started embedded redis on ", 1)[1].split()[0]
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", redis_port), timeout=1).close()
