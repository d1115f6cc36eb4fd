"""The fan-out figures as a plain-text table and notes."""

from __future__ import annotations

from typing import Any

from bench.realtime_fanout.options import LOG_NAME
from bench.report import fmt, table

TARGET_P99_MS = 50.0
TARGET_AT_SOCKETS = 1000
TARGET_RATIO = 1.5  # hub / bare relay, p99 and CPU per socket-event, same run (issue 17)


def per_socket_us(r: dict[str, Any]) -> float | None:
    """Process CPU per socket per event, in microseconds."""
    cpu = r.get("web_cpu_ms_per_commit")
    return cpu * 1000 / r["opened"] if cpu is not None and r.get("opened") else None


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def relay_table(rounds: list[dict[str, Any]]) -> tuple[str, list[str]]:
    rows, notes = [], []
    for r in rounds:
        relay = r.get("relay")
        if relay is None:
            continue
        hub_cpu, relay_cpu = per_socket_us(r), per_socket_us(relay)
        p99_ratio = ratio(r["latency_ms"]["p99"], relay["latency_ms"]["p99"])
        cpu_ratio = ratio(hub_cpu, relay_cpu)
        rows.append(
            [
                f"{r['sockets']:,} sockets",
                f"{fmt(r['latency_ms']['p50'])} / {fmt(r['latency_ms']['p99'])}",
                f"{fmt(relay['latency_ms']['p50'])} / {fmt(relay['latency_ms']['p99'])}",
                fmt(p99_ratio, 2),
                fmt(hub_cpu),
                fmt(relay_cpu),
                fmt(cpu_ratio, 2),
                f"{relay['lost']} / {relay['duplicated']}",
            ]
        )
        if r["sockets"] == TARGET_AT_SOCKETS:
            met = [x is not None and x <= TARGET_RATIO for x in (p99_ratio, cpu_ratio)]
            notes.append(
                f"target at {TARGET_AT_SOCKETS:,} sockets, hub ≤ {TARGET_RATIO:g}× the bare relay: p99 "
                f"{fmt(p99_ratio, 2)}× ({'met' if met[0] else 'NOT met'}), CPU per socket-event "
                f"{fmt(cpu_ratio, 2)}× ({'met' if met[1] else 'NOT met'})"
            )
    title = "The hub against the bare relay (bench/realtime_fanout/bare_relay.py), same clients, same run"
    header = [
        "",
        "hub p50 / p99 ms",
        "relay p50 / p99 ms",
        "p99 ratio",
        "hub CPU µs/socket-event",
        "relay CPU µs/socket-event",
        "CPU ratio",
        "relay lost / dup",
    ]
    return (table(title, header, rows) if rows else ""), notes


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
    second, relay_notes = relay_table(rounds)
    if setup.get("relay"):
        relay_notes.append(f"bare relay process: `{setup['relay']}`")
    return "\n\n".join(part for part in [first, "\n".join(notes), second, "\n".join(relay_notes)] if part)
