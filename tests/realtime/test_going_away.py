"""Stop signals close this process's websockets with 1001 before the server's own shutdown runs."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from server.realtime.going_away import STOP_SIGNALS, close_on_stop_signals


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


async def test_sigterm_closes_sockets_then_reaches_the_servers_handler(restore_signal_handlers: None) -> None:
    seen: list[str] = []

    def server_handler(signum: int, frame: FrameType | None) -> None:  # what uvicorn installs
        seen.append(f"server got {signal.Signals(signum).name}")

    for signum in STOP_SIGNALS:
        signal.signal(signum, server_handler)
    assert close_on_stop_signals(lambda: seen.append("sockets closed"))

    signal.raise_signal(signal.SIGTERM)
    await asyncio.sleep(0.05)  # the close runs on the event loop, right after the handler
    assert seen == ["server got SIGTERM", "sockets closed"]


async def test_left_alone_when_no_server_handles_the_signals(restore_signal_handlers: None) -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    assert not close_on_stop_signals(lambda: None)
    assert all(signal.getsignal(signum) is signal.SIG_DFL for signum in STOP_SIGNALS)
