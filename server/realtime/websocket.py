"""GET /ws: subscriptions to leads and the inbox, presence, ping; one bounded backlog per socket.

A client that cannot keep up is closed (1013, "try again later") rather than slowing anyone else down;
it reconnects and resumes from its last event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any, cast

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy import select

from server.accounts.browser_session import SESSION_COOKIE, is_cross_site
from server.accounts.service import Principal, resolve_token
from server.core.db.engine import read_session
from server.core.db.models import Lead
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.realtime import presence
from server.realtime.hub import Hub, Subscription, text_message
from server.realtime.socket_sender import Send, SocketSender

log = get_logger(__name__)

MAX_EVENT_ID = 2**63 - 1  # events.id is a BIGINT: a larger last_event_id would fail the replay query
CLOSE_TOO_SLOW = 1013
CLOSE_GOING_AWAY = 1001
CLOSE_UNAUTHENTICATED = 4401
SERVER_SEND = "setterdesk.server_send"  # the ASGI server's send callable, put in the scope by server.app
CANNOT_RESUME = "cannot resume from that last_event_id (too many events missed, or an id no event has)"


class Connection:
    def __init__(self, socket: WebSocket[Any, Any, Any], principal: Principal, hub: Hub) -> None:
        self.id = uuid.uuid4().hex
        self.socket = socket
        self.principal = principal
        self.user_id = str(principal.user_id)
        self.hub = hub
        # Frames go to the ASGI server's own send once accepted (the framework's wrappers only track HTTP
        # responses and refuse a closed socket, which the server's send refuses too); Litestar's otherwise.
        send = socket.scope.get(SERVER_SEND) or socket.send  # type: ignore[misc]
        limit = get_settings().ws_send_queue_max
        self.sender = SocketSender(cast(Send, send), limit, on_overflow=self._too_slow)
        self.leads: dict[uuid.UUID, Subscription] = {}
        self.inbox: Subscription | None = None
        self.presence_leads: set[uuid.UUID] = set()
        self.close_code: int | None = None

    # --- sending ---------------------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Our own messages (acks, errors, pong). The hub writes events straight to `self.sender.push`: one
        encoded frame shared by every socket (socket_sender.py)."""
        self.sender.push(text_message(message))

    def _too_slow(self) -> None:
        log.warning("ws.too_slow", connection_id=self.id, user_id=str(self.principal.user_id))
        self.close(CLOSE_TOO_SLOW)

    def error(self, code: str, message: str) -> None:
        self.send({"type": "error", "code": code, "message": message})

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
            self.sender.close(code)

    # --- receiving -------------------------------------------------------------------------------------
    async def run(self) -> None:
        receiver = asyncio.create_task(self._receiver())
        try:
            await asyncio.wait({self.sender.finished, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            receiver.cancel()
            self.close(CLOSE_GOING_AWAY)  # no-op when already closing
            with contextlib.suppress(Exception):
                await self.sender.stop(grace_s=5)
            await self._cleanup()

    async def _receiver(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while self.close_code is None:
                raw = await self.socket.receive_data(mode="text")
                try:
                    message = msgspec.json.decode(raw if isinstance(raw, bytes) else raw.encode())
                except msgspec.DecodeError:
                    self.error("bad_request", "frames must be JSON objects")
                    continue
                if not isinstance(message, dict):
                    self.error("bad_request", "frames must be JSON objects")
                    continue
                try:
                    await self._dispatch(message)
                except Exception as exc:
                    log.error("ws.dispatch_failed", error_type=type(exc).__name__, connection_id=self.id)
                    self.error("unavailable", "the server could not handle that; retry shortly")

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "ping":
            self.send({"type": "pong"})
            if self.presence_leads:
                await presence.touch(list(self.presence_leads), self.id)
        elif kind == "subscribe":
            await self._subscribe_lead(message)
        elif kind == "subscribe_inbox":
            await self._subscribe_inbox(message)
        elif kind == "unsubscribe":
            await self._unsubscribe_lead(message)
        elif kind == "presence":
            await self._presence(message)
        else:
            self.error("bad_request", f"unknown message type {kind!r}")

    async def _own_lead(self, message: dict[str, Any]) -> uuid.UUID | None:
        """The lead id if it belongs to this user's workspace; otherwise an error is sent (never forbidden:
        another workspace's lead is simply not found)."""
        try:
            lead_id = uuid.UUID(str(message.get("lead_id")))
        except ValueError:
            self.error("not_found", "lead not found")
            return None
        async with read_session() as session:
            found = await session.scalar(
                select(Lead.id).where(Lead.id == lead_id, Lead.workspace_id == self.principal.workspace_id)
            )
        if found is None:
            self.error("not_found", "lead not found")
            return None
        return lead_id

    def _last_event_id(self, message: dict[str, Any]) -> tuple[bool, int | None]:
        value = message.get("last_event_id")
        if value is None:
            return True, None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EVENT_ID:
            self.error("bad_request", "last_event_id must be a non-negative integer or null")
            return False, None
        return True, value

    async def _subscribe_lead(self, message: dict[str, Any]) -> None:
        ok, last_event_id = self._last_event_id(message)
        lead_id = await self._own_lead(message) if ok else None
        if lead_id is None:
            return
        if (old := self.leads.pop(lead_id, None)) is not None:
            self.hub.unsubscribe(old)
        ack = {"type": "subscribed", "lead_id": str(lead_id)}
        key = (self.principal.workspace_id, lead_id)
        subscription = await self.hub.subscribe(key, self.sender.push, self.user_id, last_event_id, ack)
        if subscription is None:
            self.error(
                "resync_required",
                f"{CANNOT_RESUME}; refetch the lead",
            )
            return
        self.leads[lead_id] = subscription

    async def _subscribe_inbox(self, message: dict[str, Any]) -> None:
        ok, last_event_id = self._last_event_id(message)
        if not ok:
            return
        if self.inbox is not None:
            self.hub.unsubscribe(self.inbox)
        ack = {"type": "subscribed", "lead_id": None, "inbox": True}
        self.inbox = await self.hub.subscribe(
            (self.principal.workspace_id, None), self.sender.push, self.user_id, last_event_id, ack
        )
        if self.inbox is None:
            self.error(
                "resync_required",
                f"{CANNOT_RESUME}; refetch the inbox",
            )

    async def _unsubscribe_lead(self, message: dict[str, Any]) -> None:
        try:
            lead_id = uuid.UUID(str(message.get("lead_id")))
        except ValueError:
            self.error("not_found", "lead not found")
            return
        if (subscription := self.leads.pop(lead_id, None)) is not None:
            self.hub.unsubscribe(subscription)
        if lead_id in self.presence_leads:
            self.presence_leads.discard(lead_id)
            await presence.clear(self.principal.workspace_id, lead_id, self.id)

    async def _presence(self, message: dict[str, Any]) -> None:
        state, channel = message.get("state"), message.get("channel")
        if state not in presence.STATES or channel not in (None, "email", "sms", "linkedin"):
            self.error(
                "bad_request",
                "state must be viewing, composing or idle; channel email, sms, linkedin or null",
            )
            return
        lead_id = await self._own_lead(message)
        if lead_id is None:
            return
        self.presence_leads.add(lead_id)
        await presence.set_presence(
            self.principal.workspace_id,
            lead_id,
            self.id,
            user_id=self.principal.user_id,
            name=self.principal.name,
            state=state,
            channel=channel,
        )

    async def _cleanup(self) -> None:
        for subscription in self.leads.values():
            self.hub.unsubscribe(subscription)
        if self.inbox is not None:
            self.hub.unsubscribe(self.inbox)
        for lead_id in self.presence_leads:
            with contextlib.suppress(Exception):
                await presence.clear(self.principal.workspace_id, lead_id, self.id)


async def _authenticate(socket: WebSocket[Any, Any, Any]) -> Principal | None:
    token = socket.query_params.get("token")
    if not token:
        token = socket.cookies.get(SESSION_COOKIE)
        # Cookie-authenticated sockets must come from our own pages (cross-site websocket hijacking).
        if token and is_cross_site(socket.headers):
            return None
    if not token:
        return None
    return await resolve_token(token)


@websocket("/ws")
async def websocket_endpoint(socket: WebSocket[Any, Any, Any]) -> None:
    principal = await _authenticate(socket)
    if principal is None:
        await socket.close(code=CLOSE_UNAUTHENTICATED)  # before accept: the handshake is refused
        return
    await socket.accept()
    registry: set[Connection] = socket.app.state.connections
    connection = Connection(socket, principal, socket.app.state.hub)
    registry.add(connection)
    try:
        await connection.run()
    finally:
        registry.discard(connection)
