"""The webhook ingest figures as plain-text tables and notes."""

from __future__ import annotations

from typing import Any

from bench.report import fmt, table
from bench.webhook_ingest.accept import MAX_P99_RATIO, MIN_RPS_RATIO
from bench.webhook_ingest.drain import DRAIN_TIMEOUT_S


def render(data: dict[str, Any]) -> str:
    return "\n\n".join([accept(data), process(data), latency(data), drafts(data), notes(data)])


def accept(data: dict[str, Any]) -> str:
    setup, ingest = data["setup"], data["ingest"]
    rps, p99 = ingest["ratio_webhook_to_bare_rps"], ingest["ratio_webhook_to_bare_p99"]
    rows = [
        _load_cells("bare INSERT (baseline)", ingest["bare"]),
        _load_cells("POST /api/webhooks (no worker)", ingest["webhook"]),
        ["ratio webhook / bare", "", "", fmt(rps, 3), "", fmt(p99, 3), "", ""],
    ]
    return table(
        f"Webhook accept: {setup['concurrency']} concurrent senders, {setup['requests']} requests each "
        f"after {setup['warmup']} warm-up ({setup['cpus']} CPUs)",
        ["", "requests", "seconds", "req/s", "p50 ms", "p99 ms", "non-200", "server CPU ms/req"],
        rows,
    )


def process(data: dict[str, Any]) -> str:
    p = data["process"]
    outcomes = p["outcomes"]
    return table(
        f"Process: the accept part's {p['backlog']:,} waiting webhooks drained by one ingest-only worker "
        f"process, `{p['worker']}`",
        ["", "messages", "seconds", "msg/s per process", "worker CPU ms/msg", "ended processed", "other"],
        [
            [
                "first processed → none received",
                f"{p['drained_in_window']:,}",
                fmt(p["drain_s"], 2),
                fmt(p["messages_per_s_per_worker_process"]),
                fmt(p["worker_cpu_ms_per_message"], 2),
                f"{outcomes['statuses'].get('processed', 0):,}/{p['backlog']:,}",
                _others(outcomes["statuses"]),
            ]
        ],
    )


def latency(data: dict[str, Any]) -> str:
    lat, setup = data["latency"], data["setup"]
    return table(
        f"Accepted → message created: {lat['planned']} undrafted replies at {lat['rate_per_s']:g}/s, "
        f"`{setup['worker']}` (every queue)",
        ["", "count", "p50 ms", "p99 ms", "max ms"],
        [
            [
                "processed_at − 200 received by the client",
                str(_processed(lat)),
                *_spread_cells(lat["accepted_to_processed_ms"]),
            ],
            [
                "processed_at − received_at (server clocks)",
                str(_processed(lat)),
                *_spread_cells(lat["received_to_processed_ms"]),
            ],
        ],
    )


def drafts(data: dict[str, Any]) -> str:
    setup, d = data["setup"], data["drafts"]
    return table(
        f"Received → pending draft committed: {d['planned']} interested replies at "
        f"{d['rate_per_s']:g}/s, `{setup['worker']}`, {setup['provider']}",
        ["", "p50 ms", "p99 ms", "max ms"],
        [
            ["draft.created_at − webhook received_at", *_spread_cells(d["received_ms"])],
            ["draft.created_at − message.created_at", *_spread_cells(d["db_ms"])],
            ["client: POST sent → draft visible", *_spread_cells(d["observed_ms"])],
        ],
    )


def notes(data: dict[str, Any]) -> str:
    ingest, p, lat, d = data["ingest"], data["process"], data["latency"], data["drafts"]
    webhook = ingest["webhook"]
    answers = ", ".join(f"{k} {v}" for k, v in sorted(webhook["outcomes"].items()))
    capped = webhook["requests"] < webhook["planned"]
    lines = [
        f"targets: webhook req/s ≥ {MIN_RPS_RATIO:g}× bare: {_met(ingest['target_rps_ratio_met'])}; "
        f"webhook p99 ≤ {MAX_P99_RATIO:g}× bare: {_met(ingest['target_p99_ratio_met'])}",
        f"webhook answers: {answers or 'none'}; non-200 kinds: webhook {webhook['non_200_kinds'] or 'none'}, "
        f"bare {ingest['bare']['non_200_kinds'] or 'none'}; warm-up non-200: {ingest['warmup_non_200']}"
        + (f"; stopped at the time cap, {webhook['requests']} of {webhook['planned']}" if capped else ""),
        "database sessions during the webhook load, on average: "
        + ", ".join(f"{k} {v:g}" for k, v in webhook["db_sessions"].items()),
        "client CPU ms/req (this process): "
        f"bare {fmt(ingest['bare']['client_cpu_ms_per_request'], 2)}, "
        f"webhook {fmt(webhook['client_cpu_ms_per_request'], 2)}",
        f"process: worker boot (start → first processed) {fmt(p['boot_s'], 2)} s, not counted; "
        f"msg/s from the rows' processed_at span {fmt(p['messages_per_s_from_processed_at'])}; "
        f"results {p['outcomes']['results'] or 'none'}; still received at the {DRAIN_TIMEOUT_S:g}s cap: "
        f"{p['left_at_cap']}; flushed {p['flushed_redis_keys']} Redis keys (unrun post-processing jobs)",
        f"latency: {lat['accepted']}/{lat['planned']} accepted (send errors {lat['send_errors'] or 'none'}), "
        f"rows {lat['statuses']}; p50 first vs last quarter {fmt(lat['accepted_ms_p50_first_quarter'])} vs "
        f"{fmt(lat['accepted_ms_p50_last_quarter'])} ms; post-processing caught up "
        f"{fmt(lat['post_processing_caught_up_s'], 2)} s after the last answer",
        f"drafts arrived: {d['drafts']}/{d['accepted']} accepted webhooks "
        f"({d['planned']} sent, send errors {d['send_errors'] or 0}), "
        f"draft failures: {d['draft_failures']}, model calls: {fmt(d['model_calls'])}",
        f"draft latency (from received) p50, first vs last quarter of the sends: "
        f"{fmt(d['received_ms_p50_first_quarter'])} vs {fmt(d['received_ms_p50_last_quarter'])} ms; "
        "CPU ms per message: " + ", ".join(f"{k} {fmt(v, 2)}" for k, v in d["cpu_ms_per_message"].items()),
        "error lines in process logs: " + ", ".join(f"{k} {v}" for k, v in data["log_errors"].items()),
    ]
    return "\n".join(lines)


def _load_cells(label: str, s: dict[str, Any]) -> list[str]:
    figures = (s["requests"], s["wall_s"], s["rps"], s["p50_ms"], s["p99_ms"], s["non_200"])
    return [label, *(fmt(value) for value in figures), fmt(s["server_cpu_ms_per_request"], 2)]


def _spread_cells(spread: dict[str, float | None]) -> list[str]:
    return [fmt(spread["p50"]), fmt(spread["p99"]), fmt(spread["max"])]


def _processed(lat: dict[str, Any]) -> int:
    return int(lat["statuses"].get("processed", 0))


def _others(statuses: dict[str, int]) -> str:
    others = {k: v for k, v in statuses.items() if k != "processed"}
    return ", ".join(f"{k} {v}" for k, v in sorted(others.items())) or "0"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"
