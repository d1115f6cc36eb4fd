"""The per-socket sender (server/realtime/socket_sender.py): frames written at once while the socket keeps up,
in order behind a send that had to wait, bounded, and closed last. The fake send below behaves like uvicorn's:
it waits only while its transport is paused, then writes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.realtime.socket_sender import SocketSender


class FakeSocket:
    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.written: list[Any] = []
        self.gone = False
        self.overflows = 0

    def overflowed(self) -> None:
        self.overflows += 1

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if self.gone:
            raise ConnectionResetError("client gone")
        self.written.append(message.get("text", ("close", message.get("code"))))


def text(n: int) -> dict[str, Any]:
    return {"type": "websocket.send", "text": f"frame {n}"}


async def test_a_socket_that_keeps_up_is_written_at_once_without_a_task() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=10, on_overflow=socket.overflowed)
    tasks_before = len(asyncio.all_tasks())
    for n in range(3):
        sender.push(text(n))
        assert socket.written[-1] == f"frame {n}"  # before this coroutine yields even once
    assert len(asyncio.all_tasks()) == tasks_before


async def test_frames_after_a_send_that_waits_follow_it_in_order() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=10, on_overflow=socket.overflowed)
    socket.writable.clear()  # the client stopped reading
    for n in range(4):
        sender.push(text(n))
    await asyncio.sleep(0.01)
    assert socket.written == []
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert socket.written == [f"frame {n}" for n in range(4)]
    sender.push(text(4))
    assert socket.written[-1] == "frame 4"  # written at once again


async def test_a_full_backlog_refuses_and_close_goes_out_last() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=2, on_overflow=socket.overflowed)
    socket.writable.clear()
    sender.push(text(0))  # in flight
    sender.push(text(1))  # the backlog
    sender.push(text(2))
    assert socket.overflows == 0
    sender.push(text(3))
    assert socket.overflows == 1
    sender.close(1013)
    assert not sender.finished.done()
    sender.push(text(4))  # ignored once closing
    socket.writable.set()
    await asyncio.wait_for(sender.finished, 1)
    assert socket.written == ["frame 0", ("close", 1013)]  # the backlog was dropped, the close frame kept


async def test_close_with_nothing_in_flight_finishes_at_once() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=2, on_overflow=socket.overflowed)
    sender.close(1001)
    assert sender.finished.done() and socket.written == [("close", 1001)]


async def test_a_client_that_vanished_finishes_the_sender() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=2, on_overflow=socket.overflowed)
    socket.gone = True
    sender.push(text(0))
    assert sender.finished.done()
    waiting = FakeSocket()
    late = SocketSender(waiting.send, limit=2, on_overflow=waiting.overflowed)
    waiting.writable.clear()
    late.push(text(0))
    waiting.gone = True
    waiting.writable.set()
    await asyncio.wait_for(late.finished, 1)


async def test_stop_gives_up_on_a_send_that_never_completes() -> None:
    socket = FakeSocket()
    sender = SocketSender(socket.send, limit=2, on_overflow=socket.overflowed)
    socket.writable.clear()
    sender.push(text(0))
    sender.close(1013)
    await sender.stop(grace_s=0.05)
    assert sender.finished.done()
    await asyncio.sleep(0)
    assert socket.written == []
    with pytest.raises(asyncio.InvalidStateError):
        sender.finished.set_result(None)
