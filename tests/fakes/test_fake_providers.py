"""The fake providers server, driven with plain httpx as the integrations would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.inbound.parsers.emailbison import parse_emailbison
from server.inbound.parsers.gohighlevel import parse_gohighlevel
from server.inbound.parsers.unipile import parse_unipile
from tests.fakes.fake_providers import GHL_VERSION, FakeProviders, ProviderAnswer, RecordedRequest
from tests.fakes.provider_echoes import (
    emailbison_sent_echo,
    ghl_conversation_id,
    ghl_outbound_echo,
    unipile_sender_echo,
)

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
EB = {"Authorization": "Bearer eb-key"}
GHL = {"Authorization": "Bearer ghl-token", "Version": GHL_VERSION}
UNIPILE = {"X-API-KEY": "unipile-key"}
REPLY = {
    "message": "Thursday works, talk then.",
    "sender_email_id": 5,
    "to_emails": [{"name": "Dana Lee", "email_address": "dana@prospect.io"}],
    "subject": "Re: quick question",
    "inject_previous_email_body": False,
    "content_type": "text",
}
SMS = {"type": "SMS", "contactId": "contact_1", "message": "Thursday works"}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeProviders) -> Iterator[FakeProviders]:
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def http(fake: FakeProviders) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.base_url, timeout=5.0) as client:
        yield client


def eb_send(http: httpx.Client, headers: dict[str, str] = EB, **body: Any) -> httpx.Response:
    return http.post("/api/replies/9001/reply", headers=headers, json={**REPLY, **body})


def unipile_send(http: httpx.Client, text: str = "Happy to chat") -> httpx.Response:
    return http.post("/api/v1/chats/chat_9/messages", headers=UNIPILE, files={"text": (None, text)})


def test_emailbison_reply_and_check(fake: FakeProviders, http: httpx.Client) -> None:
    first, second = eb_send(http), eb_send(http)
    assert first.status_code == 200
    data = first.json()["data"]
    assert (data["success"], data["message"]) == (True, "Reply sent")
    assert (
        isinstance(data["reply"]["id"], int) and second.json()["data"]["reply"]["id"] != data["reply"]["id"]
    )
    check = http.get("/api/users", headers=EB)
    assert check.json() == {"data": {"id": 1, "name": "Fake User", "email": "fake@example.com"}}

    sent = fake.sends("emailbison")[0]
    assert (sent.kind, sent.method, sent.path) == ("send", "POST", "/api/replies/9001/reply")
    assert sent.json == REPLY and sent.content_type == "application/json" and sent.form is None
    assert sent.headers["authorization"] == "Bearer eb-key" and sent.answered_status == 200
    assert [r.kind for r in fake.requests] == ["send", "send", "check"]


def test_gohighlevel_sms_check_and_version_header(fake: FakeProviders, http: httpx.Client) -> None:
    sent = http.post("/conversations/messages", headers=GHL, json=SMS)
    again = http.post("/conversations/messages", headers=GHL, json=SMS)
    assert sent.status_code == 201
    assert sent.json()["conversationId"] == ghl_conversation_id("contact_1") == again.json()["conversationId"]
    assert sent.json()["msg"] == "Message queued successfully."
    assert sent.json()["messageId"] != again.json()["messageId"]
    location = http.get("/locations/loc_1", headers=GHL)
    assert location.json() == {"location": {"id": "loc_1", "name": "Fake Location"}}

    for version in (None, "2021-07-28"):
        headers = {"Authorization": "Bearer ghl-token"} | ({"Version": version} if version else {})
        refused = http.post("/conversations/messages", headers=headers, json=SMS)
        assert refused.status_code == 400
        assert refused.json() == {"statusCode": 400, "message": "Version header is required"}
    assert fake.requests[0].json == SMS and fake.requests[0].headers["version"] == GHL_VERSION
    assert [r.answered_status for r in fake.sends("gohighlevel")] == [201, 201, 400, 400]


def test_unipile_send_start_chat_and_check(fake: FakeProviders, http: httpx.Client) -> None:
    sent = unipile_send(http)
    assert sent.status_code == 201 and sent.json()["object"] == "MessageSent" and sent.json()["message_id"]
    fields = {"account_id": "acc_1", "attendees_ids": "ACoAA-dana", "text": "Hi Dana"}
    started = http.post("/api/v1/chats", headers=UNIPILE, files={k: (None, v) for k, v in fields.items()})
    assert started.status_code == 201
    assert (
        started.json()["object"] == "ChatStarted"
        and started.json()["chat_id"]
        and started.json()["message_id"]
    )
    account = http.get("/api/v1/accounts/acc_1", headers=UNIPILE).json()
    assert account == {"object": "Account", "id": "acc_1", "name": "Fake LinkedIn", "type": "LINKEDIN"}

    send, start, check = fake.requests
    assert (send.kind, send.form, send.content_type) == (
        "send",
        {"text": "Happy to chat"},
        "multipart/form-data",
    )
    assert (start.kind, start.form, start.json) == ("start_chat", fields, None)
    assert check.kind == "check" and [r.kind for r in fake.sends("unipile")] == ["send", "start_chat"]


def test_wrong_credentials_get_each_providers_401_and_are_recorded(
    fake: FakeProviders, http: httpx.Client
) -> None:
    eb = eb_send(http, headers={"Authorization": "Bearer nope"})
    ghl = http.post("/conversations/messages", headers={"Version": GHL_VERSION}, json=SMS)
    uni = http.post("/api/v1/chats/c/messages", headers={"X-API-KEY": "nope"}, files={"text": (None, "x")})
    assert [eb.status_code, ghl.status_code, uni.status_code] == [401, 401, 401]
    assert eb.json() == {"message": "Unauthenticated."}
    assert ghl.json() == {"statusCode": 401, "message": "Invalid JWT"}
    problem = uni.json()
    assert (problem["status"], problem["type"]) == (401, "errors/invalid_credentials")
    assert problem["title"] == "Invalid credentials" and problem["detail"]
    assert [(r.provider, r.answered_status) for r in fake.requests] == [
        ("emailbison", 401),
        ("gohighlevel", 401),
        ("unipile", 401),
    ]


def test_malformed_requests_are_refused_in_the_providers_shape(
    fake: FakeProviders, http: httpx.Client
) -> None:
    fake.script(ProviderAnswer.error(500))  # refused requests leave the script alone
    eb = http.post("/api/replies/9001/reply", headers=EB, json={"message": "Hi"})
    assert eb.status_code == 422
    assert eb.json()["message"] == "The sender email id field is required. (and 1 more error)"
    assert set(eb.json()["errors"]) == {"sender_email_id", "to_emails"}
    ghl = http.post("/conversations/messages", headers=GHL, data={"type": "SMS"})  # a form, not JSON
    assert ghl.status_code == 422 and ghl.json()["error"] == "Unprocessable Entity"
    assert "contactId should not be empty" in ghl.json()["message"]
    uni = http.post("/api/v1/chats/c/messages", headers=UNIPILE, json={"text": "Hi"})  # JSON, not multipart
    assert uni.status_code == 400 and uni.json()["type"] == "errors/invalid_parameters"
    no_text = http.post("/api/v1/chats", headers=UNIPILE, files={"account_id": (None, "acc_1")})
    assert no_text.status_code == 400 and "attendees_ids, text" in no_text.json()["detail"]

    assert [r.answered_status for r in fake.requests] == [422, 422, 400, 400]
    assert fake.requests[1].content_type == "application/x-www-form-urlencoded"
    assert fake.requests[2].json == {"text": "Hi"} and fake.requests[2].form is None
    assert unipile_send(http).status_code == 500  # the first accepted send takes the scripted answer


def test_scripted_errors_then_normal_behaviour(fake: FakeProviders, http: httpx.Client) -> None:
    fake.script(
        ProviderAnswer.error(429, retry_after_s=1.2, detail="Slow down"),
        ProviderAnswer.error(503),
        ProviderAnswer.ok(),
    )
    limited = http.post("/conversations/messages", headers=GHL, json=SMS)
    assert http.get("/locations/loc_1", headers=GHL).status_code == 200  # checks never take the script
    unavailable = unipile_send(http)
    assert [eb_send(http).status_code, eb_send(http).status_code] == [200, 200]

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json() == {"statusCode": 429, "message": "Slow down"}
    assert unavailable.status_code == 503 and "retry-after" not in unavailable.headers
    assert unavailable.json()["status"] == 503 and unavailable.json()["type"] == "errors/unexpected_error"
    assert [r.answered_status for r in fake.requests] == [429, 200, 503, 200, 200]


def test_scripted_error_in_emailbison_shape(http: httpx.Client, fake: FakeProviders) -> None:
    fake.script(ProviderAnswer.error(500, detail="Server Error"))
    answer = eb_send(http)
    assert answer.status_code == 500 and answer.json() == {"message": "Server Error"}


def test_callable_script_entry_sees_the_request(fake: FakeProviders, http: httpx.Client) -> None:
    seen: list[RecordedRequest] = []

    def by_text(request: RecordedRequest) -> ProviderAnswer:
        seen.append(request)
        return ProviderAnswer.error(422) if request.form == {"text": "bad"} else ProviderAnswer.ok()

    fake.script(by_text, by_text)
    assert [unipile_send(http, "bad").status_code, unipile_send(http, "good").status_code] == [422, 201]
    assert [r.form for r in seen] == [{"text": "bad"}, {"text": "good"}]
    assert all(r.answered_status is None for r in seen)  # asked before the answer


def test_hang_outlasts_a_client_read_timeout(fake: FakeProviders, http: httpx.Client) -> None:
    fake.script(ProviderAnswer.hang(1.5))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        http.post("/conversations/messages", headers=GHL, json=SMS, timeout=0.5)
    assert time.monotonic() - started < 1.4
    assert http.post("/conversations/messages", headers=GHL, json=SMS).status_code == 201  # at once
    hung, after = fake.sends()
    assert hung.json == SMS and hung.answered_status is None and after.answered_status == 201


def test_drop_after_body_closes_without_an_answer(fake: FakeProviders, http: httpx.Client) -> None:
    fake.script(ProviderAnswer.drop_after_body())
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        eb_send(http)
    assert eb_send(http).status_code == 200  # the client reconnects; normal behaviour resumes
    dropped, after = fake.requests
    assert dropped.json == REPLY and dropped.answered_status is None and after.answered_status == 200


def test_sends_max_in_window_and_reset(fake: FakeProviders, http: httpx.Client) -> None:
    for _ in range(3):
        http.post("/conversations/messages", headers=GHL, json=SMS)
    time.sleep(0.3)
    http.post("/conversations/messages", headers=GHL, json=SMS)
    http.get("/locations/loc_1", headers=GHL)
    unipile_send(http)
    assert len(fake.sends()) == 5 and len(fake.sends("gohighlevel")) == 4 and len(fake.requests) == 6
    assert fake.max_in_window("gohighlevel", 0.25) == 3
    assert fake.max_in_window("gohighlevel", 10.0) == 4
    assert fake.max_in_window("emailbison", 10.0) == 0
    assert all(a.at <= b.at for a, b in zip(fake.requests, fake.requests[1:], strict=False))
    fake.script(ProviderAnswer.error(500))
    fake.reset()
    assert fake.requests == [] and unipile_send(http).status_code == 201  # the script is gone too


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


def test_echo_payloads_follow_the_samples_and_parse_as_our_outbound_messages() -> None:
    ghl = ghl_outbound_echo("loc_1", "contact_1", "msg_1", "Thursday works")
    assert set(sample("ghl_inbound_message_sms_1.json")) - set(ghl) == {
        "conversationProviderId",
        "chatWidgetId",
    }
    assert (ghl["type"], ghl["direction"], ghl["messageType"]) == ("OutboundMessage", "outbound", "SMS")
    parsed = parse_gohighlevel(ghl).message
    assert (
        parsed is not None and parsed.direction == "outbound" and "msg_1" in str(parsed.provider_message_id)
    )

    unipile = unipile_sender_echo("acc_1", "chat_9", "li_1", "Happy to chat", "ACoAA-dana")
    outbound = sample("unipile_message_received_outbound_1.json")
    assert set(unipile) == set(outbound) and set(unipile["sender"]) == set(outbound["sender"])
    parsed = parse_unipile(unipile).message
    assert (
        parsed is not None and parsed.direction == "outbound" and parsed.provider_message_id == "unipile:li_1"
    )

    manual = emailbison_sent_echo(9001, "rep@acme.com", "dana@prospect.io", "Re: hi", "Thursday works")
    replied = sample("emailbison_lead_replied_1.json")
    assert manual["event"]["type"] == "MANUAL_EMAIL_SENT" and set(manual["event"]) <= set(replied["event"])
    reply = manual["data"]["reply"]
    extras = {"primary_to_email_address", "parent_id", "raw_message_id", "updated_at", "attachments"}
    assert set(reply) - set(replied["data"]["reply"]) == extras
    assert (reply["parent_id"], reply["text_body"], reply["folder"]) == (9001, "Thursday works", "Sent")

    campaign = emailbison_sent_echo(
        9001, "rep@acme.com", "dana@prospect.io", "Hi", "Hello", event="EMAIL_SENT"
    )
    sent_sample = sample("emailbison_email_sent_1.json")
    assert set(campaign["data"]) == set(sent_sample["data"])
    assert set(campaign["data"]["scheduled_email"]) == set(sent_sample["data"]["scheduled_email"])
    parsed = parse_emailbison(campaign).message
    assert parsed is not None and parsed.direction == "outbound" and parsed.body == "Hello"
