"""Browser tests: the Procfile's `web` and `worker` lines as real processes, the fake OpenAI server (over
real HTTP, for the worker's drafts), and Debian's Chromium driven by Playwright.

`playwright install` is never needed: the tests launch /usr/bin/chromium (installed by scripts/test.sh on
CI). They fail, not skip, when it is missing.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from tests.fakes.fake_openai import FakeOpenAIServer
from tests.helpers import outcome_when_processed
from tests.processes import ROOT, Process, free_port, process_env, start_role, stop_all, wait_http

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1440, "height": 900}
WAIT_S = 20.0  # the longest any single condition may take (a draft: worker + several model calls)

expect.set_options(timeout=WAIT_S * 1000)


@dataclass
class Stack:
    url: str
    web: Process
    worker: Process
    fake: FakeOpenAIServer

    def post_processed(self) -> set[str]:
        """Ids of the inbound messages the worker finished (classified, drafted when eligible)."""
        done: set[str] = set()
        for line in self.worker.output().splitlines():
            if "message.post_processed" not in line:
                continue
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("event") == "message.post_processed":
                    done.add(entry["message_id"])
        return done


@pytest.fixture(scope="package")  # stopped when tests/web is done, not at the end of the whole run
def web_stack(
    fake_openai_server: FakeOpenAIServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("web-stack")
    port = free_port()
    env = process_env(
        PORT=str(port),
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-test-web-secret",
        OPENAI_BASE_URL=fake_openai_server.base_url,
        OPENAI_BACKOFF_BASE_S="0.01",
        DRAMATIQ_NAMESPACE=f"setterdesk-web-{uuid.uuid4().hex[:8]}",
        WORKER_THREADS="4",
        LOG_JSON="true",
    )
    roles = [start_role("web", env, logs / "web.log"), start_role("worker", env, logs / "worker.log")]
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=40, process=roles[0])
        yield Stack(f"http://127.0.0.1:{port}", roles[0], roles[1], fake_openai_server)
    finally:
        stop_all(roles)
        output = "".join(role.output() for role in roles)
        assert "sk-test-web-secret" not in output


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does it on CI)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# --- a workspace with two teammates, and provider webhooks ----------------------------------------------


@dataclass
class User:
    name: str
    email: str
    password: str
    token: str = ""


@dataclass
class Team:
    """A fresh workspace: Dana (owner, browser A) and Sam (setter, browser B)."""

    stack: Stack
    http: httpx.Client
    workspace_id: str
    secret: str
    owner: User
    setter: User
    counter: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.owner.token}"}

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=self.auth, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()["data"]

    def _webhook(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"/api/webhooks/{channel}?workspace={self.workspace_id}",
            json=body,
            headers={"X-Webhook-Secret": self.secret},
        )
        assert response.status_code == 200, response.text
        data = outcome_when_processed(lambda path: self.api("GET", path), response.json()["data"])
        assert data["status"] == "processed", data
        self.messages.append(data["message_id"])
        return data

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def email_reply(
        self,
        person: Person,
        text: str,
        *,
        html: str | None = None,
        subject: str = "Re: Quick question",
    ) -> dict[str, Any]:
        n = self._next()
        now = datetime.now(UTC).isoformat()
        body = {
            "event": {"type": "LEAD_REPLIED", "name": "Lead Replied", "workspace_id": 7},
            "data": {
                "lead": {
                    "id": person.provider_id,
                    "email": person.email,
                    "first_name": person.first,
                    "last_name": person.last,
                    "company": person.company,
                    "custom_variables": [{"name": "Phone", "value": person.phone}],
                },
                "reply": {
                    "id": int(time.time() * 1000) % 10**9 * 100 + n,
                    "uuid": uuid.uuid4().hex,
                    "email_subject": subject,
                    "from_email_address": person.email,
                    "from_name": f"{person.first} {person.last}",
                    "to": [{"address": "rep@acme.example", "name": None}],
                    "text_body": text,
                    "html_body": html,
                    "date_received": now,
                    "automated_reply": False,
                    "interested": False,
                    "type": "Reply",
                    "folder": "Inbox",
                },
                "campaign": {"id": 3, "name": "Q1"},
                "sender_email": {"id": 5, "email": "rep@acme.example", "name": "Rep"},
            },
        }
        return self._webhook("email", body)

    def sms_reply(self, person: Person, text: str) -> dict[str, Any]:
        n = self._next()
        body = {
            "type": "InboundMessage",
            "locationId": "loc-web-tests",
            "contactId": f"contact-{person.provider_id}",
            "conversationId": f"conv-{person.provider_id}",
            "messageId": f"sms-{uuid.uuid4().hex[:12]}-{n}",
            "body": text,
            "messageType": "SMS",
            "direction": "inbound",
            "dateAdded": datetime.now(UTC).isoformat(),
            "from": person.phone,
            "to": "+14155550199",
            "status": "delivered",
        }
        return self._webhook("sms", body)

    def settle(self) -> None:
        """Wait until the worker post-processed every inbound message sent so far (its classification
        must not land in the middle of what a test does next)."""
        wait_for(lambda: set(self.messages) <= self.stack.post_processed(), "messages post-processed")

    def lead(self, lead_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.api("GET", f"/api/leads/{lead_id}")
        return data

    def pending(self, lead_id: str) -> dict[str, dict[str, Any]]:
        drafts = self.api("GET", f"/api/leads/{lead_id}/drafts?status=pending")
        return {d["channel"]: d for d in drafts}

    def lead_ids(self) -> list[str]:
        return [lead["id"] for lead in self.api("GET", "/api/leads?limit=50")["items"]]


@dataclass
class Person:
    first: str
    last: str
    company: str
    provider_id: int
    email: str
    phone: str

    @classmethod
    def make(cls, first: str, last: str, company: str = "Prospect Co") -> Person:
        n = uuid.uuid4().int % 10**7
        return cls(
            first=first,
            last=last,
            company=company,
            provider_id=n,
            email=f"{first.lower()}.{last.lower()}.{n}@prospect.example",
            phone=f"+1 628 {n // 10**4 % 1000:03d} {n % 10**4:04d}",
        )


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for: {what}")


@pytest.fixture
def team(web_stack: Stack, fake_openai: FakeOpenAIServer) -> Iterator[Team]:
    http = httpx.Client(base_url=web_stack.url, timeout=15)
    tag = uuid.uuid4().hex[:8]
    owner = User("Dana Reyes", f"dana-{tag}@setterdesk.test", "dana-password-1")
    setter = User("Sam Park", f"sam-{tag}@setterdesk.test", "sam-password-1")
    signup = http.post(
        "/api/signup",
        json={
            "workspace_name": f"Acme {tag}",
            "name": owner.name,
            "email": owner.email,
            "password": owner.password,
        },
    )
    assert signup.status_code == 201, signup.text
    data = signup.json()["data"]
    owner.token = data["token"]
    member = http.post(
        "/api/workspace/members",
        json={"name": setter.name, "email": setter.email, "password": setter.password, "role": "setter"},
        headers={"Authorization": f"Bearer {owner.token}"},
    )
    assert member.status_code == 201, member.text
    setter.token = member.json()["data"]["token"]
    yield Team(web_stack, http, data["workspace"]["id"], data["workspace"]["webhook_secret"], owner, setter)
    http.close()


# --- browsers -----------------------------------------------------------------------------------------


@dataclass
class Tab:
    page: Page
    context: BrowserContext
    problems: list[str]
    expected: list[str] = field(default_factory=list)  # console errors a test provokes on purpose

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = self.page.evaluate("() => window.__setterdesk.snapshot()")
        return data


OpenPage = Callable[..., Tab]

_PROBLEM = re.compile(r"Content Security Policy|Refused to|Uncaught|SyntaxError|TypeError|ReferenceError")


@pytest.fixture
def open_page(browser: Browser, web_stack: Stack) -> Iterator[OpenPage]:
    """open_page(user, path="/inbox", sign_in=True): a browser of its own (cookies apart) on that page."""
    tabs: list[Tab] = []

    def open_(user: User | None, path: str = "/inbox", *, sign_in: bool = True) -> Tab:
        context = browser.new_context(base_url=web_stack.url, viewport=VIEWPORT)  # type: ignore[arg-type]
        problems: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def console(message: ConsoleMessage) -> None:
            if message.type == "error" and _PROBLEM.search(message.text):
                problems.append(f"console: {message.text}")

        page.on("console", console)
        if user is not None and sign_in:
            response = context.request.post(
                "/api/auth/login", data={"email": user.email, "password": user.password}
            )
            assert response.status == 200, response.text()
        page.goto(path)
        if user is not None and sign_in:
            expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
        tab = Tab(page, context, problems)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        with contextlib.suppress(Exception):
            tab.context.close()
    problems = [p for tab in tabs for p in tab.problems if not any(e in p for e in tab.expected)]
    assert not problems, "\n".join(problems)


def screenshot(page: Page, name: str, *, selector: str | None = None) -> Path:
    """Save a screenshot under test-artifacts/ (the README's copies in docs/screenshots come from these)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    return path
