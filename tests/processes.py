"""Start the Procfile's roles as real processes for tests, and stop them for sure."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

from server.launcher import procfile

ROOT = procfile.PROCFILE.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Role:
    def __init__(self, role: str, env: dict[str, str], log_path: Path) -> None:
        self.role = role
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            procfile.command(role, env), env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def process_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")
