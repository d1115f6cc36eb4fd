"""Sending benchmark: setter's reply → `sent` latency, and sends per second per worker process.

`python -m bench.sending [--messages 300] [--rate 10] [--backlog 600] [--json]` starts the Procfile's
`web` and one `worker` (the Procfile's defaults: one process, 8 threads) against the fake EmailBison of the
tests (real HTTP, answering at once), connects a workspace to it and gives it leads that wrote by email. Then:

1. latency: `--messages` replies written through `POST /api/leads/{id}/messages` at `--rate` per second, each
   timed from the 201 answer (the message `queued`) to its delivery `sent` (the worker's own timestamp);
2. throughput: `--backlog` replies written while no worker runs, then one worker started: sends per second and
   its CPU per send once the first is sent.
GoHighLevel's own limit (100 per 10 s per location) would be the figure for SMS, so it is left out here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from typing import Any

import aiohttp
import asyncpg

from bench.database import database_url, prepare
from bench.environment import LOG_DIR, bench_env, flush_namespace
from bench.payloads import UNDRAFTED_REPLIES, mixed
from bench.report import fmt, note, percentile, run_cli, table
from bench.signup import signup
from tests.fakes.fake_providers import FakeProviders
from tests.processes import Processes, free_port, wait_http

DATABASE_URL = database_url()
NAMESPACE = "setterdesk-bench-sending"
SECRET_KEY = "bench-sending-secret-key"


async def _post(http: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str]) -> Any:
    async with http.post(url, json=body, headers=headers) as answer:
        data = await answer.json()
        if answer.status >= 300:
            raise RuntimeError(f"{url}: {answer.status} {data}")
        return data["data"]


async def _put(http: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str]) -> None:
    async with http.put(url, json=body, headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(f"{url}: {answer.status} {await answer.text()}")


async def _leads(
    http: aiohttp.ClientSession, base: str, workspace: dict[str, Any], count: int
) -> list[tuple[str, str]]:
    """Leads that wrote by email (the mix's SMS are skipped): (webhook event id, channel)."""
    headers = {"X-Webhook-Secret": workspace["webhook_secret"]}
    leads: list[tuple[str, str]] = []
    run = uuid.uuid4().hex[:8]
    for n in range(count):
        hook = mixed(run, n, UNDRAFTED_REPLIES)  # no drafting load in the worker
        if hook.channel == "sms":
            continue
        url = f"{base}/api/webhooks/{hook.channel}?workspace={workspace['id']}"
        async with http.post(
            url, data=hook.body, headers={**headers, "Content-Type": "application/json"}
        ) as a:
            event_id = (await a.json())["data"]["webhook_event_id"]
        leads.append((event_id, hook.channel))
    return leads


async def _lead_ids(conn: asyncpg.Connection, events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    deadline = time.monotonic() + 60
    while True:
        rows = await conn.fetch(
            "SELECT id::text, result->>'lead_id' AS lead_id FROM webhook_events WHERE id = ANY($1::uuid[])",
            [event for event, _ in events],
        )
        found = {row["id"]: row["lead_id"] for row in rows if row["lead_id"]}
        if len(found) == len(events):
            return [(found[event], channel) for event, channel in events]
        if time.monotonic() > deadline:
            raise RuntimeError("the leads' webhooks were not processed within 60 s")
        await asyncio.sleep(0.2)


async def _write(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], lead: tuple[str, str], n: int
) -> str:
    lead_id, channel = lead
    body = {"channel": channel, "content": f"Thanks! Does Thursday at {n % 12 + 1}pm work for a short call?"}
    message = await _post(http, f"{base}/api/leads/{lead_id}/messages", body, auth)
    return str(message["id"])


async def _wait_sent(conn: asyncpg.Connection, ids: list[str], timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        rows = await conn.fetch(
            "SELECT delivery_status, created_at, delivery_updated_at FROM messages"
            " WHERE id = ANY($1::uuid[])",
            ids,
        )
        if all(row["delivery_status"] in ("sent", "failed", "unknown", "not_sent") for row in rows):
            break
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["delivery_status"]] = statuses.get(row["delivery_status"], 0) + 1
    sent = [row for row in rows if row["delivery_status"] == "sent"]
    latencies = [(row["delivery_updated_at"] - row["created_at"]).total_seconds() * 1000 for row in sent]
    return {"statuses": statuses, "latencies_ms": latencies, "rows": rows}


async def run(messages: int, rate: float, backlog: int, redis_url: str) -> dict[str, Any]:
    await prepare(fresh=True)
    await flush_namespace(redis_url, NAMESPACE)
    procs = Processes(LOG_DIR)
    fake = FakeProviders().start()
    port = free_port()
    env = bench_env(
        database_url=DATABASE_URL,
        redis_url=redis_url,
        namespace=NAMESPACE,
        unset=("WORKER_PROCESSES", "WORKER_THREADS", "WORKER_QUEUES", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
        PORT=str(port),
        LLM_PROVIDER="offline",
        SETTERDESK_SECRET_KEY=SECRET_KEY,
    )
    base = f"http://127.0.0.1:{port}"
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        web = procs.start_role("web", "web", env)
        await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
        worker = procs.start_role("worker", "worker", env)
        async with aiohttp.ClientSession() as http:
            data = await signup(http, base, "Bench sending")
            auth = {"Authorization": f"Bearer {data['token']}"}
            await _put(
                http,
                f"{base}/api/integrations/emailbison",
                {"base_url": fake.base_url, "api_key": "eb-key"},
                auth,
            )
            note("leads: email webhooks")
            leads = await _lead_ids(conn, await _leads(http, base, data["workspace"], max(40, messages // 5)))

            note(f"latency: {messages} replies at {rate:g}/s")
            ids: list[str] = []

            async def one(n: int) -> None:
                ids.append(await _write(http, base, auth, leads[n % len(leads)], n))

            tasks = []
            started = time.monotonic()
            for n in range(messages):
                tasks.append(asyncio.create_task(one(n)))
                await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.monotonic()))
            await asyncio.gather(*tasks)
            latency = await _wait_sent(conn, ids, timeout_s=60)

            note(f"throughput: {backlog} replies queued with no worker, then one worker")
            await asyncio.to_thread(worker.stop)
            queued = await asyncio.gather(
                *[_write(http, base, auth, leads[n % len(leads)], n) for n in range(backlog)]
            )
            worker = procs.start_role("worker-2", "worker", env)
            while not await conn.fetchval(
                "SELECT count(*) FROM messages WHERE id = ANY($1::uuid[]) AND delivery_status = 'sent'",
                queued,
            ):
                await asyncio.sleep(0.05)
            opened, cpu_opened = time.monotonic(), worker.cpu_seconds()
            sent_at_open = await conn.fetchval(
                "SELECT count(*) FROM messages WHERE id = ANY($1::uuid[]) AND delivery_status = 'sent'",
                queued,
            )
            drained = await _wait_sent(conn, list(queued), timeout_s=300)
            closed, cpu_closed = time.monotonic(), worker.cpu_seconds()
        in_window = drained["statuses"].get("sent", 0) - sent_at_open
        window = closed - opened
        cpu = (cpu_closed - cpu_opened) if cpu_opened is not None and cpu_closed is not None else None
        return {
            "date": time.strftime("%Y-%m-%d"),
            "latency": {
                "messages": messages,
                "rate_per_s": rate,
                "statuses": latency["statuses"],
                "p50_ms": percentile(latency["latencies_ms"], 50),
                "p99_ms": percentile(latency["latencies_ms"], 99),
                "max_ms": max(latency["latencies_ms"], default=None),
            },
            "throughput": {
                "backlog": backlog,
                "statuses": drained["statuses"],
                "sends_per_s_per_worker_process": round(in_window / window, 1) if window > 0 else None,
                "worker_cpu_ms_per_send": round(cpu * 1000 / in_window, 2) if cpu and in_window else None,
            },
            "provider_calls": len(fake.sends()),
        }
    finally:
        await conn.close()
        await asyncio.to_thread(procs.stop_all)
        fake.stop()
        await flush_namespace(redis_url, NAMESPACE)


def render(data: dict[str, Any]) -> str:
    latency, throughput = data["latency"], data["throughput"]
    rows = [
        [
            f"reply → sent at {latency['rate_per_s']:g}/s",
            str(latency["messages"]),
            fmt(latency["p50_ms"]),
            fmt(latency["p99_ms"]),
            fmt(latency["max_ms"]),
            str(latency["statuses"]),
        ],
    ]
    first = table(
        f"Sending ({data['date']})", ["measurement", "count", "p50 ms", "p99 ms", "max ms", "statuses"], rows
    )
    second = table(
        "One worker process draining a backlog",
        ["backlog", "sends/s", "CPU ms per send", "statuses", "provider calls in all"],
        [
            [
                str(throughput["backlog"]),
                fmt(throughput["sends_per_s_per_worker_process"]),
                fmt(throughput["worker_cpu_ms_per_send"], 2),
                str(throughput["statuses"]),
                str(data["provider_calls"]),
            ]
        ],
    )
    return first + "\n\n" + second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sending", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--backlog", type=int, default=600)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if min(args.messages, args.backlog) < 1 or args.rate <= 0:
        parser.error("--messages, --backlog and --rate must be positive")
    return run_cli(
        lambda: run(args.messages, args.rate, args.backlog, args.redis_url), args.json, render, note
    )


if __name__ == "__main__":
    sys.exit(main())
