"""Writing frames to one websocket without a task switch per frame (docs/ARCHITECTURE.md, "Real time").

The hub hands every subscribed socket the same encoded frame. A socket that keeps up is written to at once,
inside the caller's own step: the ASGI send of a socket whose transport is not paused completes without
ever suspending, so it is started by hand and almost always finishes on the spot. Only when it does suspend
(a slow client: its transport is paused until it reads) does the rest of that send move to a task of its
own, and later frames wait behind it in a bounded backlog, in order. A socket past its bound is closed with
1013. So a slow client never delays the others, and a fast one costs no queue and no task wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any

Message = dict[str, Any]
Send = Callable[[Message], Coroutine[Any, Any, None]]


class _Continuation:
    """Awaiting it finishes a coroutine that was started by hand and suspended yielding `first` (what a
    task would have been given to wait on). What the awaiting task is sent or thrown is passed on."""

    __slots__ = ("_coroutine", "_first")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], first: Any) -> None:
        self._coroutine = coroutine
        self._first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, waiting_on = self._coroutine, self._first
        while True:
            try:
                value = yield waiting_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as exc:  # cancelled while waiting: the coroutine decides what that means
                try:
                    waiting_on = coroutine.throw(exc)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                waiting_on = coroutine.send(value)
            except StopIteration as stop:
                return stop.value


class SocketSender:
    """The frames of one websocket, in order: written at once while the socket keeps up, else queued."""

    def __init__(self, send: Send, limit: int, on_overflow: Callable[[], None]) -> None:
        self._send = send  # the connection's ASGI send callable
        self._limit = limit
        self._on_overflow = on_overflow  # called once the backlog is full (the connection closes with 1013)
        self._backlog: deque[Message] = deque()
        self._drainer: asyncio.Task[None] | None = None  # set while a send is in flight
        self._closing = False
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def push(self, message: Message) -> None:
        """Write or queue one ASGI message (ignored once closing); a full backlog calls `on_overflow`."""
        if self._closing:
            return
        if self._drainer is None:
            self._start(message)
        elif len(self._backlog) < self._limit:
            self._backlog.append(message)
        else:
            self._on_overflow()

    def close(self, code: int) -> None:
        """Drop what is queued, send the close frame after the send in flight, then `finished`."""
        if self._closing:
            return
        self._closing = True
        self._backlog.clear()
        close = {"type": "websocket.close", "code": code, "reason": ""}
        if self._drainer is not None:
            self._backlog.append(close)
        else:
            self._start(close)
        if self._drainer is None:  # written at once (or failed): nothing more will be sent
            self._finish()

    def _start(self, message: Message) -> None:
        coroutine = self._send(message)
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
        except Exception:  # the client is gone: the receiver sees the disconnect and cleans up
            self._fail()
            return
        self._drainer = asyncio.ensure_future(self._drain(_Continuation(coroutine, waiting_on)))

    async def _drain(self, in_flight: _Continuation) -> None:
        try:
            await in_flight
            while self._backlog:
                await self._send(self._backlog.popleft())
        except Exception:
            self._fail()
            return
        finally:
            self._drainer = None
        if self._closing:
            self._finish()

    def _fail(self) -> None:
        self._backlog.clear()
        self._closing = True
        self._finish()

    def _finish(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)

    async def stop(self, grace_s: float) -> None:
        """Wait up to `grace_s` for the close frame to be written, then give up on whatever is in flight."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.finished), grace_s)
        if self._drainer is not None:
            self._drainer.cancel()
        self._finish()
