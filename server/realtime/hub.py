"""One hub per web process: one Redis subscription, fanned out to this process's websocket subscriptions.

Redis messages are only pokes. What a client receives always comes from the event log, read once per
stream (a lead, or a workspace's inbox) per poke and filtered per subscription by the largest id it has
been sent, so publishes that arrive out of order, late or never cannot cause a gap or a duplicate. After a
lost Redis connection every stream is re-read, so events committed meanwhile still arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from server.core.event_schemas import LEAD_READ
from server.core.logging import get_logger
from server.core.publisher import EVENTS_PATTERN
from server.core.redis import subscription_client
from server.realtime import presence
from server.realtime.event_log import REPLAY_LIMIT, events_after, latest_event_id

log = get_logger(__name__)

PRESENCE_SWEEP_S = 5.0
REFRESH_PAGE = 5000

StreamKey = tuple[uuid.UUID, uuid.UUID | None]  # (workspace, lead); lead None = the inbox


SendMessage = dict[str, Any]  # an ASGI "websocket.send" message
# (event id, the message that carries it, the one user it is for or None for everyone of the workspace)
Frames = list[tuple[int, SendMessage, str | None]]


def text_message(message: dict[str, Any]) -> SendMessage:
    """The ASGI message that sends `message` as a JSON text frame."""
    return {"type": "websocket.send", "text": msgspec.json.encode(message).decode()}


def event_message(event: dict[str, Any]) -> SendMessage:
    """The message of one event, encoded once and shared by every subscription that gets it."""
    return text_message({"type": "event", "event": event})


def audience(event: dict[str, Any]) -> str | None:
    """Whom an event is for: `lead.read` reaches the reader's own sockets only (API.md, "Team workflow")."""
    return str(event["data"].get("user_id")) if event["type"] == LEAD_READ else None


def event_frames(events: list[dict[str, Any]]) -> Frames:
    return [(event["id"], event_message(event), audience(event)) for event in events]


@dataclass(eq=False)
class Subscription:
    key: StreamKey
    send: Callable[[SendMessage], None]  # writes (or queues) one message on the subscriber's socket
    user_id: str  # the subscriber: events for another user only move its high-water mark
    high_water: int = 0
    replaying: bool = False
    pending: Frames = field(default_factory=list)

    def deliver(self, frames: Frames) -> None:
        if self.replaying:
            self.pending.extend(frames)
            return
        for event_id, message, only_for in frames:
            if event_id > self.high_water:
                self.high_water = event_id
                if only_for is None or only_for == self.user_id:
                    self.send(message)


@dataclass(eq=False)
class Stream:
    key: StreamKey
    cursor: int = 0
    subscriptions: set[Subscription] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    refreshing: bool = False
    dirty: bool = False
    viewers: list[dict[str, Any]] | None = None  # presence last sent to this stream (lead streams)


class Hub:
    def __init__(self) -> None:
        self.streams: dict[StreamKey, Stream] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    def _spawn(self, coroutine: Any) -> None:
        # Keep a reference until done, or the loop may drop the task half-way.
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- lifecycle -------------------------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._sweep_presence())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            client = subscription_client()
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(EVENTS_PATTERN, presence.PRESENCE_PATTERN)
                    self.connected.set()
                    backoff = 0.2
                    log.info("hub.subscribed")
                    # Whatever committed while we were not subscribed is read from the log now.
                    for stream in list(self.streams.values()):
                        self._schedule_refresh(stream)
                    async for message in pubsub.listen():
                        if message.get("type") == "pmessage":
                            self._on_message(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("hub.redis_lost", error_type=type(exc).__name__, retry_in_s=backoff)
            finally:
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    def _on_message(self, channel: bytes, data: bytes) -> None:
        try:
            poke = msgspec.json.decode(data)
            workspace_id = uuid.UUID(poke["workspace_id"])
            lead_id = uuid.UUID(poke["lead_id"]) if poke.get("lead_id") else None
        except (msgspec.DecodeError, KeyError, ValueError, TypeError):
            return
        if channel.startswith(presence.PRESENCE_PREFIX.encode()):
            if lead_id is not None and (stream := self.streams.get((workspace_id, lead_id))):
                self._spawn(self._refresh_presence(stream))
            return
        if lead_id is not None and (lead_stream := self.streams.get((workspace_id, lead_id))):
            self._schedule_refresh(lead_stream)
        if inbox := self.streams.get((workspace_id, None)):
            self._schedule_refresh(inbox)

    # --- streams ---------------------------------------------------------------------------------------
    def _schedule_refresh(self, stream: Stream) -> None:
        if stream.refreshing:
            stream.dirty = True
            return
        self._spawn(self._refresh(stream))

    async def _refresh(self, stream: Stream) -> None:
        stream.refreshing = True
        backoff = 0.2
        try:
            while self.streams.get(stream.key) is stream:
                stream.dirty = False
                await stream.ready.wait()
                if not stream.subscriptions:
                    return
                workspace_id, lead_id = stream.key
                try:
                    events = await events_after(workspace_id, lead_id, stream.cursor, limit=REFRESH_PAGE)
                except Exception as exc:
                    # Retry until the log answers: no later poke may come to pick these events up.
                    log.warning("hub.refresh_failed", error_type=type(exc).__name__, retry_in_s=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    stream.dirty = True
                    continue
                backoff = 0.2
                if events:
                    stream.cursor = events[-1]["id"]
                    frames = event_frames(events)
                    for subscription in list(stream.subscriptions):
                        subscription.deliver(frames)
                if not stream.dirty and len(events) < REFRESH_PAGE:
                    return
        finally:
            stream.refreshing = False
            if stream.ready.is_set() and not stream.subscriptions and self.streams.get(stream.key) is stream:
                self.streams.pop(stream.key, None)

    async def _stream(self, key: StreamKey) -> Stream:
        stream = self.streams.get(key)
        if stream is None:
            stream = self.streams[key] = Stream(key=key)
            try:
                stream.cursor = await latest_event_id(*key)
            finally:
                stream.ready.set()
        await stream.ready.wait()
        return stream

    async def subscribe(
        self,
        key: StreamKey,
        send: Callable[[SendMessage], None],
        user_id: str,
        last_event_id: int | None,
        ack: dict[str, Any],
    ) -> Subscription | None:
        """Send `ack` (+ last_event_id), the missed events (from the log), then live ones.

        Returns None when the client is too far behind, or claims an id no event of its workspace has (a
        browser that kept its id across a database restore would otherwise wait, silently, until the ids
        caught up): it must refetch over REST (resync_required).
        """
        if last_event_id is not None and last_event_id > await latest_event_id(key[0], None):
            return None
        stream = await self._stream(key)
        subscription = Subscription(key=key, send=send, user_id=user_id, replaying=last_event_id is not None)
        subscription.high_water = stream.cursor if last_event_id is None else last_event_id
        stream.subscriptions.add(subscription)
        send(text_message({**ack, "last_event_id": subscription.high_water}))
        if key[1] is not None:
            self._spawn(self._send_presence(stream, subscription))
        if last_event_id is None:
            return subscription
        try:
            missed = await events_after(key[0], key[1], last_event_id)
        except BaseException:  # cancelled too (socket closed mid-replay): never leave it subscribed
            self.unsubscribe(subscription)
            raise
        if len(missed) > REPLAY_LIMIT:
            self.unsubscribe(subscription)
            return None
        subscription.replaying = False
        subscription.deliver(event_frames(missed))
        pending, subscription.pending = subscription.pending, []
        subscription.deliver(pending)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        stream = self.streams.get(subscription.key)
        if stream is None:
            return
        stream.subscriptions.discard(subscription)
        if not stream.subscriptions and not stream.refreshing:
            self.streams.pop(subscription.key, None)

    # --- presence (live only, never replayed) -----------------------------------------------------------
    async def _refresh_presence(self, stream: Stream) -> None:
        workspace_id, lead_id = stream.key
        if lead_id is None:
            return
        try:
            viewers = await presence.viewers(lead_id)
        except Exception as exc:
            log.warning("hub.presence_failed", error_type=type(exc).__name__)
            return
        if viewers == stream.viewers:
            return
        stream.viewers = viewers
        message = event_message(presence.presence_event(workspace_id, lead_id, viewers))
        for subscription in list(stream.subscriptions):
            subscription.send(message)

    async def _send_presence(self, stream: Stream, subscription: Subscription) -> None:
        workspace_id, lead_id = stream.key
        assert lead_id is not None
        with contextlib.suppress(Exception):
            viewers = await presence.viewers(lead_id)
            subscription.send(event_message(presence.presence_event(workspace_id, lead_id, viewers)))

    async def _sweep_presence(self) -> None:
        """Viewers whose browser vanished expire: tell the lead's subscribers without waiting for a poke."""
        while True:
            await asyncio.sleep(PRESENCE_SWEEP_S)
            for stream in list(self.streams.values()):
                if stream.key[1] is not None and stream.subscriptions:
                    await self._refresh_presence(stream)
