"""The fan-out figures as a plain-text table and notes."""

from __future__ import annotations

from typing import Any

from bench.realtime_fanout.options import LOG_NAME
from bench.report import fmt, table

TARGET_P99_MS = 50.0
TARGET_AT_SOCKETS = 1000


def render(data: dict[str, Any]) -> str:
    setup, rounds = data["setup"], data["rounds"]
    rows = []
    for r in rounds:
        lat, sent, fan = r["latency_ms"], r["sent_to_received_ms"], r["fanout_spread_ms"]
        rows.append(
            [
                f"{r['sockets']:,} sockets",
                f"{r['opened']:,}",
                str(r["commits"]),
                f"{r['delivered']:,}/{r['deliveries_expected']:,}",
                str(r["lost"]),
                str(r["duplicated"]),
                fmt(lat["p50"]),
                fmt(lat["p99"]),
                fmt(lat["max"]),
                fmt(sent["p99"]),
                fmt(fan["p50"]),
                fmt(r["web_cpu_ms_per_commit"]),
                fmt(r["client_cpu_ms_per_commit"]),
                f"{r['redis_during']['total']} ({r['redis_during']['subscriptions']})",
            ]
        )
    first = table(
        f"Commit → websocket event, every socket on one lead: PATCH /api/leads/{{id}} at "
        f"{setup['rate_per_s']:g}/s, one web process, {setup['compression']}, {setup['cpus']} CPUs",
        [
            "",
            "open",
            "commits",
            "delivered",
            "lost",
            "dup",
            "p50 ms",
            "p99 ms",
            "max ms",
            "sent→recv p99",
            "fan-out spread p50",
            "web CPU ms/commit",
            "client CPU ms/commit",
            "Redis conns (subs)",
        ],
        rows,
    )
    notes = [
        f"web process: `{setup['web']}`",
        "latency: client receive time − the event's `at` (set in the web process just before the INSERT, "
        "so before the commit); sent→recv: PATCH sent → event received; fan-out spread: first → last "
        "socket to receive the same event",
        f"web process Redis connections when idle, before any socket: {data['redis_idle']['total']} "
        f"({data['redis_idle']['subscriptions']} subscribed)",
    ]
    for r in rounds:
        exact = f"{r['sockets_exact']}/{r['opened']} sockets got exactly the {r['events_in_log']} events"
        notes.append(
            f"N={r['sockets']}: {exact}; out of order {r['sockets_out_of_order']}, unexpected "
            f"{r['unexpected']}, error frames {r['server_errors']}, other frames {r['other_frames']}, closed "
            f"by server {r['closed_by_server'] or 0}; connect {r['connect_s']:g}s, failures "
            f"{r['connect_failures']} {r['connect_failure_examples'] or ''}; PATCH p50/p99 "
            f"{fmt(r['patch_ms']['p50'])}/{fmt(r['patch_ms']['p99'])} ms, non-200 {r['commit_errors']}; "
            f"frame {fmt(r['frame_bytes'])} B; "
            f"load avg {r['loadavg_1m_before']}; Redis after connect {r['redis_after_connect']['total']} "
            f"({r['redis_after_connect']['subscriptions']} subs), last commands "
            f"{r['redis_during']['last_commands']}"
        )
    at_target = [r for r in rounds if r["sockets"] == TARGET_AT_SOCKETS]
    if at_target:
        p99 = at_target[0]["latency_ms"]["p99"]
        lost = at_target[0]["lost"] + at_target[0]["duplicated"] + at_target[0]["unexpected"]
        ok = p99 is not None and p99 < TARGET_P99_MS and lost == 0
        notes.append(
            f"target p99 < {TARGET_P99_MS:g} ms at {TARGET_AT_SOCKETS:,} sockets, none lost or duplicated: "
            f"{'met' if ok else 'NOT met'} (p99 {fmt(p99)} ms)"
        )
    subscriptions = {r["redis_during"]["subscriptions"] for r in rounds} | {
        data["redis_idle"]["subscriptions"]
    }
    notes.append(
        "target one Redis subscription per web process whatever N: "
        f"{'met' if subscriptions == {1} else 'NOT met'} (seen {sorted(subscriptions)})"
    )
    notes.append(f"web log ({LOG_NAME}.log): {data['log_lines']} lines, {data['log_errors']} at error level")
    return "\n\n".join([first, "\n".join(notes)])
