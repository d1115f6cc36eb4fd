"""A socket that cannot keep up is closed with 1013 instead of slowing anyone down: its send queue is
bounded (WS_SEND_QUEUE_MAX on this web process) and the hub never waits for a socket."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import math
import os
import socket
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.realtime.conftest import SMALL_SEND_QUEUE, Stack
from tests.realtime.helpers import Tenant, WsClient

pytestmark = pytest.mark.slow

BIG = 256 * 1024  # characters per change, so that few changes fill the socket buffers
MARK = len("change 0000")


def changes_to_overflow() -> int:
    """Enough events to fill the server's socket send buffer (at most tcp_wmem's max), asyncio's transport
    buffer (64 KiB) and the send queue, plus a few that must then be dropped."""
    wmem_max = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    return math.ceil((wmem_max + 64 * 1024) / BIG) + SMALL_SEND_QUEUE + 4


def incompressible(size: int) -> str:
    """Random text, so that websocket compression (when negotiated) cannot shrink the events."""
    return base64.b64encode(os.urandom(size * 3 // 4)).decode()


async def never_reading_client(stack: Stack, token: str) -> WsClient:
    """A client whose socket buffers almost nothing and whose library stops reading after one frame."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: fixes the window
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", stack.small_queue.port))
    return await WsClient.open(stack.small_queue.ws_url, token, sock=sock, max_queue=1, ping_interval=None)


async def test_a_client_that_never_reads_is_closed_with_1013_and_others_keep_up(
    stack: Stack, tenant: Tenant
) -> None:
    changes = changes_to_overflow()
    lead = await tenant.create_lead()
    slow = await never_reading_client(stack, tenant.token)
    fast = await WsClient.open(stack.small_queue.ws_url, tenant.token)
    try:
        await slow.subscribe(lead["id"])
        await fast.subscribe(lead["id"])

        arrivals: dict[str, float] = {}

        async def read_fast() -> None:
            while len(arrivals) < changes:
                frame = await fast.recv(timeout=10)
                if frame["type"] == "event" and frame["event"]["type"] == "lead.updated":
                    arrivals[frame["event"]["data"]["lead"]["company"][:MARK]] = time.monotonic()

        reader = asyncio.create_task(read_fast())
        committed: dict[str, float] = {}
        for i in range(changes):
            mark = f"change {i:04d}"[:MARK]
            await tenant.patch_lead(lead["id"], company=mark + incompressible(BIG))
            committed[mark] = time.monotonic()
        await asyncio.wait_for(reader, 10)

        # The other client got every change, each soon after it committed.
        assert sorted(arrivals) == sorted(committed)
        lags = [arrivals[mark] - committed[mark] for mark in committed]
        assert max(lags) < 2.0, lags

        # The never-reading client was dropped: when it finally reads it finds what had been written to
        # its socket before the queue overflowed, then the close frame.
        got = 0
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                frame = await slow.recv(timeout=10)
                got += frame["type"] == "event" and frame["event"]["type"] == "lead.updated"
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert 0 < got < changes
        assert '"ws.too_slow"' in stack.small_queue.role.output()
    finally:
        for client in (slow, fast):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 5)
