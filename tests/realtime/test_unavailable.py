"""A dependency down while a socket asks for something (API.md, "Real time"): the socket is told
`unavailable` (retry shortly) and stays open; nothing is silently dropped."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.realtime.hub import Hub
from tests.conftest import Workspace


async def test_a_subscribe_while_a_dependency_is_down_is_answered_unavailable(
    client: AsyncTestClient[Any], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_down(*_: Any, **__: Any) -> None:
        raise ConnectionError("the event log cannot be read")

    monkeypatch.setattr(Hub, "subscribe", database_down)
    with await client.websocket_connect(f"/ws?token={workspace.token}") as socket:
        socket.send_json({"type": "subscribe_inbox"})
        frame = socket.receive_json(timeout=5)
        assert (frame["type"], frame["code"]) == ("error", "unavailable")
        monkeypatch.undo()  # back up: the same socket works
        socket.send_json({"type": "ping"})
        assert socket.receive_json(timeout=5) == {"type": "pong"}
        socket.send_json({"type": "subscribe_inbox"})
        assert socket.receive_json(timeout=5)["type"] == "subscribed"
