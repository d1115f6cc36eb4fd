"""The command line: `python -m bench.realtime_fanout --help`."""

from __future__ import annotations

import argparse
import sys

import bench.realtime_fanout
from bench.realtime_fanout.options import Options
from bench.realtime_fanout.render import render
from bench.realtime_fanout.run import run
from bench.report import note, run_cli


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse_args(argv: list[str] | None = None) -> Options:
    description = (bench.realtime_fanout.__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bench.realtime_fanout", description=description)
    parser.add_argument("--sockets", default="1,100,1000", help="socket counts, comma-separated")
    parser.add_argument(
        "--commits", default="50,50,30", help="commits per socket count (one value: the same for all)"
    )
    parser.add_argument("--rate", type=float, default=5.0, help="commits per second")
    parser.add_argument("--connect-batch", type=int, default=100, help="websocket handshakes at a time")
    parser.add_argument("--settle", type=float, default=15.0, help="wait after the last commit (s)")
    parser.add_argument("--warmup", type=int, default=5, help="commits with one socket first, not reported")
    parser.add_argument("--no-compression", action="store_true", help="do not offer permessage-deflate")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--no-relay", action="store_true", help="skip the bare relay's rounds")
    args = parser.parse_args(argv)
    sockets, commits = _ints(args.sockets), _ints(args.commits)
    if len(commits) == 1:
        commits = commits * len(sockets)
    if not sockets or len(commits) != len(sockets) or min(sockets + commits) < 1:
        parser.error("--sockets and --commits: positive counts, one commit count per socket count (or one)")
    if args.rate <= 0 or args.connect_batch < 1:
        parser.error("--rate and --connect-batch must be positive")
    return Options(
        sockets=sockets,
        commits=commits,
        rate=args.rate,
        connect_batch=args.connect_batch,
        settle_s=args.settle,
        warmup=args.warmup,
        compression=not args.no_compression,
        redis_url=args.redis_url,
        as_json=args.json,
        relay=not args.no_relay,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    return run_cli(lambda: run(opts), opts.as_json, render, note)


if __name__ == "__main__":
    sys.exit(main())
