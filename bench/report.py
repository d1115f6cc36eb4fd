"""Latency summaries, the plain-text table the benchmarks print, their progress notes and their command
lines' common end."""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

Figures = dict[str, Any]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def spread(values: Sequence[float], digits: int = 2) -> dict[str, float | None]:
    """p50, p99 and max, rounded."""
    return {
        "p50": rounded(percentile(values, 50), digits),
        "p99": rounded(percentile(values, 99), digits),
        "max": rounded(max(values) if values else None, digits),
    }


def fmt(value: float | int | str | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """First column left-aligned, the others right-aligned, under a title line."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([title, rule, line(header), rule, *(line(row) for row in rows), rule])


def note(text: str) -> None:
    """A progress note on stderr: stdout carries only the figures."""
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def run_cli(
    run: Callable[[], Coroutine[Any, Any, Figures]],
    as_json: bool,
    render: Callable[[Figures], str],
    note: Callable[[str], None],
) -> int:
    """A benchmark's main() after its arguments: run it and print its figures, as JSON or as `render` makes
    them, and 0; on Ctrl-C (or SIGTERM, which the run turns into a cancellation of itself) a note and 130."""
    try:
        data = asyncio.run(run())
    except (KeyboardInterrupt, asyncio.CancelledError):
        note("interrupted; everything the run started was stopped")
        return 130
    print(json.dumps(data, indent=2) if as_json else render(data))
    return 0
