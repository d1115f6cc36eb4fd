"""Closed-loop load (N concurrent senders) and open-loop paced sends, with per-request latency."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import aiohttp

from bench.report import percentile, rounded

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Shot:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (connection error, timeout)
    latency_ms: float
    payload: bytes = b""
    error: str | None = None
    # Wall clock (epoch seconds) when the answer arrived: comparable with the database's timestamps.
    answered_at: float = 0.0

    def data(self) -> dict[str, object]:
        """The envelope's data object of a JSON answer, {} for anything else."""
        try:
            decoded = json.loads(self.payload)
        except ValueError:
            return {}
        data = decoded.get("data") if isinstance(decoded, dict) else None
        return data if isinstance(data, dict) else {}


@dataclass
class LoadResult:
    name: str
    planned: int
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    non_200: Counter[str] = field(default_factory=Counter)  # "HTTP 500", "ClientOSError", ...
    outcomes: Counter[str] = field(default_factory=Counter)  # the answers' data.status, when asked for
    server_cpu_s: float | None = None  # CPU the server process used meanwhile
    client_cpu_s: float = 0.0  # CPU this (sending) process used meanwhile
    db_sessions: dict[str, float] = field(default_factory=dict)  # average sessions by state, when sampled

    @property
    def answered(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.answered / self.wall_s if self.wall_s else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "requests": self.answered,
            "planned": self.planned,
            "wall_s": round(self.wall_s, 3),
            "rps": round(self.rps, 1),
            "p50_ms": rounded(percentile(self.latencies_ms, 50)),
            "p99_ms": rounded(percentile(self.latencies_ms, 99)),
            "non_200": sum(self.non_200.values()),
            "non_200_kinds": dict(self.non_200),
            "outcomes": dict(self.outcomes),
            "server_cpu_ms_per_request": self._per_request(self.server_cpu_s),
            "client_cpu_ms_per_request": self._per_request(self.client_cpu_s),
            "db_sessions": self.db_sessions,
        }

    def _per_request(self, cpu_s: float | None) -> float | None:
        return round(cpu_s * 1000 / self.answered, 2) if cpu_s is not None and self.answered else None


def client(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    return aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT)


async def post(http: aiohttp.ClientSession, shot: Shot) -> Answer:
    started = time.perf_counter()
    try:
        async with http.post(shot.url, data=shot.body, headers=shot.headers) as response:
            payload = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Answer(None, (time.perf_counter() - started) * 1000, error=type(exc).__name__)
    return Answer(status, (time.perf_counter() - started) * 1000, payload, answered_at=time.time())


def _record(result: LoadResult, answer: Answer, with_outcome: bool) -> None:
    if answer.status is None:
        result.non_200[answer.error or "error"] += 1
        return
    result.latencies_ms.append(answer.latency_ms)
    if answer.status != 200:
        result.non_200[f"HTTP {answer.status}"] += 1
    elif with_outcome:
        result.outcomes[str(answer.data().get("status"))] += 1


async def drive(
    name: str, shots: list[Shot], *, concurrency: int, max_seconds: float, with_outcome: bool = False
) -> LoadResult:
    """Send every shot from `concurrency` senders, each waiting for its answer; stop early at max_seconds."""
    result = LoadResult(name, planned=len(shots))
    pending: Iterable[Shot] = iter(shots)
    async with client(concurrency) as http:
        started, cpu_started = time.perf_counter(), time.process_time()
        deadline = started + max_seconds

        async def sender() -> None:
            for shot in pending:  # one shared iterator: each shot is sent once
                if time.perf_counter() > deadline:
                    return
                _record(result, await post(http, shot), with_outcome)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
        result.client_cpu_s = time.process_time() - cpu_started
    return result


async def paced(shots: list[Shot], *, rate: float, on_answer: Callable[[Answer, float], None]) -> float:
    """Send shot i at start + i/rate whatever the answers take; on_answer(answer, sent_at_perf_counter).

    Returns the seconds from the first send to the last answer."""
    async with client(100) as http:
        start = time.perf_counter()

        async def one(i: int, shot: Shot) -> None:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            sent_at = time.perf_counter()
            on_answer(await post(http, shot), sent_at)

        await asyncio.gather(*(one(i, shot) for i, shot in enumerate(shots)))
        return time.perf_counter() - start
