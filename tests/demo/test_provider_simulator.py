"""The demo's provider simulator, as a process: the providers' send APIs as API.md documents them, driven
by our own provider clients, and the webhooks it posts back (echoes, the lead's answers) as our parsers
read them.

A small aiohttp server stands in for our webhook endpoint and records what arrives."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from server.demo.provider_simulator import demo_accounts
from server.demo.provider_simulator.followups import ReplyPlan, Timing
from server.demo.scenarios import SIMULATED_REPLIES
from server.inbound.parsers import parse_body
from server.inbound.parsers.normalized import WebhookParse
from server.integrations.clients import emailbison, gohighlevel, unipile
from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import ProviderFailure
from tests.processes import Process, Processes, free_port, process_env, venv_argv, wait_http

WORKSPACE = "0b6f3c36-5d4e-4f7a-9c1b-2a3d4e5f6a7b"
SECRET = "whsec_simulator_test"
ECHO_DELAY_S = 0.05
REPLY_DELAYS = (0.1, 0.4)
REPLY_SEED = 8  # with 1 in 3: the first three sends below are answered, the next three are not


@dataclass(frozen=True)
class Received:
    channel: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def parsed(self) -> WebhookParse:
        return parse_body(self.channel, self.body)


class WebhookReceiver:
    """Our webhook endpoint's stand-in: records every POST /api/webhooks/{channel}, answers "accepted"."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/api/webhooks/{channel}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, request: web.Request) -> web.Response:
        received = Received(
            channel=request.match_info["channel"],
            query=dict(request.query),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.read(),
        )
        with self._lock:
            self.received.append(received)
        return web.json_response({"success": True, "data": {"status": "accepted", "webhook_event_id": "1"}})

    def matching(self, channel: str, predicate: Any) -> list[Received]:
        with self._lock:
            found = [r for r in self.received if r.channel == channel]
        return [r for r in found if predicate(r.parsed())]

    def wait_for(self, channel: str, predicate: Any, timeout: float = 10) -> Received:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(channel, predicate)
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no {channel} webhook arrived matching the test's expectation")


def start_simulator(processes: Processes, name: str, receiver: WebhookReceiver, *, chance: float) -> str:
    port = free_port()
    argv = ["python", "-m", "server.demo.provider_simulator", "--port", str(port), "--webhooks", receiver.url]
    argv += ["--workspace", WORKSPACE, "--seed", str(REPLY_SEED), "--echo-delay", str(ECHO_DELAY_S)]
    argv += ["--reply-chance", str(chance), "--reply-delay", ",".join(map(str, REPLY_DELAYS))]
    env = process_env(PROVIDER_SIMULATOR_WEBHOOK_SECRET=SECRET, LOG_JSON="true")
    process: Process = processes.start(name, venv_argv(argv), env)
    base_url = f"http://127.0.0.1:{port}"
    wait_http(f"{base_url}/api/users", timeout=30, process=process)  # a 401: it is up
    return base_url


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory, receiver: WebhookReceiver) -> Iterator[str]:
    """A simulator whose leads never answer: every webhook it posts is an echo."""
    processes = Processes(tmp_path_factory.mktemp("simulator"))
    try:
        yield start_simulator(processes, "provider-simulator", receiver, chance=0.0)
        assert processes.error_lines() == {"provider-simulator": []}
    finally:
        processes.stop_all()


def demo_credentials(base_url: str, provider: str) -> Credentials:
    fields = demo_accounts.integration_fields(provider, base_url)
    secret = fields.pop("api_key", None) or fields.pop("private_integration_token")
    fields.pop("base_url")
    return Credentials(provider=provider, base_url=base_url, secret=secret, settings=fields)


def test_each_provider_refuses_a_wrong_key_in_its_own_error_shape(simulator: str) -> None:
    with httpx.Client(base_url=simulator, timeout=5) as http:
        eb = http.post("/api/replies/1/reply", json={}, headers={"Authorization": "Bearer nope"})
        assert (eb.status_code, eb.json()) == (401, {"message": "Unauthenticated."})
        ghl_headers = {"Authorization": "Bearer nope", "Version": "2021-04-15"}
        ghl = http.post("/conversations/messages", json={}, headers=ghl_headers)
        assert (ghl.status_code, ghl.json()["statusCode"]) == (401, 401)
        uni = http.post(
            "/api/v1/chats/chat-x/messages", files={"text": (None, "hi")}, headers={"X-API-KEY": "no"}
        )
        assert uni.status_code == 401
        assert uni.json()["type"] == "errors/invalid_credentials" and uni.json()["status"] == 401
        assert http.get("/api/users").status_code == 401  # no key at all


async def test_checks_pass_with_the_demo_keys_and_fail_with_others(simulator: str) -> None:
    await emailbison.check(demo_credentials(simulator, "emailbison"))
    await gohighlevel.check(demo_credentials(simulator, "gohighlevel"))
    await unipile.check(demo_credentials(simulator, "unipile"))
    wrong = Credentials(provider="unipile", base_url=simulator, secret="other", settings={"account_id": "a"})
    with pytest.raises(ProviderFailure) as refused:
        await unipile.check(wrong)
    assert refused.value.kind == "unauthorized"


def test_requests_missing_what_the_apis_require_are_refused(
    simulator: str, receiver: WebhookReceiver
) -> None:
    eb_key = {"Authorization": f"Bearer {demo_accounts.EMAILBISON_API_KEY}"}
    ghl_token = {"Authorization": f"Bearer {demo_accounts.GOHIGHLEVEL_TOKEN}"}
    uni_key = {"X-API-KEY": demo_accounts.UNIPILE_API_KEY}
    with httpx.Client(base_url=simulator, timeout=5) as http:
        eb = http.post("/api/replies/9/reply", json={"message": "hi"}, headers=eb_key)
        assert eb.status_code == 422 and set(eb.json()["errors"]) == {"sender_email_id", "to_emails"}
        sms = {"type": "SMS", "contactId": "demo-0001", "message": "hi"}
        no_version = http.post("/conversations/messages", json=sms, headers=ghl_token)
        assert no_version.status_code == 400 and no_version.json()["statusCode"] == 400
        ghl = http.post(
            "/conversations/messages", json={"type": "SMS"}, headers={**ghl_token, "Version": "2021-04-15"}
        )
        assert ghl.status_code == 422 and ghl.json()["statusCode"] == 422
        as_json = http.post("/api/v1/chats/chat-x/messages", json={"text": "hi"}, headers=uni_key)
        assert as_json.status_code == 400 and as_json.json()["status"] == 400  # multipart only
        no_attendee = http.post(
            "/api/v1/chats", files={"account_id": (None, "a"), "text": (None, "hi")}, headers=uni_key
        )
        assert no_attendee.status_code == 400 and "attendees_ids" in no_attendee.json()["detail"]
    time.sleep(ECHO_DELAY_S + 0.3)
    # A refused send is no send: nothing follows it.
    for channel in ("email", "sms", "linkedin"):
        assert receiver.matching(channel, lambda p: p.message is not None and p.message.body == "hi") == []


async def test_emailbison_reply_answers_as_documented_and_echoes_manual_email_sent(
    simulator: str, receiver: WebhookReceiver
) -> None:
    text = "Thursday at 2pm works. Talk then!\nAlex"
    with httpx.Client(base_url=simulator, timeout=5) as http:
        answer = http.post(
            "/api/replies/4242/reply",
            json={
                "message": text,
                "sender_email_id": 1,
                "to_emails": [{"name": "Dana Lee", "email_address": "dana@prospect.example"}],
                "subject": "Re: quick question",
                "inject_previous_email_body": False,
                "content_type": "text",
            },
            headers={"Authorization": f"Bearer {demo_accounts.EMAILBISON_API_KEY}"},
        )
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["success"] is True and data["message"] == "Reply sent"
    assert data["reply"]["parent_id"] == 4242

    echo = receiver.wait_for("email", lambda p: p.message is not None and p.message.body == text)
    assert echo.query == {"workspace": WORKSPACE} and echo.headers["x-webhook-secret"] == SECRET
    parsed = echo.parsed()
    assert parsed.kind == "message" and parsed.message is not None and parsed.lead is not None
    assert parsed.message.direction == "outbound" and parsed.message.sent_by == "provider"
    assert parsed.message.provider_message_id == f"emailbison:reply:{data['reply']['id']}"
    assert parsed.lead.email == "dana@prospect.example" and parsed.message.to == ["dana@prospect.example"]
    assert parsed.lead.emailbison_lead_id is None  # no invented lead id that could match someone else

    # Our own client is what the workers send with.
    sent = await emailbison.send_reply(
        demo_credentials(simulator, "emailbison"),
        reply_id="77",
        sender_email_id="1",
        to=[("Sam Quinn", "sam@prospect.example")],
        text="Sending the deck now.",
        subject="Re: deck",
        cc=[],
        bcc=[],
    )
    assert sent.provider == "emailbison"
    receiver.wait_for("email", lambda p: p.lead is not None and p.lead.email == "sam@prospect.example")


async def test_gohighlevel_sms_echo_carries_the_message_id_and_the_leads_phone(
    simulator: str, receiver: WebhookReceiver
) -> None:
    sent = await gohighlevel.send_sms(
        demo_credentials(simulator, "gohighlevel"), contact_id="demo-1007", text="Call you at 10?"
    )
    assert sent.provider_message_id and sent.provider_message_id.startswith("ghl:")
    assert sent.thread.get("conversation_id")

    echo = receiver.wait_for("sms", lambda p: p.message is not None and p.message.body == "Call you at 10?")
    parsed = echo.parsed()
    assert parsed.kind == "message" and parsed.message is not None and parsed.lead is not None
    assert parsed.message.direction == "outbound"
    assert parsed.message.provider_message_id == sent.provider_message_id
    assert parsed.lead.ghl_contact_id == "demo-1007" and parsed.lead.phone == "+14155551007"
    assert parsed.message.from_address == demo_accounts.GHL_OUR_NUMBER


async def test_unipile_echoes_name_the_lead_of_a_known_chat_and_of_a_chat_it_started(
    simulator: str, receiver: WebhookReceiver
) -> None:
    credentials = demo_credentials(simulator, "unipile")
    into_chat = await unipile.send_message(
        credentials, chat_id="chat-ACoAA-demo-004", attendee_provider_id=None, text="Happy to share more."
    )
    started = await unipile.send_message(
        credentials, chat_id=None, attendee_provider_id="ACoAA-demo-009", text="Thanks for connecting!"
    )
    assert started.thread == {"chat_id": "chat-ACoAA-demo-009"}

    for sent, lead in ((into_chat, "ACoAA-demo-004"), (started, "ACoAA-demo-009")):
        assert sent.provider_message_id and sent.provider_message_id.startswith("unipile:")
        echo = receiver.wait_for(
            "linkedin",
            lambda p, s=sent: (
                p.message is not None and p.message.provider_message_id == s.provider_message_id
            ),
        )
        parsed = echo.parsed()
        assert parsed.message is not None and parsed.lead is not None
        assert parsed.message.direction == "outbound" and parsed.message.sent_by == "provider"
        assert parsed.lead.linkedin_provider_id == lead

    # A chat outside the demo's naming: the send succeeds, but an echo could not name the lead, so none comes.
    lost = await unipile.send_message(
        credentials, chat_id="chat_9f3", attendee_provider_id=None, text="Still there?"
    )
    assert lost.provider_message_id
    time.sleep(0.5)
    assert (
        receiver.matching("linkedin", lambda p: p.message is not None and p.message.body == "Still there?")
        == []
    )


async def test_the_lead_answers_the_sends_its_seed_picks_on_the_same_channel(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    plan = ReplyPlan(REPLY_SEED, Timing(reply_chance=1 / 3, reply_delay_s=REPLY_DELAYS))
    answers = [plan.next() for _ in range(6)]
    assert any(answers) and not all(answers)
    sends = ["email", "sms", "linkedin"] * 2
    processes = Processes(tmp_path)
    try:
        base_url = start_simulator(processes, "answering-simulator", receiver, chance=1 / 3)
        await _send_each(base_url, sends)
        for index, (channel, answer) in enumerate(zip(sends, answers, strict=True)):
            if answer is None:
                continue
            lead = _lead_of(channel, index)
            reply = receiver.wait_for(channel, lambda p, c=channel, lead=lead: _is_answer_from(p, c, lead))
            parsed = reply.parsed()
            assert parsed.message is not None and parsed.message.body == answer.text
            send_ref = parsed.message.send_ref or {}  # what our next send answers
            expected = {
                "email": ("sender_email_id", "1"),
                "sms": ("contact_id", f"demo-20{index:02d}"),
                "linkedin": ("chat_id", f"chat-ACoAA-answer-{index}"),
            }[channel]
            assert send_ref.get(expected[0]) == expected[1]
        time.sleep(max(REPLY_DELAYS) + 0.3)  # every planned answer is in by now: no other came
        for index, (channel, answer) in enumerate(zip(sends, answers, strict=True)):
            lead = _lead_of(channel, index)
            found = receiver.matching(channel, lambda p, c=channel, lead=lead: _is_answer_from(p, c, lead))
            assert len(found) == (1 if answer else 0), (index, channel)
        assert processes.error_lines() == {"answering-simulator": []}
        logged = processes["answering-simulator"].output()
        assert "provider simulator: sends are not delivered to anyone" in logged
        never_logged = [SECRET, *demo_accounts.API_KEYS.values(), "answering test", *SIMULATED_REPLIES]
        assert [text for text in never_logged if text in logged] == []
    finally:
        processes.stop_all()


async def _send_each(base_url: str, channels: list[str]) -> None:
    for index, channel in enumerate(channels):
        text = f"Message {index} of the answering test"
        if channel == "email":
            await emailbison.send_reply(
                demo_credentials(base_url, "emailbison"),
                reply_id=str(500 + index),
                sender_email_id="1",
                to=[("Lee Answer", _lead_of(channel, index))],
                text=text,
                subject="Re: hello",
                cc=[],
                bcc=[],
            )
        elif channel == "sms":
            contact = f"demo-20{index:02d}"
            await gohighlevel.send_sms(
                demo_credentials(base_url, "gohighlevel"), contact_id=contact, text=text
            )
        else:
            await unipile.send_message(
                demo_credentials(base_url, "unipile"),
                chat_id=None,
                attendee_provider_id=_lead_of(channel, index),
                text=text,
            )


def _lead_of(channel: str, index: int) -> str:
    return {
        "email": f"answer{index}@prospect.example",
        "sms": f"+14155552{index:03d}",
        "linkedin": f"ACoAA-answer-{index}",
    }[channel]


def _is_answer_from(parsed: WebhookParse, channel: str, lead: str) -> bool:
    if parsed.kind != "message" or parsed.message is None or parsed.lead is None:
        return False
    if parsed.message.direction != "inbound" or parsed.message.sent_by != "lead":
        return False
    identity = {
        "email": parsed.lead.email,
        "sms": parsed.lead.phone,
        "linkedin": parsed.lead.linkedin_provider_id,
    }
    return identity[channel] == lead
