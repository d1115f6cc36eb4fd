"""Start the Procfile's roles as real processes for tests, and stop them for sure."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def procfile_command(role: str, env: dict[str, str]) -> list[str]:
    """The Procfile's line for `role`, with ${VAR:-default} expanded from env, run from the venv."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == role:
            expanded = subprocess.run(
                ["bash", "-c", f"echo {command.strip()}"], env=env, capture_output=True, text=True, check=True
            ).stdout.strip()
            argv = shlex.split(expanded)
            bin_dir = Path(sys.executable).parent
            if (bin_dir / argv[0]).exists():
                argv[0] = str(bin_dir / argv[0])
            elif argv[0] == "python":
                argv[0] = sys.executable
            return argv
    raise KeyError(role)


class Role:
    def __init__(self, role: str, env: dict[str, str], log_path: Path) -> None:
        self.role = role
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            procfile_command(role, env), env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
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
