"""Run the Procfile's roles (and any extra commands, such as the demo's provider simulator) as child
processes; stop them all on Ctrl-C, SIGTERM, or when one dies."""

from __future__ import annotations

import signal
import subprocess
import time
from types import FrameType

from server.launcher import procfile

STOP_TIMEOUT_S = 20


class Supervisor:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = False

    def start(self, role: str) -> None:
        self.start_command(role, procfile.command(role, self.env))

    def start_command(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        """`argv` as child `name`, with the shared environment plus `env`."""
        # Each child gets its own session, so the terminal's Ctrl-C reaches only us and we stop them in order.
        self.children[name] = subprocess.Popen(argv, env={**self.env, **(env or {})}, start_new_session=True)

    def run(self, roles: list[str], extra: dict[str, tuple[list[str], dict[str, str]]] | None = None) -> int:
        """Start the `extra` commands (name → argv and its own environment), then the roles, and wait. Returns
        0 after a requested stop, 1 when a child died on its own."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, (argv, env) in (extra or {}).items():
                self.start_command(name, argv, env)
            for role in roles:
                self.start(role)
            while not self._stopping:
                for role, child in self.children.items():
                    if child.poll() is not None:
                        print(f"setterdesk: {role} exited with code {child.returncode}; stopping the rest")
                        self.stop()
                        return 1
                time.sleep(0.2)
            self.stop()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
