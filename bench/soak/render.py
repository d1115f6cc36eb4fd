"""The soak figures as plain-text tables and notes."""

from __future__ import annotations

from typing import Any

from bench.report import fmt, table
from bench.soak.checks import COUNTS, MAX_GROWTH_PCT

HEADERS = {"duplicated": "dup", "out_of_order": "out of order", "gave_up": "gave up"}


def render(data: dict[str, Any]) -> str:
    return "\n\n".join([latencies(data), ingest(data), per_socket(data), resources(data), notes(data)])


def title(setup: dict[str, Any]) -> str:
    team = setup["sockets_per_workspace"]
    return (
        f"Soak: {setup['sockets']:,} sockets in {setup['workspaces']:,} "
        f"workspace{'s' if setup['workspaces'] != 1 else ''} ({fmt(team)} per workspace; "
        f"{setup['lead_sockets']:,} on {setup['hot_leads']} hot leads, the rest on their inbox) "
        f"on 2 web processes, {setup['rate_per_s']:g} webhooks/s "
        f"for {setup['duration_s']:g}s after {setup['warmup_s']:g}s warm-up, 2 workers, "
        f"{setup['model']}, {setup['cpus']} CPUs"
    )


def latencies(data: dict[str, Any]) -> str:
    hooks, deliveries = data["webhooks"], data["deliveries"]
    fanout = deliveries["fanout_ms"]
    return table(
        title(data["setup"]),
        ["", "count", "rate/s", "p50 ms", "p99 ms", "max ms", "non-200"],
        [
            [
                "POST /api/webhooks (measured)",
                f"{hooks['answered']:,}/{hooks['planned']:,}",
                fmt(hooks["achieved_rate_per_s"]),
                fmt(hooks["p50_ms"]),
                fmt(hooks["p99_ms"]),
                fmt(hooks["max_ms"]),
                str(hooks["non_200"]),
            ],
            [
                "event fan-out (recv − at)",
                f"{deliveries['deliveries']:,}",
                "",
                fmt(fanout["p50"]),
                fmt(fanout["p99"]),
                fmt(fanout["max"]),
                "",
            ],
        ],
    )


def ingest(data: dict[str, Any]) -> str:
    i = data["ingest"]
    drained = (
        fmt(i["drain_s"], 2)
        if i["drain_s"] is not None
        else f"> {i['drain_cap_s']:g} ({i['left_at_drain_cap']} left)"
    )
    others = ", ".join(f"{k} {v}" for k, v in sorted(i["other_statuses"].items())) or "0"
    return table(
        "Accepted webhooks → processed by the workers (every send of the run: pre-warm, warm-up, measured)",
        ["", "accepted", "processed", "lost", "duplicates", "other statuses", "backlog drained s"],
        [
            [
                "webhook_events of the accepted answers",
                f"{i['accepted']:,}",
                f"{i['processed']:,}",
                f"{i['lost']:,}",
                f"{i['duplicates']:,}",
                others,
                drained,
            ]
        ],
    )


def per_socket(data: dict[str, Any]) -> str:
    deliveries, workspaces = data["deliveries"], data["setup"]["workspaces"]
    return table(
        f"Events per socket against the events table ({deliveries['events_in_table']:,} events in "
        f"{workspaces:,} workspace{'s' if workspaces != 1 else ''})",
        ["", *(HEADERS.get(count, count) for count in COUNTS)],
        [[kind, *(f"{k[count]:,}" for count in COUNTS)] for kind, k in sorted(deliveries["by_kind"].items())],
    )


def resources(data: dict[str, Any]) -> str:
    cpu = data["cpu_percent_of_one_core"]
    return table(
        "Memory (RSS with forked children, MB) and CPU (% of one core during the measured sends)",
        ["", "start", "end", "growth %", "peak", "after settle", "CPU %"],
        [
            [
                name,
                fmt(m["start"]),
                fmt(m["end"]),
                fmt(m["growth_pct"]),
                fmt(m["peak"]),
                fmt(m["after_settle"]),
                fmt(cpu.get(name)),
            ]
            for name, m in data["memory_mb"].items()
        ]
        + [["client (this process)", "", "", "", "", "", fmt(cpu["client (this process)"])]],
    )


def notes(data: dict[str, Any]) -> str:
    setup, hooks, deliveries, v = data["setup"], data["webhooks"], data["deliveries"], data["verdict"]
    lag, behind = data["client_loop_lag_ms"], hooks["send_behind_schedule_ms"]
    lines = [
        f"web: `{setup['web']}`; worker: `{setup['worker']}` (×2); scheduler: `{setup['scheduler']}`",
        f"sockets: {data['subscribed_at_start']:,}/{setup['sockets']:,} subscribed after "
        f"{data['connect_s']:g}s; server close codes {deliveries['close_codes'] or 'none'}; "
        f"error frames {deliveries['error_frames'] or 'none'}; "
        f"other frames (presence) {deliveries['other_frames']:,}",
        f"webhooks: outcomes {hooks['outcomes']}; non-200 kinds {hooks['non_200_kinds'] or 'none'}; "
        f"existing-lead share {hooks['existing_lead_share']:g}; sends behind schedule p50/p99/max "
        f"{fmt(behind['p50'])}/{fmt(behind['p99'])}/{fmt(behind['max'])} ms; "
        f"warm-up non-200 {data['warmup_webhooks']['non_200']}",
        f"redelivery as providers do ({setup['retries']} at most, 5 s doubling): {hooks['redelivered']:,} "
        f"webhooks redelivered with {hooks['redeliveries_sent']:,} retries, "
        f"{hooks['landed_on_retry']:,} of them then answered 200 {hooks['retry_outcomes'] or ''}; "
        f"delivered in the end {hooks['delivered']:,}/{hooks['planned']:,}",
        f"pipeline (all workspaces): {data['pipeline']}; webhook_events rows "
        f"{data['ingest']['rows_in_workspaces']['statuses']}; model calls {data['model_calls']:,}; "
        f"backlog drained {fmt(data['ingest']['drain_s'], 2)} s after the last send (cap "
        f"{data['ingest']['drain_cap_s']:g} s), then settled in {data['settle_s']:g}s",
        f"machine CPU during the sends {data['machine_cpu_percent']:g}%; client event-loop lag p50/p99/max "
        f"{fmt(lag['p50'])}/{fmt(lag['p99'])}/{fmt(lag['max'])} ms",
        f"processes alive at the end: {data['processes_alive_at_end']}; "
        f"error lines in logs: {data['log_errors']}",
        f"targets: webhook non-200 = 0: {_yes(v['webhook_non_200_zero'])}; every webhook delivered "
        f"(retries included): {_yes(v['every_webhook_delivered'])}; every accepted webhook processed: "
        f"{_yes(v['every_accepted_processed'])}; backlog drained within the cap: "
        f"{_yes(v['backlog_drained'])}; 0 socket events lost or duplicated: "
        f"{_yes(v['no_lost_or_duplicated'])}; every process's memory growth < {MAX_GROWTH_PCT:g}%: "
        f"{_yes(v['memory_growth_under_10pct'])}",
        "SATURATED (this machine could not drive the configuration): " + "; ".join(v["saturated"])
        if v["saturated"]
        else "not saturated: sends on schedule, client loop on time, no socket closed for being too slow",
    ]
    return "\n".join(lines)


def _yes(ok: bool) -> str:
    return "met" if ok else "NOT met"
