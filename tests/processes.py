"""The product's processes (the Procfile's roles, or any command) for the tests and the benchmarks alike:
started with their output in a log file, measured, and stopped for sure.

The one place outside the launcher that starts them: tests and bench/ import it from here (bench already
depends on tests' fixtures and fake OpenAI server; the tests must not depend on benchmarks).

    web = start_role("web", process_env(PORT=str(port)), log_dir / "web.log")
    wait_http(f"http://127.0.0.1:{port}/healthz", process=web)
    ...
    stop_all([web])
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
import psutil

from server.launcher import procfile

ROOT = procfile.PROCFILE.parent
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_env(*, unset: Iterable[str] = (), **overrides: str) -> dict[str, str]:
    """This environment without the `unset` variables (so the Procfile's or the server's defaults apply),
    logs at INFO and unbuffered, then `overrides`."""
    skipped = set(unset)
    env = {name: value for name, value in os.environ.items() if name not in skipped}
    env.update({"LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def venv_argv(argv: list[str]) -> list[str]:
    """argv with its program taken from this interpreter's venv when it is there."""
    program = Path(sys.executable).parent / argv[0]
    return [str(program), *argv[1:]] if program.exists() else argv


class Process:
    """A child process in a session (process group) of its own, its output in `log_path`.

    The session of its own keeps the terminal's Ctrl-C away from it (whoever started it stops it), and lets
    SIGKILL reach what it forked (Dramatiq's worker processes). SIGTERM goes to the leader only, and once: a
    second SIGTERM makes Dramatiq kill its worker processes instead of letting them finish."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self._log = log_path.open("wb")
        self._terminated = False
        self.popen = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout)

    def terminate(self) -> None:
        """SIGTERM to the leader only, once: the graceful stop."""
        if self.alive() and not self._terminated:
            self._terminated = True
            self.popen.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to the whole process group: a crash, nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)
        deadline = time.monotonic() + 5
        while self.group() and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """The graceful stop, then SIGKILL to whatever of the group is left; closes the log."""
        if self.alive():
            self.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)
        self._log.close()

    def command(self) -> str:
        """The command line, its program without the venv path: what a report shows."""
        return shlex.join([Path(self.argv[0]).name, *self.argv[1:]])

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def error_lines(self) -> list[str]:
        """Lines at ERROR or CRITICAL level in any of the formats the processes write, and tracebacks."""
        return [line for line in self.output().splitlines() if _is_error(line)]

    def group(self) -> list[psutil.Process]:
        """The live processes of the process group (the leader and what it forked, even when orphaned)."""
        found = []
        for proc in psutil.process_iter(["pid"]):
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                if os.getpgid(proc.pid) == self.pid and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        return found

    def tree(self) -> list[psutil.Process]:
        """The process and its live descendants; empty once it has exited."""
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        return []

    def cpu_seconds(self) -> float | None:
        """User + system CPU so far of the process and its live descendants; None once it has exited."""
        return _total(self.tree(), lambda p: sum(p.cpu_times()[:2]))

    def rss_bytes(self) -> int | None:
        """Resident memory of the process and its live descendants; None once it has exited."""
        total = _total(self.tree(), lambda p: p.memory_info().rss)
        return None if total is None else int(total)


def start_role(role: str, env: dict[str, str], log_path: Path) -> Process:
    """The Procfile's line for `role`, read the one way the launcher reads it."""
    return Process(role, procfile.command(role, env), env, log_path)


def stop_all(processes: Iterable[Process]) -> None:
    """SIGTERM every process first (they stop in parallel), then make sure each is gone."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        process.stop()


class Processes:
    """Every process a run started, each logging to log_dir/<name>.log; stop_all() stops them all (the last
    started is the first to get SIGTERM), however the run ends."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._all: list[Process] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        process = Process(name, argv, env, self.log_dir / f"{name}.log")
        self._all.append(process)
        return process

    def start_role(self, name: str, role: str, env: dict[str, str]) -> Process:
        return self.start(name, procfile.command(role, env), env)

    def __getitem__(self, name: str) -> Process:
        return next(process for process in self._all if process.name == name)

    def error_lines(self) -> dict[str, list[str]]:
        return {process.name: process.error_lines() for process in self._all}

    def stop_all(self) -> None:
        stop_all(reversed(self._all))
        self._all.clear()


def wait_http(url: str, timeout: float = 30, process: Process | None = None) -> None:
    """Until GET url answers below 500 (a POST-only route's 405 counts: it is up); fails at once when
    `process` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited early; see {process.log_path}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    where = f"; see {process.log_path}" if process is not None else ""
    raise TimeoutError(f"{url} did not answer in {timeout}s{where}")


_ERROR_PREFIXES = ("error", "critical", "traceback")
_ERROR_NEEDLES = ("[error]", "[critical]", '"level": "error"', '"level": "critical"', "'level': 'error'")


def _is_error(line: str) -> bool:
    lowered = line.lower()
    return lowered.startswith(_ERROR_PREFIXES) or any(needle in lowered for needle in _ERROR_NEEDLES)


def _total(processes: list[psutil.Process], measure: Callable[[psutil.Process], float]) -> float | None:
    """The sum of `measure` over the processes that are still there; None when none is."""
    values = []
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            values.append(measure(proc))
    return sum(values) if values else None
