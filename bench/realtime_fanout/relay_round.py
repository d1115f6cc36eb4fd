"""The bare relay's round (bare_relay.py): the same clients and counts as the hub's round, with frames
published straight to Redis instead of committed, so the two are measured minutes apart at most."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as aioredis

from bench.realtime_fanout.analysis import analyse
from bench.realtime_fanout.lead import LEAD_EVENT, Account, Commit
from bench.realtime_fanout.options import Options
from bench.realtime_fanout.sockets import Client, close_clients, open_clients, wait_delivered
from bench.report import note
from server.launcher import procfile
from tests.processes import Process, Processes

FIRST_ID = 10**12  # ids of the relay's frames: any increasing numbers do


def start_relay(procs: Processes, env: dict[str, str]) -> Process:
    """The Procfile's web line (same uvicorn flags, same port variable) serving the bare relay instead."""
    argv = [arg for arg in procfile.command("web", env) if arg != "--factory"]
    argv[argv.index("server.app:create_app")] = "bench.realtime_fanout.bare_relay:app"
    return procs.start("bare-relay", argv, env)


async def sample_event(conn: asyncpg.Connection, lead_id: str) -> dict[str, Any]:
    """The lead's latest real lead.updated event, so the relay's frames are as long as the hub's."""
    row = await conn.fetchrow(
        "SELECT workspace_id, data, actor FROM events WHERE lead_id = $1 AND type = $2"
        " ORDER BY id DESC LIMIT 1",
        uuid.UUID(lead_id),
        LEAD_EVENT,
    )
    if row is None:
        raise RuntimeError("no lead.updated event to copy: run a hub round first")
    decode = msgspec.json.decode
    return {
        "type": LEAD_EVENT,
        "workspace_id": str(row["workspace_id"]),
        "lead_id": lead_id,
        "data": decode(row["data"]) if isinstance(row["data"], str) else row["data"],
        "actor": decode(row["actor"]) if isinstance(row["actor"], str) else row["actor"],
    }


async def publish_frames(
    account: Account,
    redis: aioredis.Redis,
    channel: str,
    event: dict[str, Any],
    count: int,
    rate: float,
    first_id: int,
) -> tuple[list[int], list[Commit]]:
    """`count` event frames published on a fixed schedule of `rate` per second, each stamped just before.

    Each follows the same PATCH the hub's round makes (through the committing web process, answered, not
    relayed), so the machine carries the same database and web load while the relay is measured."""
    ids: list[int] = []
    made: list[Commit] = []
    url = f"{account.base}/api/leads/{account.lead_id}"
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(headers=account.headers, timeout=timeout) as http:
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            async with http.patch(url, json={"title": f"Relay round #{i}"}) as response:
                await response.read()
            event_id = first_id + i
            sent = time.time()
            frame = {"type": "event", "event": {**event, "id": event_id, "at": datetime.now(UTC).isoformat()}}
            await redis.publish(channel, msgspec.json.encode(frame))
            ids.append(event_id)
            made.append(Commit(sent, time.time(), response.status))
    return ids, made


async def run_relay_round(
    opts: Options,
    committer: Account,
    relay: Process,
    base: str,
    channel: str,
    redis: aioredis.Redis,
    event: dict[str, Any],
    sockets: int,
    commits: int,
    clients: list[Client],
    round_index: int,
) -> dict[str, Any]:
    on_relay = Account(base, "bare", event["workspace_id"], event["lead_id"])
    note(f"N={sockets}, bare relay: opening sockets")
    failures = await open_clients(on_relay, sockets, opts.connect_batch, opts.compression, clients)
    if not clients:
        raise RuntimeError(f"bare relay N={sockets}: no socket opened: {failures[:3]}")
    await asyncio.sleep(1.0)
    note(f"N={sockets}, bare relay: {commits} frames at {opts.rate:g}/s")
    cpu_before = relay.cpu_seconds()
    first_id = FIRST_ID * (round_index + 1)
    ids, made = await publish_frames(committer, redis, channel, event, commits, opts.rate, first_id)
    await wait_delivered(clients, commits, opts.settle_s)
    cpu_after = relay.cpu_seconds()
    result = analyse(clients, ids, made)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    result.update(
        sockets=sockets,
        opened=len(clients),
        connect_failures=len(failures),
        commits=commits,
        web_cpu_ms_per_commit=round(cpu * 1000 / commits, 1) if cpu is not None else None,
        relay_alive=relay.alive(),
    )
    await close_clients(clients, opts.connect_batch)
    return result
