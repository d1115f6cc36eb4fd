"""The processes under test (two web, two workers, the scheduler), their memory and CPU, the client's lag."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import psutil

from bench.environment import bench_env
from bench.soak.options import DATABASE_URL, Options
from tests.processes import Process, Processes, free_port, wait_http

MEMORY_SAMPLE_S = 5.0
LAG_TICK_S = 0.1

Sample = dict[str, int | None]  # role → RSS bytes (None: not running)


def base_env(opts: Options, namespace: str, openai_url: str) -> dict[str, str]:
    return bench_env(
        database_url=DATABASE_URL,
        redis_url=opts.redis_url,
        namespace=namespace,
        # The Procfile's defaults: every queue, 1 process and 8 threads per worker; the server's send queue.
        unset=("WORKER_PROCESSES", "WORKER_THREADS", "WORKER_QUEUES", "WS_SEND_QUEUE_MAX"),
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="bench-key",
        OPENAI_BASE_URL=openai_url,
    )


@dataclass(frozen=True)
class Web:
    base: str
    process: Process

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://", 1) + "/ws"


def web_for(webs: list[Web], n: int, workspaces: int) -> Web:
    """The web process of the n-th socket (or webhook), which belongs to workspace n % workspaces as its
    (n // workspaces)-th: consecutive ones alternate, and so do those of one workspace, whatever the count."""
    return webs[(n % workspaces + n // workspaces) % len(webs)]


async def start_stack(procs: Processes, env: dict[str, str]) -> tuple[list[Web], dict[str, Process]]:
    """Two web processes, two workers and the scheduler, all from the Procfile; the roles by name."""
    webs: list[Web] = []
    for n in (1, 2):
        web_env = {**env, "PORT": str(free_port())}
        process = procs.start_role(f"soak-web-{n}", "web", web_env)
        webs.append(Web(f"http://127.0.0.1:{web_env['PORT']}", process))
    roles = {f"web-{n}": web.process for n, web in enumerate(webs, 1)}
    for n in (1, 2):
        roles[f"worker-{n}"] = procs.start_role(f"soak-worker-{n}", "worker", env)
    roles["scheduler"] = procs.start_role("soak-scheduler", "scheduler", env)
    for web in webs:
        await asyncio.to_thread(wait_http, f"{web.base}/healthz", process=web.process)
    return webs, roles


class Ticker:
    """A coroutine function called every `every_s` seconds in a task of its own, until stopped."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def tick(self) -> None:
        raise NotImplementedError

    async def _loop(self) -> None:
        while True:
            self.tick()
            await asyncio.sleep(self.every_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class LoopLag(Ticker):
    """How late this process's event loop wakes a 100 ms sleep: the client's own saturation."""

    def __init__(self) -> None:
        super().__init__(LAG_TICK_S)
        self.lags_ms: list[float] = []
        self._last: float | None = None

    def tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.lags_ms.append((now - self._last - LAG_TICK_S) * 1000)
        self._last = now


class Memory(Ticker):
    """RSS of every role every MEMORY_SAMPLE_S."""

    def __init__(self, roles: dict[str, Process]) -> None:
        super().__init__(MEMORY_SAMPLE_S)
        self.roles = roles
        self.samples: list[tuple[float, Sample]] = []
        self._t0 = time.monotonic()

    def tick(self) -> None:
        self.take()

    def take(self) -> Sample:
        # With what they forked: Dramatiq's worker processes.
        sample = {name: process.rss_bytes() for name, process in self.roles.items()}
        self.samples.append((round(time.monotonic() - self._t0, 1), sample))
        return sample

    def peak(self, name: str) -> int | None:
        values = [v for _, s in self.samples if (v := s.get(name)) is not None]
        return max(values) if values else None

    def table(self, start: Sample, end: Sample, settled: Sample) -> dict[str, dict[str, float | None]]:
        """MB at start, end and after settling, the growth from start to end and the peak, by role."""
        out: dict[str, dict[str, float | None]] = {}
        for name in start:
            s, e = start[name], end[name]
            out[name] = {
                "start": mb(s),
                "end": mb(e),
                "growth_pct": round((e - s) / s * 100, 1) if s and e is not None else None,
                "peak": mb(self.peak(name)),
                "after_settle": mb(settled[name]),
            }
        return out

    def samples_mb(self) -> list[dict[str, float | None]]:
        return [{"t_s": t, **{k: mb(v) for k, v in sample.items()}} for t, sample in self.samples]


def mb(value: int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


class Cpu:
    """CPU of every role and of this process between start() and stop(), as % of one core."""

    def __init__(self, roles: dict[str, Process]) -> None:
        self.roles = roles
        self.percent: dict[str, float] = {}
        self.machine_percent = 0.0

    def start(self) -> None:
        self._before = {name: p.cpu_seconds() for name, p in self.roles.items()}
        self._client_before, self._wall_before = time.process_time(), time.monotonic()
        psutil.cpu_percent()  # starts the machine-wide CPU measurement

    def stop(self) -> None:
        self.machine_percent = psutil.cpu_percent()
        wall = time.monotonic() - self._wall_before
        for name, process in self.roles.items():
            before, after = self._before[name], process.cpu_seconds()
            if before is not None and after is not None:
                self.percent[name] = round((after - before) / wall * 100, 1)
        self.percent["client (this process)"] = round(
            (time.process_time() - self._client_before) / wall * 100, 1
        )
