"""The command line: `python -m bench.soak --help`."""

from __future__ import annotations

import argparse
import sys

import bench.soak
from bench.report import note, run_cli
from bench.soak.options import Options
from bench.soak.render import render
from bench.soak.run import run


def parse_args(argv: list[str] | None = None) -> Options:
    description = (bench.soak.__doc__ or "").split("\n\n")[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=description)
    seconds = (  # flag, default, help; Options has them as <flag>_s
        ("--duration", 120.0, "measured seconds of webhooks"),
        ("--warmup", 10.0, "seconds of webhooks before measuring"),
        ("--drain", 300.0, "cap on the wait after the last send for no webhook left unprocessed (s)"),
        ("--settle", 60.0, "cap on the wait after that for events to stop and sockets to catch up (s)"),
    )
    for flag, default, text in seconds:
        parser.add_argument(
            flag, dest=f"{flag[2:]}_s", metavar="SECONDS", type=float, default=default, help=text
        )
    parser.add_argument("--rate", type=float, default=50.0, help="webhooks per second")
    parser.add_argument(
        "--sockets", type=int, default=1000, help="websocket clients, split over 2 web processes"
    )
    parser.add_argument(
        "--workspaces",
        type=int,
        default=50,
        help="workspaces (tenants); socket n and webhook n belong to workspace n %% N; 1: the worst case",
    )
    parser.add_argument(
        "--lead-share", type=float, default=0.5, help="share of each team's sockets on a lead, not the inbox"
    )
    parser.add_argument(
        "--existing-share", type=float, default=0.3, help="share of webhooks from existing leads"
    )
    parser.add_argument("--connect-batch", type=int, default=100, help="websocket handshakes at a time")
    parser.add_argument(
        "--retries",
        type=int,
        default=5,
        help="redeliveries of a webhook answered 5xx, 429 or not at all: 5 s, then doubling (0: none)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--json", dest="as_json", action="store_true", help="print JSON instead of the tables"
    )
    args = parser.parse_args(argv)
    if min(args.duration_s, args.rate) <= 0 or min(args.sockets, args.workspaces, args.connect_batch) < 1:
        parser.error("--duration, --rate, --sockets, --workspaces and --connect-batch must be positive")
    if not 0 <= args.retries <= 20:
        parser.error("--retries is between 0 and 20")
    if not 0 <= args.lead_share <= 1 or not 0 <= args.existing_share <= 1:
        parser.error("--lead-share and --existing-share are between 0 and 1")
    if (
        max(args.warmup_s, args.settle_s, args.drain_s) > 600
        or args.duration_s > 3600
        or args.workspaces > 1000
    ):
        parser.error(
            "bounded: --duration ≤ 3600 s, --warmup, --drain and --settle ≤ 600 s, --workspaces ≤ 1,000"
        )
    return Options(**vars(args))


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    return run_cli(lambda: run(opts), opts.as_json, render, note)


if __name__ == "__main__":
    sys.exit(main())
