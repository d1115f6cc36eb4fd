"""What happens after a simulated send: its echo about a second later, and now and then the lead's answer.

Posted to our webhook endpoint like the providers do (`POST {webhooks}/api/webhooks/{channel}?workspace=<id>`
with `X-Webhook-Secret`). Which sends get an answer, when and with what words is drawn from a seeded RNG in
the order the sends arrive, so a run with the same seed and the same sends answers the same way.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import httpx

from server.core.logging import get_logger
from server.demo.scenarios import SIMULATED_REPLIES

log = get_logger(__name__)

POST_ATTEMPTS: Final = 3
RETRY_PAUSE_S: Final = 1.0
POST_TIMEOUT: Final = httpx.Timeout(10.0)

JsonObject = dict[str, Any]


class SentMessage(Protocol):
    @property
    def channel(self) -> str: ...

    def echo(self) -> JsonObject | None: ...

    def lead_reply(self, text: str) -> JsonObject | None: ...


@dataclass(frozen=True)
class Timing:
    echo_delay_s: float = 1.0
    reply_chance: float = 1 / 3
    reply_delay_s: tuple[float, float] = (10.0, 40.0)


@dataclass(frozen=True)
class WebhookTarget:
    """Where our server takes the providers' webhooks for the demo workspace."""

    base_url: str
    workspace_id: str
    secret: str

    def url(self, channel: str) -> str:
        return f"{self.base_url.rstrip('/')}/api/webhooks/{channel}"


@dataclass(frozen=True)
class PlannedAnswer:
    delay_s: float
    text: str


class ReplyPlan:
    """The lead's answers, one decision per send in order of arrival. Each decision draws the same three
    numbers whatever the outcome, so decision N depends only on the seed and N."""

    def __init__(self, seed: int, timing: Timing) -> None:
        self._rng = random.Random(seed)
        self._timing = timing

    def next(self) -> PlannedAnswer | None:
        roll = self._rng.random()
        delay_s = self._rng.uniform(*self._timing.reply_delay_s)
        text = self._rng.choice(SIMULATED_REPLIES)
        return PlannedAnswer(delay_s, text) if roll < self._timing.reply_chance else None


class FollowUps:
    """Schedules and posts the webhooks that follow each send, on the running event loop."""

    def __init__(self, target: WebhookTarget, timing: Timing, seed: int) -> None:
        self.target = target
        self.timing = timing
        self._plan = ReplyPlan(seed, timing)
        self._client = httpx.AsyncClient(timeout=POST_TIMEOUT)
        self._pending: set[asyncio.Task[None]] = set()

    def after_send(self, sent: SentMessage) -> PlannedAnswer | None:
        """Queue the echo and, when the plan says so, the lead's answer; returns that answer's plan."""
        self._schedule(self.timing.echo_delay_s, sent.channel, "echo", sent.echo)
        answer = self._plan.next()
        if answer is not None:
            self._schedule(answer.delay_s, sent.channel, "lead_reply", lambda: sent.lead_reply(answer.text))
        return answer

    def _schedule(
        self, delay_s: float, channel: str, kind: str, build: Callable[[], JsonObject | None]
    ) -> None:
        task = asyncio.get_running_loop().create_task(self._post_later(delay_s, channel, kind, build))
        self._pending.add(task)  # the loop keeps only weak references to its tasks
        task.add_done_callback(self._pending.discard)

    async def _post_later(
        self, delay_s: float, channel: str, kind: str, build: Callable[[], JsonObject | None]
    ) -> None:
        await asyncio.sleep(delay_s)
        body = build()  # built now, so its timestamps are those of the moment it is posted
        if body is None:
            log.info("provider_simulator.webhook_skipped", channel=channel, kind=kind, reason="unknown_lead")
            return
        await self.post(channel, kind, body)

    async def post(self, channel: str, kind: str, body: JsonObject) -> int | None:
        """POST one webhook, retrying while our server is unreachable or answers 5xx; its final status."""
        status: int | None = None
        for attempt in range(1, POST_ATTEMPTS + 1):
            try:
                response = await self._client.post(
                    self.target.url(channel),
                    params={"workspace": self.target.workspace_id},
                    json=body,
                    headers={"X-Webhook-Secret": self.target.secret},
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                log.info(
                    "provider_simulator.webhook_unreachable",
                    channel=channel,
                    kind=kind,
                    attempt=attempt,
                    error_type=type(exc).__name__,
                )
                status = None
            if status is not None and status < 500:
                break
            if attempt < POST_ATTEMPTS:
                await asyncio.sleep(RETRY_PAUSE_S)
        if status is None or status >= 500:
            log.warning("provider_simulator.webhook_not_delivered", channel=channel, kind=kind, status=status)
        elif status == 401:
            log.warning(
                "provider_simulator.webhook_refused",
                channel=channel,
                kind=kind,
                status=status,
                hint="the demo workspace's webhook secret changed; restart `setterdesk run`",
            )
        else:
            log.info("provider_simulator.webhook_posted", channel=channel, kind=kind, status=status)
        return status

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self._client.aclose()
