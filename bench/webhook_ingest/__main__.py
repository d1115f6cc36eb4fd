"""The command line: `python -m bench.webhook_ingest --help`."""

from __future__ import annotations

import argparse
import sys

import bench.webhook_ingest
from bench.database import BENCH_DB
from bench.report import note, run_cli
from bench.webhook_ingest.options import Options
from bench.webhook_ingest.render import render
from bench.webhook_ingest.run import run


def parse_args(argv: list[str] | None = None) -> Options:
    description = (bench.webhook_ingest.__doc__ or "").split("\n\n")[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_ingest", description=description)
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per target")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per target")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=20.0, help="cap on each load measurement")
    parser.add_argument("--latency-count", type=int, default=500, help="webhooks in the latency part")
    parser.add_argument("--latency-rate", type=float, default=25.0, help="webhooks per second there")
    parser.add_argument("--drafts", type=int, default=200, help="webhooks in the draft-latency part")
    parser.add_argument("--draft-rate", type=float, default=20.0, help="webhooks per second there")
    parser.add_argument("--draft-timeout", type=float, default=30.0, help="wait after the last send (s)")
    parser.add_argument("--offline", action="store_true", help="the embedded offline model provider")
    parser.add_argument("--keep-db", action="store_true", help=f"do not drop {BENCH_DB} first")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the tables")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.latency_count, args.drafts) < 1:
        parser.error("--requests, --concurrency, --latency-count and --drafts must be positive")
    if min(args.latency_rate, args.draft_rate, args.max_seconds) <= 0 or args.warmup < 0:
        parser.error("--latency-rate, --draft-rate and --max-seconds must be positive, --warmup not negative")
    return Options(
        requests=args.requests,
        warmup=args.warmup,
        concurrency=args.concurrency,
        max_seconds=args.max_seconds,
        latency_count=args.latency_count,
        latency_rate=args.latency_rate,
        drafts=args.drafts,
        draft_rate=args.draft_rate,
        draft_timeout_s=args.draft_timeout,
        offline=args.offline,
        keep_db=args.keep_db,
        redis_url=args.redis_url,
        as_json=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    return run_cli(lambda: run(opts), opts.as_json, render, note)


if __name__ == "__main__":
    sys.exit(main())
