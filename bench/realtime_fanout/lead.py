"""The lead every socket watches: its workspace (signed up), the PATCHes that commit its events, and the ids
of those events in the log."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import aiohttp
import asyncpg

from bench.signup import signup

LEAD_EVENT = "lead.updated"


@dataclass(frozen=True)
class Account:
    base: str
    token: str
    workspace_id: str
    lead_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_account(base: str) -> Account:
    async with aiohttp.ClientSession() as http:
        data = await signup(http, base, "Bench realtime")
        token = data["token"]
        lead = {"first_name": "Fan", "last_name": "Out", "company": "Bench Co"}
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(f"{base}/api/leads", json=lead, headers=headers) as response:
            payload = await response.json()
            if response.status != 201:
                raise RuntimeError(f"POST /api/leads answered {response.status}: {payload}")
    return Account(base, token, data["workspace"]["id"], payload["data"]["id"])


@dataclass(frozen=True)
class Commit:
    sent: float
    answered: float
    status: int | None


async def make_commits(account: Account, count: int, rate: float, label: str) -> list[Commit]:
    """`count` PATCHes one after the other, started on a fixed schedule of `rate` per second."""
    url = f"{account.base}/api/leads/{account.lead_id}"
    commits: list[Commit] = []
    async with aiohttp.ClientSession(
        headers=account.headers, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.time()
            status: int | None
            try:
                async with http.patch(url, json={"company": f"Bench Co {label} #{i}"}) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = None
            commits.append(Commit(sent, time.time(), status))
    return commits


async def lead_event_ids(conn: asyncpg.Connection, lead_id: str, after_id: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM events WHERE lead_id = $1 AND type = $2 AND id > $3 ORDER BY id",
        uuid.UUID(lead_id),
        LEAD_EVENT,
        after_id,
    )
    return [row["id"] for row in rows]


async def latest_lead_event(conn: asyncpg.Connection, lead_id: str) -> int:
    value = await conn.fetchval("SELECT max(id) FROM events WHERE lead_id = $1", uuid.UUID(lead_id))
    return int(value or 0)
