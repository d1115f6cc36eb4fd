"""The webhook ingest run's options, its database and its Dramatiq namespace."""

from __future__ import annotations

from dataclasses import dataclass

from bench.database import database_url

DATABASE_URL = database_url()
NAMESPACE = "setterdesk-bench"


@dataclass(frozen=True)
class Options:
    requests: int
    warmup: int
    concurrency: int
    max_seconds: float
    latency_count: int
    latency_rate: float
    drafts: int
    draft_rate: float
    draft_timeout_s: float
    offline: bool
    keep_db: bool
    redis_url: str
    as_json: bool
