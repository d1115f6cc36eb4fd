"""Close every websocket of this process with 1001 "going away" as soon as it is told to stop.

uvicorn, on SIGTERM or SIGINT, closes open websockets itself with 1012 ("service restart") before the
application's shutdown hook runs. Clients reconnect on either code, but 1001 is the one that says "this
process is going away, resume elsewhere", so the handlers uvicorn installed are chained: ours queues the close
frames on the event loop, then hands the signal on unchanged (a second Ctrl-C still forces the exit).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def close_on_stop_signals(close_all: Callable[[], None]) -> bool:
    """Chain `close_all` in front of the server's own stop-signal handlers; True when installed.

    Left alone when no server handles the signals (tests, the app embedded elsewhere): the default
    action must stay the default.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    loop = asyncio.get_running_loop()
    installed = False
    for signum in STOP_SIGNALS:
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue
        signal.signal(signum, _chained(loop, close_all, previous))
        installed = True
    return installed


def _chained(
    loop: asyncio.AbstractEventLoop,
    close_all: Callable[[], None],
    previous: Callable[[int, FrameType | None], object],
) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(close_all)
        previous(signum, frame)

    return handler
