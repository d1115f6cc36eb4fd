"""The workspaces (signups) and their webhooks: which lead each comes from, sent paced on a fixed schedule."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.load import Answer, Shot, post
from bench.payloads import INTERESTED_REPLIES, REPLIES, Webhook, emailbison_reply, ghl_sms
from bench.report import spread
from bench.signup import signup
from bench.soak.stack import Web, web_for

TEXTS = REPLIES + INTERESTED_REPLIES
SMS_EVERY = 4  # one webhook in four of a workspace's is a GoHighLevel SMS, the others EmailBison replies
HOT_LEADS = 20  # leads (over all workspaces, at least one each) created before the sockets open
SIGNUPS_AT_ONCE = 4  # signups hash a password: a few at a time
RETRY_AFTER_S = 5.0  # what the server's 503 asks for


@dataclass(frozen=True)
class Account:
    workspace_id: str
    secret: str
    token: str


async def new_account(http: aiohttp.ClientSession, base: str, n: int) -> Account:
    data = await signup(http, base, f"Bench soak {n}")
    return Account(data["workspace"]["id"], data["workspace"]["webhook_secret"], data["token"])


async def signup_all(webs: list[Web], count: int) -> list[Account]:
    """`count` workspaces, one account each, SIGNUPS_AT_ONCE at a time; workspace n is the n-th."""
    at_once = asyncio.Semaphore(SIGNUPS_AT_ONCE)

    async def one(n: int) -> Account:
        async with at_once:
            return await new_account(http, webs[n % len(webs)].base, n)

    async with aiohttp.ClientSession() as http:
        return list(await asyncio.gather(*(one(n) for n in range(count))))


def hot_per_workspace(workspaces: int) -> int:
    return max(1, HOT_LEADS // workspaces)


class Webhooks:
    """Webhook i goes to workspace i % N as that workspace's j-th (j = i // N). Per workspace: every
    SMS_EVERY-th an SMS, the rest emails; the first hot_per_workspace create its hot leads; after them a
    webhook comes from a new lead or (existing_share of them, once there are some) from a lead an earlier
    webhook of the same workspace created, a hot lead half of the time."""

    def __init__(self, webs: list[Web], accounts: list[Account], existing_share: float) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.webs = webs
        self.accounts = accounts
        self.hot_per_workspace = hot_per_workspace(len(accounts))
        self.existing_share = existing_share
        self.new_leads: list[dict[str, list[int]]] = [{"email": [], "sms": []} for _ in accounts]
        self.hot: list[dict[str, list[int]]] = [{"email": [], "sms": []} for _ in accounts]
        self.existing = 0
        self.headers = [
            {"Content-Type": "application/json", "X-Webhook-Secret": account.secret} for account in accounts
        ]

    @property
    def prewarm(self) -> range:
        """The webhooks that create the hot leads: the first hot_per_workspace of every workspace."""
        return range(self.hot_per_workspace * len(self.accounts))

    def hot_lead_ids(self, lead_ids: dict[int, str]) -> list[list[str]]:
        """The hot leads' ids by workspace, from the pre-warm webhooks' processed rows (webhook i → its lead
        id)."""
        by_workspace: list[list[str]] = [[] for _ in self.accounts]
        for i in sorted(lead_ids):
            if i in self.prewarm:
                by_workspace[i % len(self.accounts)].append(lead_ids[i])
        return by_workspace

    def shot(self, i: int) -> Shot:
        workspace, j = i % len(self.accounts), i // len(self.accounts)
        rng = random.Random(i)
        channel = "sms" if j % SMS_EVERY == SMS_EVERY - 1 else "email"
        text = TEXTS[j % len(TEXTS)]
        earlier, hot = self.new_leads[workspace][channel], self.hot[workspace][channel]
        if j >= self.hot_per_workspace and earlier and rng.random() < self.existing_share:
            lead_n = rng.choice(hot if hot and rng.random() < 0.5 else earlier)
            self.existing += 1
        else:  # lead numbers are webhook numbers: unique over the workspaces
            lead_n = i
            earlier.append(i)
            if j < self.hot_per_workspace:
                hot.append(i)
        hook = self.body(channel, lead_n, i, text)
        web = web_for(self.webs, i, len(self.accounts))
        workspace_id = self.accounts[workspace].workspace_id
        return Shot(
            f"{web.base}/api/webhooks/{hook.channel}?workspace={workspace_id}",
            hook.body,
            self.headers[workspace],
        )

    def body(self, channel: str, lead_n: int, i: int, text: str) -> Webhook:
        """The realistic body of lead `lead_n`, with a message id of webhook i's own."""
        hook = (
            ghl_sms(self.run, lead_n, text) if channel == "sms" else emailbison_reply(self.run, lead_n, text)
        )
        if lead_n == i:
            return hook
        body = json.loads(hook.body)
        if channel == "sms":
            body["messageId"] = f"{self.run}-sms-{i}"
        else:
            reply = body["data"]["reply"]
            reply.update(id=reply["id"] - lead_n + i, uuid=f"{self.run}-reply-{i}")
        return Webhook(channel, json.dumps(body).encode())


@dataclass
class Sends:
    planned: int
    latencies_ms: list[float] = field(default_factory=list)
    non_200: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    behind_ms: list[float] = field(default_factory=list)  # actual send − scheduled send
    # Webhook i → the webhook event id of its "accepted" answer: the row a worker must process.
    accepted: dict[int, str] = field(default_factory=dict)
    last_sent_at: float = 0.0  # time.monotonic() of the last scheduled send (first attempts only)
    redelivered: int = 0  # webhooks whose first answer asked for a retry
    redeliveries: int = 0  # the retries sent
    landed_on_retry: int = 0  # redelivered webhooks finally answered 200
    retry_outcomes: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0

    def record_retry(self, i: int, answer: Answer) -> None:
        """A redelivery's answer: not in the latencies and non-200 counts, which are the first attempts'."""
        self.redeliveries += 1
        if answer.status == 200:
            self.landed_on_retry += 1
            data = answer.data()
            self.retry_outcomes[str(data.get("status"))] += 1
            self._note_accepted(i, data)

    def record(self, i: int, answer: Answer) -> None:
        if answer.status is not None:
            self.latencies_ms.append(answer.latency_ms)
        if answer.status != 200:
            kind = (answer.error or "error") if answer.status is None else f"HTTP {answer.status}"
            self.non_200[kind] += 1
            return
        data = answer.data()
        self.outcomes[str(data.get("status"))] += 1
        self._note_accepted(i, data)

    def _note_accepted(self, i: int, data: dict[str, object]) -> None:
        event_id = data.get("webhook_event_id")
        if data.get("status") == "accepted" and isinstance(event_id, str):
            self.accepted[i] = event_id

    def summary(self) -> dict[str, Any]:
        answered = len(self.latencies_ms)
        latency = spread(self.latencies_ms)
        return {
            "planned": self.planned,
            "answered": answered,
            "achieved_rate_per_s": round(answered / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": latency["p50"],
            "p99_ms": latency["p99"],
            "max_ms": latency["max"],
            "non_200": sum(self.non_200.values()),
            "non_200_kinds": dict(self.non_200),
            "outcomes": dict(self.outcomes),
            "send_behind_schedule_ms": spread(self.behind_ms),
            "redelivered": self.redelivered,
            "redeliveries_sent": self.redeliveries,
            "landed_on_retry": self.landed_on_retry,
            "retry_outcomes": dict(self.retry_outcomes),
            "delivered": sum(self.outcomes.values()) + self.landed_on_retry,
            "accepted": len(self.accepted),
        }


def wants_retry(answer: Answer) -> bool:
    """What a provider redelivers: no answer, 429 or a 5xx (the server's Retry-After is 5 s)."""
    return answer.status is None or answer.status == 429 or answer.status >= 500


async def send_paced(
    http: aiohttp.ClientSession,
    hooks: Webhooks,
    numbers: range,
    rate: float,
    deadline_s: float,
    retries: int = 0,
) -> Sends:
    """Webhook i at start + k/rate (its rank k) whatever the answers take (open loop), built when sent;
    redelivered up to `retries` times while its answer asks for it, as providers do: after the server's
    Retry-After, then twice as long each time, with jitter so the redeliveries do not arrive in waves."""
    sends = Sends(planned=len(numbers))
    tasks: list[asyncio.Task[None]] = []

    async def one(i: int, shot: Shot) -> None:
        answer = await post(http, shot)
        sends.record(i, answer)
        if retries and wants_retry(answer):
            sends.redelivered += 1
            for attempt in range(retries):
                await asyncio.sleep(RETRY_AFTER_S * 2**attempt * random.uniform(0.8, 1.2))
                answer = await post(http, shot)
                sends.record_retry(i, answer)
                if not wants_retry(answer):
                    break

    start = time.perf_counter()
    for k, i in enumerate(numbers):
        scheduled = start + k / rate
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        sends.behind_ms.append((time.perf_counter() - scheduled) * 1000)
        sends.last_sent_at = time.monotonic()
        tasks.append(asyncio.create_task(one(i, hooks.shot(i))))
    if tasks:  # each request has its own 30 s timeout; this bounds the wait as a whole
        backoff_s = RETRY_AFTER_S * 1.2 * (2**retries - 1) + retries * 30
        _done, pending = await asyncio.wait(tasks, timeout=deadline_s + backoff_s)
        for task in pending:
            task.cancel()
            sends.non_200["unanswered"] += 1
    sends.wall_s = time.perf_counter() - start
    return sends
