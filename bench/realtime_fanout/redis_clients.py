"""The web process's Redis connections, as CLIENT LIST shows them: the hub must hold one subscription
whatever the number of sockets."""

from __future__ import annotations

from typing import Any

import psutil
import redis.asyncio as aioredis


def tcp_local_ports(pid: int, remote_port: int) -> set[int]:
    """Local ports of `pid`'s TCP connections to `remote_port`."""
    return {
        conn.laddr.port
        for conn in psutil.Process(pid).net_connections(kind="tcp")
        if conn.raddr and conn.raddr.port == remote_port
    }


async def web_redis_clients(redis: aioredis.Redis, pid: int, redis_port: int) -> dict[str, Any]:
    """The web process's entries in CLIENT LIST: how many, how many subscribed, their last commands."""
    ports = tcp_local_ports(pid, redis_port)
    mine = [c for c in await redis.client_list() if int(str(c["addr"]).rsplit(":", 1)[1]) in ports]
    subscribed = [c for c in mine if int(c.get("sub", 0)) + int(c.get("psub", 0)) + int(c.get("ssub", 0)) > 0]
    commands: dict[str, int] = {}
    for c in mine:
        commands[str(c.get("cmd"))] = commands.get(str(c.get("cmd")), 0) + 1
    return {
        "total": len(mine),
        "subscriptions": len(subscribed),
        "patterns_per_subscription": [int(c.get("psub", 0)) for c in subscribed],
        "last_commands": dict(sorted(commands.items())),
    }
