"""Every socket's deliveries against the events the commits wrote: lost, duplicated, out of order,
unexpected; the latencies."""

from __future__ import annotations

import itertools
from typing import Any

from bench.realtime_fanout.lead import Commit
from bench.realtime_fanout.sockets import Client
from bench.report import spread


def analyse(clients: list[Client], expected: list[int], made: list[Commit]) -> dict[str, Any]:
    """Lost, duplicated, out-of-order and unexpected deliveries; latency of each first delivery."""
    expected_set = set(expected)
    sent_at = {event_id: commit.sent for event_id, commit in zip(expected, made, strict=False)}
    at_ms: list[float] = []
    sent_ms: list[float] = []
    first_last: dict[int, list[float]] = {}
    lost = duplicated = unexpected = out_of_order = complete = 0
    frame_bytes: list[int] = []
    for client in clients:
        client.parse()  # anything that came after the wait
        ids = [event_id for _, event_id, _, _ in client.events]
        seen: set[int] = set()
        for received, event_id, at, size in client.events:
            if event_id in seen:
                continue
            seen.add(event_id)
            if event_id not in expected_set:
                continue
            at_ms.append((received - at) * 1000)
            if event_id in sent_at:
                sent_ms.append((received - sent_at[event_id]) * 1000)
            span = first_last.setdefault(event_id, [received, received])
            span[0], span[1] = min(span[0], received), max(span[1], received)
            frame_bytes.append(size)
        duplicated += len(ids) - len(seen)
        unexpected += len(seen - expected_set)
        lost += len(expected_set - seen)
        out_of_order += any(b <= a for a, b in itertools.pairwise(ids))
        complete += ids == expected
    spreads = [(last - first) * 1000 for first, last in first_last.values()]
    answer_ms = [(c.answered - c.sent) * 1000 for c in made]
    close_codes: dict[str, int] = {}
    for client in clients:
        if client.ws.close_code is not None:
            close_codes[str(client.ws.close_code)] = close_codes.get(str(client.ws.close_code), 0) + 1
    return {
        "events_in_log": len(expected),
        "commit_errors": sum(1 for c in made if c.status != 200),
        "deliveries_expected": len(expected) * len(clients),
        "delivered": len(at_ms),
        "lost": lost,
        "duplicated": duplicated,
        "unexpected": unexpected,
        "sockets_out_of_order": out_of_order,
        "sockets_exact": complete,
        "server_errors": sum(len(c.errors) for c in clients),
        "other_frames": sum(c.other for c in clients),
        "closed_by_server": close_codes,
        "frame_bytes": round(sum(frame_bytes) / len(frame_bytes)) if frame_bytes else None,
        "latency_ms": spread(at_ms),
        "sent_to_received_ms": spread(sent_ms),
        "fanout_spread_ms": spread(spreads),
        "patch_ms": spread(answer_ms),
    }
