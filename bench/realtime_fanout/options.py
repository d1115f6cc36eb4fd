"""The fan-out run's options."""

from __future__ import annotations

from dataclasses import dataclass

from bench.database import database_url

DATABASE_URL = database_url()
LOG_NAME = "realtime-web"  # bench/logs/realtime-web.log


@dataclass(frozen=True)
class Options:
    sockets: tuple[int, ...]
    commits: tuple[int, ...]
    rate: float
    connect_batch: int
    settle_s: float
    warmup: int
    compression: bool
    redis_url: str
    as_json: bool
    relay: bool = True  # also measure the bare relay (bare_relay.py) in each round
