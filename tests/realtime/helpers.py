"""Helpers for the real-time tests: a workspace over real HTTP, a websocket client with timeouts on every
read, the event log as the database holds it, and the hub's Redis subscriptions of our own web processes."""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil
import redis
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from server.core.db.engine import session_factory
from server.core.db.models import Event
from server.core.event_schemas import decode_event
from server.core.settings import get_settings
from tests.helpers import email_reply, outcome_of

RECV_TIMEOUT_S = 8.0


# --- HTTP ----------------------------------------------------------------------------------------------
def as_broadcast(lead: dict[str, Any]) -> dict[str, Any]:
    """A lead as events carry it: `unread_count` is each user's own, so every teammate's event says null."""
    return {**lead, "unread_count": None}


@dataclass
class Tenant:
    """A fresh workspace (signed up over HTTP) and its owner."""

    http: httpx.AsyncClient
    id: str
    secret: str
    token: str
    user: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def on(self, base_url: str) -> Tenant:
        """The same user talking to another web process (close `.http` after use)."""
        http = httpx.AsyncClient(base_url=base_url, timeout=15)
        return Tenant(http, self.id, self.secret, self.token, self.user)

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, headers=self.auth, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json()["data"]

    async def create_lead(self, **fields: Any) -> dict[str, Any]:
        fields.setdefault("first_name", "Dana")
        fields.setdefault("email", f"lead-{uuid.uuid4().hex[:10]}@prospect.io")
        lead: dict[str, Any] = await self.call("POST", "/api/leads", 201, json=fields)
        return lead

    async def lead(self, lead_id: str) -> dict[str, Any]:
        detail: dict[str, Any] = await self.call("GET", f"/api/leads/{lead_id}")
        return detail

    async def patch_lead(self, lead_id: str, **fields: Any) -> dict[str, Any]:
        lead: dict[str, Any] = await self.call("PATCH", f"/api/leads/{lead_id}", json=fields)
        return lead

    async def webhook(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"/api/webhooks/{channel}",
            params={"workspace": self.id},
            json=body,
            headers={"X-Webhook-Secret": self.secret},
        )
        assert response.status_code == 200, response.text
        return await self.outcome(response.json()["data"])

    async def outcome(self, answer: dict[str, Any], timeout_s: float = 30.0) -> dict[str, Any]:
        """What an answered delivery came to, once the stack's worker processed it."""
        path = f"/api/webhook-events/{answer['webhook_event_id']}"
        deadline = time.monotonic() + timeout_s
        while (event := await self.call("GET", path))["status"] == "received":
            assert time.monotonic() < deadline, f"{path} still waits for a worker"
            await asyncio.sleep(0.05)
        return outcome_of(event)

    async def add_member(self, name: str) -> Tenant:
        data = await self.call(
            "POST",
            "/api/workspace/members",
            201,
            json={
                "name": name,
                "email": f"member-{uuid.uuid4().hex[:10]}@example.com",
                "password": "correct horse",
                "role": "setter",
            },
        )
        return Tenant(self.http, self.id, self.secret, data["token"], data["user"])


async def signup(http: httpx.AsyncClient, name: str = "Olive Owner") -> Tenant:
    response = await http.post(
        "/api/signup",
        json={
            "workspace_name": f"RT {uuid.uuid4().hex[:6]}",
            "name": name,
            "email": f"owner-{uuid.uuid4().hex[:12]}@example.com",
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return Tenant(
        http, data["workspace"]["id"], data["workspace"]["webhook_secret"], data["token"], data["user"]
    )


def interested_email(
    lead_email: str, text: str = "Sounds interesting, can we set up a call next week?"
) -> dict[str, Any]:
    """An EmailBison LEAD_REPLIED from `lead_email`, with fresh provider ids."""
    return email_reply(lead_email, text)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0, every: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        if result := await check():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(every)


async def pending_drafts(tenant: Tenant, lead_id: str) -> list[dict[str, Any]]:
    drafts: list[dict[str, Any]] = await tenant.call(
        "GET", f"/api/leads/{lead_id}/drafts", params={"status": "pending"}
    )
    return drafts


async def lead_with_pending_draft(tenant: Tenant) -> tuple[str, dict[str, Any]]:
    """A lead whose interested email reply the worker has classified and drafted."""
    lead = await tenant.create_lead()
    await tenant.webhook("email", interested_email(lead["email"]))
    # The draft commits in the same transaction as its events, the last ones of this pipeline.
    [draft] = await eventually(lambda: pending_drafts(tenant, lead["id"]), every=0.05)
    return lead["id"], draft


# --- the event log ---------------------------------------------------------------------------------------
async def db_event_ids(workspace_id: str, lead_id: str | None = None, after: int = 0) -> list[int]:
    """Ids of the events the server committed (lead_id None: the whole workspace), in id order."""
    query = select(Event.id).where(Event.workspace_id == uuid.UUID(workspace_id), Event.id > after)
    if lead_id is not None:
        query = query.where(Event.lead_id == uuid.UUID(lead_id))
    async with session_factory()() as session:
        return list((await session.scalars(query.order_by(Event.id))).all())


async def settled(workspace_id: str, lead_id: str | None = None, quiet_s: float = 0.2) -> int:
    """Wait until no new event has been committed for `quiet_s`; returns the last id."""
    last = -1
    stable_since = time.monotonic()
    deadline = stable_since + 20
    while time.monotonic() < deadline:
        ids = await db_event_ids(workspace_id, lead_id)
        current = ids[-1] if ids else 0
        if current != last:
            last, stable_since = current, time.monotonic()
        elif time.monotonic() - stable_since >= quiet_s:
            return last
        await asyncio.sleep(0.05)
    raise TimeoutError("events kept coming")


# --- websocket client ---------------------------------------------------------------------------------
@dataclass
class WsClient:
    """A /ws connection. Frames read while waiting for something else are kept, in order, in `backlog`."""

    ws: ClientConnection
    backlog: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def open(cls, ws_url: str, token: str, **kwargs: Any) -> WsClient:
        return await cls.open_url(f"{ws_url}/ws?token={token}", **kwargs)

    @classmethod
    async def open_url(cls, url: str, **kwargs: Any) -> WsClient:
        kwargs.setdefault("open_timeout", 10)
        kwargs.setdefault("close_timeout", 2)
        return cls(await connect(url, **kwargs))

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    async def recv(self, timeout: float = RECV_TIMEOUT_S) -> dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: dict[str, Any] = json.loads(raw)
        return frame

    async def recv_until(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = RECV_TIMEOUT_S
    ) -> dict[str, Any]:
        """The first frame that matches; frames before it stay in the backlog."""
        kept: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                frame = await self.recv(max(0.01, deadline - time.monotonic()))
                if match(frame):
                    return frame
                kept.append(frame)
        finally:
            self.backlog[:0] = kept

    async def subscribe(self, lead_id: str, last_event_id: int | None = None) -> int:
        """Subscribe to a lead; returns the ack's last_event_id."""
        await self.send({"type": "subscribe", "lead_id": lead_id, "last_event_id": last_event_id})
        ack = await self.recv_until(lambda f: f["type"] in ("subscribed", "error"))
        assert ack["type"] == "subscribed" and ack["lead_id"] == lead_id, ack
        return int(ack["last_event_id"])

    async def subscribe_inbox(self, last_event_id: int | None = None) -> int:
        await self.send({"type": "subscribe_inbox", "last_event_id": last_event_id})
        ack = await self.recv_until(lambda f: f["type"] in ("subscribed", "error"))
        assert ack["type"] == "subscribed" and ack.get("inbox") is True, ack
        return int(ack["last_event_id"])

    async def events(
        self,
        *,
        until: Callable[[list[dict[str, Any]]], bool] | None = None,
        quiet_s: float = 0.5,
        timeout: float = 15.0,
        presence: bool = False,
    ) -> list[dict[str, Any]]:
        """Events (validated against their schema) until `until(events)` holds and then nothing came for
        `quiet_s`; other frames are dropped, presence events too unless `presence`."""
        collected: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            done = until is None or until(collected)
            left = deadline - time.monotonic()
            if left <= 0:
                if done:
                    return collected
                raise TimeoutError(f"still waiting after {timeout}s; got {[e['type'] for e in collected]}")
            try:
                frame = await self.recv(min(quiet_s, left) if done else min(1.0, left))
            except TimeoutError:
                if done:
                    return collected
                continue
            if frame["type"] != "event":
                continue
            event = frame["event"]
            decode_event(event)  # raises when the event breaks its schema
            if event["type"] == "presence.changed" and not presence:
                continue
            collected.append(event)

    async def nothing_for(self, seconds: float) -> list[dict[str, Any]]:
        """Every frame that arrives within `seconds` (the caller usually expects none)."""
        frames = list(self.backlog)
        self.backlog.clear()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                frames.append(json.loads(await asyncio.wait_for(self.ws.recv(), left)))
            except TimeoutError:
                break
        return frames

    async def close(self) -> None:
        await self.ws.close()


def ids_of(events: list[dict[str, Any]]) -> list[int]:
    return [e["id"] for e in events if e["id"] is not None]


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


# --- the hub's Redis subscriptions ------------------------------------------------------------------------
@functools.cache
def sync_redis() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url)


def _redis_addrs(pid: int) -> set[str]:
    """Local addresses of the process's TCP connections to Redis, as CLIENT LIST shows them."""
    port = urlsplit(get_settings().redis_url).port or 6379
    return {
        f"{c.laddr.ip}:{c.laddr.port}"
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port
    }


def hub_subscriptions(pid: int) -> list[dict[str, Any]]:
    """CLIENT LIST entries of the process's pubsub connections that hold the hub's two patterns."""
    addrs = _redis_addrs(pid)
    clients: list[dict[str, Any]] = sync_redis().client_list(_type="pubsub")
    return [c for c in clients if c["addr"] in addrs and int(c.get("psub", 0)) == 2]


def kill_hub_subscriptions(pids: list[int]) -> list[str]:
    """`CLIENT KILL TYPE pubsub`, restricted to these processes' connections (others' hubs stay up)."""
    killed = []
    client = sync_redis()
    for pid in pids:
        for entry in hub_subscriptions(pid):
            if client.client_kill_filter(_type="pubsub", addr=entry["addr"]):
                killed.append(entry["id"])
    return killed


async def wait_hubs_subscribed(
    pids: list[int], exclude_ids: list[str] | None = None, timeout: float = 10.0
) -> None:
    """Until each process holds a pattern subscription on Redis (other than the killed `exclude_ids`)."""
    gone = set(exclude_ids or [])

    async def ready() -> bool:
        for pid in pids:
            entries = await asyncio.to_thread(hub_subscriptions, pid)
            if not [e for e in entries if e["id"] not in gone]:
                return False
        return True

    await eventually(ready, timeout=timeout, every=0.1)
