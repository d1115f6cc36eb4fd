"""Search benchmark: `GET /api/leads?q=` over a workspace of 100,000 messages, through a real web process.

`python -m bench.search [--messages 100000] [--leads 5000] [--queries 300] [--json]` signs up a workspace on
the Procfile's `web`, fills it with leads and real-looking messages (sentences drawn from a sales-reply
vocabulary, so words repeat the way a real inbox's do) straight in PostgreSQL, ANALYZEs, then times searches
one after the other: common words, rare words, two-word queries, quoted phrases, exclusions and contact names,
each with the inbox's page size of 50. Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from typing import Any

import aiohttp
import asyncpg

from bench.database import database_url, prepare
from bench.environment import LOG_DIR, bench_env
from bench.report import fmt, note, percentile, run_cli, table
from bench.signup import signup
from tests.processes import Processes, free_port, wait_http

DATABASE_URL = database_url()
TARGET_P95_MS = 100.0
_VOCABULARY = (
    "thanks for reaching out pricing demo call thursday friday monday next week team budget quarter contract "
    "onboarding seats trial calendar schedule meeting interested not now later follow up details proposal "
    "integration crm hubspot salesforce export import reporting dashboard security review legal procurement "
    "discount annual monthly invoice support training rollout pilot referral partner agency clients campaign "
    "leads replies inbox email sms linkedin sequence automation timing decision manager director founder"
)
WORDS = tuple(_VOCABULARY.split())
FIRST_NAMES = ("Dana", "Omar", "Nora", "Priya", "Liam", "Sofia", "Kenji", "Ava", "Mateo", "Chloe")
QUERIES = (
    "pricing",
    "demo",
    "contract",
    "procurement",
    "hubspot export",
    "security review",
    '"next week"',
    '"annual invoice"',
    "pilot -referral",
    "training rollout",
    "Dana",
    "Priya",
    "zebra",  # matches nothing
)

_FILL = """
WITH lead_rows AS (
  INSERT INTO leads (id, workspace_id, first_name, last_name, email, sentiment_tag, status, channels,
                     activity_at, created_at, updated_at)
  SELECT gen_random_uuid(), $1::uuid, ($3::text[])[1 + (n % array_length($3::text[], 1))], 'Lead' || n,
         'lead' || n || '@bench.example', 'New', 'new', '{email}', now() - (n || ' minutes')::interval,
         now(), now()
  FROM generate_series(1, $2::int) AS n
  RETURNING id
)
SELECT array_agg(id) FROM lead_rows
"""
_MESSAGES = """
INSERT INTO messages (id, workspace_id, lead_id, channel, direction, sent_by, subject, body, "to", cc, bcc,
                      sent_at, dedupe_key, is_bounce, is_automated, created_at)
SELECT gen_random_uuid(), $1::uuid, ($2::uuid[])[1 + (n % array_length($2::uuid[], 1))], 'email',
       CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
       CASE WHEN n % 2 = 0 THEN 'lead' ELSE 'setter' END,
       'Re: ' || ($3::text[])[1 + (n * 7 % array_length($3::text[], 1))],
       (SELECT string_agg(($3::text[])[1 + floor(random() * array_length($3::text[], 1))::int], ' ')
        FROM generate_series(1, 12 + (n % 40)) WHERE n > 0),
       '{}', '{}', '{}', now() - (n || ' seconds')::interval, 'bench:' || n, false, false, now()
FROM generate_series($4::int, $5::int) AS n
"""


async def fill(conn: asyncpg.Connection, workspace_id: str, leads: int, messages: int) -> None:
    lead_ids = await conn.fetchval(_FILL, workspace_id, leads, list(FIRST_NAMES))
    batch = 20_000
    for start in range(1, messages + 1, batch):
        await conn.execute(
            _MESSAGES, workspace_id, lead_ids, list(WORDS), start, min(messages, start + batch - 1)
        )
        note(f"messages: {min(messages, start + batch - 1):,} of {messages:,}")
    await conn.execute("ANALYZE messages; ANALYZE leads")


async def run(messages: int, leads: int, queries: int, redis_url: str) -> dict[str, Any]:
    await prepare(fresh=True)
    procs = Processes(LOG_DIR)
    port = free_port()
    env = bench_env(
        database_url=DATABASE_URL, redis_url=redis_url, namespace="setterdesk-bench-search", PORT=str(port)
    )
    base = f"http://127.0.0.1:{port}"
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        web = procs.start_role("web", "web", env)
        await asyncio.to_thread(wait_http, f"{base}/healthz", process=web)
        async with aiohttp.ClientSession() as http:
            data = await signup(http, base, "Bench search")
            auth = {"Authorization": f"Bearer {data['token']}"}
            note(f"filling {leads:,} leads and {messages:,} messages")
            started = time.monotonic()
            await fill(conn, data["workspace"]["id"], leads, messages)
            fill_s = time.monotonic() - started
            rng = random.Random(7)
            latencies: dict[str, list[float]] = {}
            hits: dict[str, int] = {}
            for q in QUERIES:  # warm-up: each query once
                async with http.get(f"{base}/api/leads", params={"q": q, "limit": "50"}, headers=auth) as a:
                    hits[q] = len((await a.json())["data"]["items"])
            note(f"{queries} searches, one after the other")
            for _ in range(queries):
                q = rng.choice(QUERIES)
                sent = time.perf_counter()
                async with http.get(
                    f"{base}/api/leads", params={"q": q, "limit": "50"}, headers=auth
                ) as answer:
                    await answer.read()
                    if answer.status != 200:
                        raise RuntimeError(f"q={q!r}: {answer.status}")
                latencies.setdefault(q, []).append((time.perf_counter() - sent) * 1000)
        every = [ms for values in latencies.values() for ms in values]
        p95 = percentile(every, 95)
        return {
            "date": time.strftime("%Y-%m-%d"),
            "messages": messages,
            "leads": leads,
            "fill_s": round(fill_s, 1),
            "searches": len(every),
            "p50_ms": percentile(every, 50),
            "p95_ms": p95,
            "p99_ms": percentile(every, 99),
            "target_p95_met": p95 is not None and p95 < TARGET_P95_MS,
            "by_query": {
                q: {"hits_on_first_page": hits[q], "p95_ms": percentile(values, 95)}
                for q, values in sorted(latencies.items())
            },
        }
    finally:
        await conn.close()
        await asyncio.to_thread(procs.stop_all)


def render(data: dict[str, Any]) -> str:
    head = table(
        f"Search over {data['messages']:,} messages, {data['leads']:,} leads ({data['date']})",
        ["searches", "p50 ms", "p95 ms", "p99 ms", f"p95 < {TARGET_P95_MS:g} ms"],
        [
            [
                str(data["searches"]),
                fmt(data["p50_ms"]),
                fmt(data["p95_ms"]),
                fmt(data["p99_ms"]),
                "met" if data["target_p95_met"] else "NOT met",
            ]
        ],
    )
    rows = [[q, str(v["hits_on_first_page"]), fmt(v["p95_ms"])] for q, v in data["by_query"].items()]
    return head + "\n\n" + table("By query", ["q", "leads on the first page", "p95 ms"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if min(args.messages, args.leads, args.queries) < 1:
        parser.error("--messages, --leads and --queries must be positive")
    return run_cli(
        lambda: run(args.messages, args.leads, args.queries, args.redis_url), args.json, render, note
    )


if __name__ == "__main__":
    sys.exit(main())
