"""The processes under test (the Procfile's web and worker lines, the bare INSERT app), the database, and the
workspaces and webhook bodies every part sends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
import asyncpg

from bench.bare_insert_app import TABLE_DDL
from bench.database import prepare
from bench.environment import bench_env
from bench.load import Shot
from bench.payloads import mixed
from bench.signup import signup
from bench.webhook_ingest.options import DATABASE_URL, NAMESPACE, Options
from tests.processes import Process, Processes, free_port, venv_argv, wait_http


@dataclass(frozen=True)
class Workspace:
    id: str
    secret: str


@dataclass(frozen=True)
class Server:
    base: str
    process: Process


async def prepare_database(keep: bool) -> None:
    await prepare(fresh=not keep)
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        await conn.execute(TABLE_DDL)
        await conn.execute("TRUNCATE bench_bare")
    finally:
        await conn.close()


def base_env(opts: Options, port: int) -> dict[str, str]:
    # The Procfile's own defaults apply (1 worker process, 8 threads, every queue); the model settings are
    # chosen where a worker starts.
    return bench_env(
        database_url=DATABASE_URL,
        redis_url=opts.redis_url,
        namespace=NAMESPACE,
        unset=(
            "WORKER_PROCESSES",
            "WORKER_THREADS",
            "WORKER_QUEUES",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "LLM_PROVIDER",
        ),
        PORT=str(port),
    )


async def start_web(procs: Processes, env: dict[str, str]) -> Server:
    web = procs.start_role("web", "web", env)
    base = f"http://127.0.0.1:{env['PORT']}"
    await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
    return Server(base, web)


async def start_bare(procs: Processes, env: dict[str, str]) -> Server:
    port = free_port()
    argv = ["uvicorn", "--factory", "bench.bare_insert_app:create_app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log"]
    bare = procs.start("bare", venv_argv(argv), {**env, "BENCH_DATABASE_URL": DATABASE_URL})
    base = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(wait_http, f"{base}/insert", process=bare)  # up: GET on a POST-only route, 405
    return Server(base, bare)


def start_worker(
    procs: Processes, env: dict[str, str], openai_url: str | None, name: str = "worker", **settings: str
) -> Process:
    """The Procfile's worker line; `settings` (WORKER_QUEUES, ...) on top of the environment."""
    if openai_url:
        model = {"LLM_PROVIDER": "openai", "OPENAI_API_KEY": "bench-key", "OPENAI_BASE_URL": openai_url}
    else:
        model = {"LLM_PROVIDER": "offline"}
    return procs.start_role(name, "worker", {**env, **model, **settings})


async def new_workspace(base: str, name: str) -> Workspace:
    async with aiohttp.ClientSession() as http:
        workspace = (await signup(http, base, name))["workspace"]
    return Workspace(workspace["id"], workspace["webhook_secret"])


def webhook_shots(
    base: str, workspace: Workspace, run: str, numbers: range, texts: tuple[str, ...]
) -> list[Shot]:
    headers = {"Content-Type": "application/json", "X-Webhook-Secret": workspace.secret}
    hooks = (mixed(run, n, texts) for n in numbers)
    return [
        Shot(f"{base}/api/webhooks/{hook.channel}?workspace={workspace.id}", hook.body, headers)
        for hook in hooks
    ]


def bare_shots(base: str, shots: list[Shot]) -> list[Shot]:
    return [Shot(f"{base}/insert", shot.body, {"Content-Type": "application/json"}) for shot in shots]
