"""Real processes for the real-time tests, started once for the folder from the Procfile's lines: two `web`
processes, a third `web` with a small websocket send queue (WS_SEND_QUEUE_MAX, for the slow-client test) and
one `worker`, sharing PostgreSQL, Redis and a Dramatiq namespace of their own, with the offline model."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import Process, free_port, process_env, start_role, stop_all, wait_http
from tests.realtime.helpers import Tenant, WsClient, signup

SMALL_SEND_QUEUE = 8


@dataclass
class Web:
    role: Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.role.pid


@dataclass
class Stack:
    webs: list[Web]  # two ordinary web processes
    small_queue: Web  # a third one whose sockets have a send queue of SMALL_SEND_QUEUE messages
    worker: Process

    @property
    def roles(self) -> list[Process]:
        return [w.role for w in [*self.webs, self.small_queue]] + [self.worker]


def start_webs(env: dict[str, str], log_dir: Path, overrides: list[dict[str, str]]) -> list[Web]:
    """One web process per entry of `overrides` (extra environment), started together."""
    webs = []
    try:
        for extra in overrides:
            port = free_port()
            role_env = {**env, **extra, "PORT": str(port)}
            webs.append(Web(start_role("web", role_env, log_dir / f"web-{port}.log"), port))
        with ThreadPoolExecutor(len(webs)) as pool:
            list(pool.map(lambda w: wait_http(f"{w.url}/healthz", timeout=40, process=w.role), webs))
    except BaseException:
        stop_all([w.role for w in webs])
        raise
    return webs


@pytest.fixture(scope="session")
def stack_env() -> dict[str, str]:
    return process_env(
        DRAMATIQ_NAMESPACE=f"setterdesk-rt-{uuid.uuid4().hex[:8]}",
        LLM_PROVIDER="offline",
        OPENAI_API_KEY="",
        WORKER_PROCESSES="1",
        WORKER_THREADS="4",
    )


@pytest.fixture(scope="session")
def stack(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("realtime-logs")
    worker = start_role("worker", stack_env, log_dir / "worker.log")
    try:
        webs = start_webs(stack_env, log_dir, [{}, {}, {"WS_SEND_QUEUE_MAX": str(SMALL_SEND_QUEUE)}])
    except BaseException:
        worker.stop()
        raise
    stack = Stack(webs[:2], webs[2], worker)
    try:
        yield stack
    finally:
        stop_all(stack.roles)


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.webs[0].url, timeout=15) as client:
        yield client


@pytest.fixture
async def tenant(http: httpx.AsyncClient) -> Tenant:
    return await signup(http)


OpenWs = Callable[..., Awaitable[WsClient]]


@pytest.fixture
async def open_ws(stack: Stack) -> AsyncIterator[OpenWs]:
    """`await open_ws(token, web=0)`: a /ws client on that web process, closed after the test for sure."""
    opened: list[WsClient] = []

    async def open_(token: str, web: int = 0, **kwargs: Any) -> WsClient:
        client = await WsClient.open(stack.webs[web].ws_url, token, **kwargs)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), 5)
