"""Start the Procfile's roles (and the baseline app) as real processes, and always stop them."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import aiohttp

from server.launcher import procfile

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = Path(__file__).resolve().parent / "logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_env(
    *, database_url: str, redis_url: str, namespace: str, unset: tuple[str, ...] = (), **settings: str
) -> dict[str, str]:
    """This environment for a Procfile process of a benchmark: without the `unset` variables (so the
    Procfile's or the server's defaults apply), on the benchmark's database and Dramatiq namespace, quiet
    logs, plus `settings`."""
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DRAMATIQ_NAMESPACE=namespace,
        LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


def procfile_command(role: str, env: dict[str, str]) -> list[str]:
    """The Procfile's line for `role`, read the one way the launcher and the tests read it."""
    return procfile.command(role, env)


def venv_argv(argv: list[str]) -> list[str]:
    program = Path(sys.executable).parent / argv[0]
    return [str(program), *argv[1:]] if program.exists() else argv


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path = field(init=False)
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)

    def start(self) -> Process:
        LOG_DIR.mkdir(exist_ok=True)
        self.log_path = LOG_DIR / f"{self.name}.log"
        self._log = self.log_path.open("wb")
        # A session of its own: Ctrl-C reaches only the benchmark, which then stops this process itself.
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                # The whole group: dramatiq's forked worker processes too.
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def cpu_seconds(self) -> float | None:
        """User + system CPU time so far of the process and its live descendants (dramatiq forks its
        workers); None where /proc is not there."""
        if self.popen is None:
            return None
        stats = _proc_stats()
        if self.popen.pid not in stats:
            return None
        pids, found = {self.popen.pid}, True
        while found:
            children = {pid for pid, (ppid, _) in stats.items() if ppid in pids} - pids
            pids |= children
            found = bool(children)
        return sum(stats[pid][1] for pid in pids)

    def error_lines(self) -> list[str]:
        """Lines at ERROR or CRITICAL level in any of the formats the processes write, and tracebacks."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if _is_error(line)]


def _proc_stats() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds) of every process /proc shows."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # After "pid (comm)": state, ppid, ..., utime and stime at indexes 11 and 12.
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return stats


_ERROR_PREFIXES = ("error", "critical", "traceback")
_ERROR_NEEDLES = ("[error]", "[critical]", '"level": "error"', '"level": "critical"', "'level': 'error'")


def _is_error(line: str) -> bool:
    lowered = line.lower()
    return lowered.startswith(_ERROR_PREFIXES) or any(needle in lowered for needle in _ERROR_NEEDLES)


class Processes:
    """Every process the benchmark started, stopped in reverse order however the run ends."""

    def __init__(self) -> None:
        self._all: list[Process] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        process = Process(name, argv, env).start()
        self._all.append(process)
        return process

    def command(self, name: str) -> str:
        """The command line of the started process `name`, its program without the venv path."""
        argv = next(process.argv for process in self._all if process.name == name)
        return shlex.join([Path(argv[0]).name, *argv[1:]])

    def error_lines(self) -> dict[str, list[str]]:
        return {process.name: process.error_lines() for process in self._all}

    def stop_all(self) -> None:
        for process in reversed(self._all):
            process.stop()
        self._all.clear()


async def wait_http(
    url: str, process: Process, *, ok: frozenset[int] = frozenset({200}), timeout_s: float = 30.0
) -> None:
    """Wait until GET url answers with one of the `ok` statuses."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if not process.running:
                raise RuntimeError(f"{process.name} exited early; see {process.log_path}")
            try:
                async with http.get(url) as response:
                    if response.status in ok:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} did not answer {sorted(ok)} within {timeout_s}s; see {process.log_path}")
