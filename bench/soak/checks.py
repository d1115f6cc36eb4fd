"""After the sends: wait until everything settled, check each socket against the events table, the verdict."""

from __future__ import annotations

import array
import asyncio
import bisect
import itertools
import time
from collections import Counter
from typing import Any

import asyncpg

from bench.report import spread
from bench.soak.sockets import Socket
from bench.webhook_events import outcomes_by_workspace, outcomes_of, waiting

MAX_GROWTH_PCT = 10.0
STABLE_S = 3.0  # settled: no new event for this long and every socket caught up
COUNTS = (
    "sockets",
    "subscribed",
    "expected",
    "delivered",
    "lost",
    "duplicated",
    "out_of_order",
    "unexpected",
    "exact",
    "reconnected",
    "gave_up",
)

Event = tuple[int, str, str | None]  # id, workspace id, lead id


async def latest_event(conn: asyncpg.Connection, workspace_ids: list[str]) -> int:
    latest = await conn.fetchval(
        "SELECT max(id) FROM events WHERE workspace_id = ANY($1::uuid[])", workspace_ids
    )
    return int(latest or 0)


async def stream_heads(
    conn: asyncpg.Connection, workspace_ids: list[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """The last event id of every workspace and of every lead in them, in one query."""
    rows = await conn.fetch(
        "SELECT workspace_id::text AS workspace_id, lead_id::text AS lead_id, GROUPING(lead_id) AS whole, "
        "max(id) AS id FROM events WHERE workspace_id = ANY($1::uuid[]) "
        "GROUP BY GROUPING SETS ((workspace_id), (workspace_id, lead_id))",
        workspace_ids,
    )
    by_workspace = {row["workspace_id"]: row["id"] for row in rows if row["whole"]}
    by_lead = {row["lead_id"]: row["id"] for row in rows if not row["whole"] and row["lead_id"] is not None}
    return by_workspace, by_lead


async def settle(
    conn: asyncpg.Connection, workspace_ids: list[str], sockets: list[Socket], settle_s: float
) -> float:
    """Until no event has been added for STABLE_S and every live socket has the last one of its workspace
    (inbox) or lead (or settle_s passed): the workers' drafts are done and the fan-out caught up. Returns the
    seconds."""
    started = time.monotonic()
    last_max, last_change = -1, started
    by_workspace: dict[str, int] = {}
    by_lead: dict[str, int] = {}
    while time.monotonic() - started < settle_s:
        latest = await latest_event(conn, workspace_ids)
        if latest != last_max:
            last_max, last_change = latest, time.monotonic()
            by_workspace, by_lead = await stream_heads(conn, workspace_ids)
        caught_up = all(
            s.last_id
            >= (by_workspace.get(s.workspace_id, 0) if s.lead_id is None else by_lead.get(s.lead_id, 0))
            for s in sockets
            if s.live and s.baseline is not None
        )
        if caught_up and time.monotonic() - last_change >= STABLE_S:
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - started


async def drain_backlog(
    conn: asyncpg.Connection, workspace_ids: list[str], last_sent_at: float, cap_s: float
) -> tuple[float | None, int]:
    """Seconds from the last send (time.monotonic()) until no webhook of the workspaces is left `received`,
    None when some still are cap_s after it; and how many are left (0 when drained)."""
    while (left := await waiting(conn, workspace_ids)) and time.monotonic() - last_sent_at < cap_s:
        await asyncio.sleep(0.25)
    return (None if left else round(time.monotonic() - last_sent_at, 2)), left


async def ingest_outcomes(
    conn: asyncpg.Connection, accepted_ids: list[str], workspace_ids: list[str]
) -> dict[str, Any]:
    """How the accepted webhooks ended: every one must be processed (a new message or a duplicate of one);
    lost = accepted − processed. Also every row of the workspaces, answered or not (a send that timed out may
    still have been recorded)."""
    accepted = await outcomes_of(conn, accepted_ids)
    recorded = await outcomes_by_workspace(conn, workspace_ids)
    return {
        "accepted": len(accepted_ids),
        "processed": accepted.processed,
        "lost": len(accepted_ids) - accepted.processed,
        "duplicates": accepted.duplicates,
        "other_statuses": accepted.others(),
        "rows_in_workspaces": recorded.summary(),
    }


async def table_events(conn: asyncpg.Connection, workspace_ids: list[str]) -> list[Event]:
    rows = await conn.fetch(
        "SELECT id, workspace_id::text AS workspace_id, lead_id::text AS lead_id FROM events "
        "WHERE workspace_id = ANY($1::uuid[]) ORDER BY id",
        workspace_ids,
    )
    return [(row["id"], row["workspace_id"], row["lead_id"]) for row in rows]


def check_deliveries(sockets: list[Socket], events: list[Event]) -> dict[str, Any]:
    """Each socket against the events of its workspace or lead in the table: lost, duplicated, out of order,
    unexpected; the latencies."""
    by_workspace: dict[str, list[int]] = {}  # the inbox streams: event ids in order
    by_lead: dict[str, list[int]] = {}
    for event_id, workspace_id, lead_id in events:
        by_workspace.setdefault(workspace_id, []).append(event_id)
        if lead_id is not None:
            by_lead.setdefault(lead_id, []).append(event_id)
    last_in_table = events[-1][0] if events else 0
    totals: dict[str, dict[str, int]] = {}
    latencies: array.array[float] = array.array("f")
    for sock in sockets:
        t = totals.setdefault("inbox" if sock.lead_id is None else "lead", dict.fromkeys(COUNTS, 0))
        t["sockets"] += 1
        t["reconnected"] += sum(sock.closes.values()) > 0
        t["gave_up"] += sock.gave_up is not None
        latencies.extend(sock.latencies_ms)
        if sock.baseline is None:
            continue  # never subscribed: reported as not subscribed, nothing to compare
        t["subscribed"] += 1
        ids = [i for i in sock.ids if i <= last_in_table]  # later ones: after the table was read
        source = (
            by_workspace.get(sock.workspace_id, []) if sock.lead_id is None else by_lead.get(sock.lead_id, [])
        )
        expected = source[bisect.bisect_right(source, sock.baseline) :]
        received, wanted = set(ids), set(expected)
        t["expected"] += len(expected)
        t["delivered"] += len(received & wanted)
        t["lost"] += len(wanted - received)
        t["duplicated"] += len(ids) - len(received)
        t["out_of_order"] += sum(1 for a, b in itertools.pairwise(ids) if b < a)
        t["unexpected"] += len(received - wanted)
        t["exact"] += ids == expected
    closes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for sock in sockets:
        closes.update(sock.closes)
        errors.update(sock.errors)
    return {
        "by_kind": totals,
        "fanout_ms": spread(list(latencies)),
        "deliveries": len(latencies),
        "close_codes": dict(closes),
        "error_frames": dict(errors),
        "other_frames": sum(s.other_frames for s in sockets),
        "events_in_table": len(events),
    }


def verdict(data: dict[str, Any]) -> dict[str, Any]:
    """The targets, and whether the machine could drive the configuration at all."""
    hooks, deliveries, setup = data["webhooks"], data["deliveries"], data["setup"]
    kinds = deliveries["by_kind"].values()
    lost = sum(k["lost"] for k in kinds)
    duplicated = sum(k["duplicated"] for k in kinds)
    growths = [m["growth_pct"] for m in data["memory_mb"].values()]
    saturated: list[str] = []
    achieved = hooks["achieved_rate_per_s"] or 0
    if achieved < 0.95 * setup["rate_per_s"]:
        saturated.append(f"webhooks answered at {achieved:g}/s of {setup['rate_per_s']:g}/s")
    behind = hooks["send_behind_schedule_ms"]["p99"]
    if behind is not None and behind > 250:
        saturated.append(f"sends p99 {behind:,.0f} ms behind schedule")
    loop_p99 = data["client_loop_lag_ms"]["p99"]
    if loop_p99 is not None and loop_p99 > 250:
        saturated.append(f"client event loop p99 {loop_p99:,.0f} ms late")
    if data["machine_cpu_percent"] >= 90:
        saturated.append(f"machine CPU {data['machine_cpu_percent']:g}%")
    too_slow = deliveries["close_codes"].get("1013", 0)
    if too_slow:
        saturated.append(f"{too_slow} socket closes 1013 (client too slow for the server)")
    if data["subscribed_at_start"] < setup["sockets"]:
        saturated.append(f"only {data['subscribed_at_start']}/{setup['sockets']} sockets subscribed")
    ingest = data["ingest"]
    return {
        "webhook_non_200_zero": hooks["non_200"] == 0,
        "every_webhook_delivered": hooks["delivered"] == hooks["planned"],
        "every_accepted_processed": ingest["accepted"] > 0 and ingest["lost"] == 0,
        "backlog_drained": ingest["drain_s"] is not None,
        "no_lost_or_duplicated": lost == 0 and duplicated == 0,
        "memory_growth_under_10pct": all(g is not None and g < MAX_GROWTH_PCT for g in growths),
        "saturated": saturated,
    }


async def pipeline_counts(conn: asyncpg.Connection, workspace_ids: list[str]) -> dict[str, int]:
    """Messages, leads, drafts and draft failures in the run's workspaces, in total."""
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM messages WHERE workspace_id = ANY($1::uuid[])) AS messages, "
        "(SELECT count(*) FROM leads WHERE workspace_id = ANY($1::uuid[])) AS leads, "
        "(SELECT count(*) FROM drafts WHERE workspace_id = ANY($1::uuid[])) AS drafts, "
        "(SELECT count(*) FROM draft_failures WHERE workspace_id = ANY($1::uuid[])) AS draft_failures",
        workspace_ids,
    )
    return dict(row) if row else {}
