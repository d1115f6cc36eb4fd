"""An aiohttp server on 127.0.0.1 running its own event loop in a background thread, so sync and async tests
(and the processes tests start, through its `base_url`) can talk to it alike. The fakes of the services we
call (`fake_openai.py`, `fake_providers.py`) are these, each adding its routes."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Self

from aiohttp import web


class BackgroundHttpServer:
    name = "fake-http"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError(f"{self.name} did not start")
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():  # never started: only the bound socket to let go
            self._sock.close()
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        self.add_routes(app)
        # Cancel a slow handler when its client gave up, and do not wait for stragglers at shutdown.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.SockSite(self._runner, self._sock).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()
