"""Webhooks in (API.md: Webhooks): real payloads, dedupe, hostile bytes, the event log."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.inbound.processing import process_event
from tests.conftest import Workspace
from tests.helpers import SAMPLE_CHANNEL, sample, sample_bytes, settle


async def post(ws: Workspace, channel: str, body: bytes | dict[str, Any], **headers: str) -> Any:
    """The answer to one delivery (`accepted` once recorded; nothing is processed yet)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await ws.client.post(
        ws.webhook_url(channel), content=content, headers={**ws.webhook_headers, **headers}
    )


async def delivered(ws: Workspace, channel: str, body: bytes | dict[str, Any], **headers: str) -> Any:
    """What one delivery came to once processed: {status, message_id?, lead_id?, webhook_event_id}."""
    return await settle(ws, await post(ws, channel, body, **headers))


EXPECTED_STATUS = {
    "emailbison_email_sent_1.json": "processed",
    "emailbison_lead_interested_1.json": "processed",
    "emailbison_lead_replied_1.json": "processed",
    "ghl_inbound_message_sms_1.json": "processed",
    "unipile_account_status_1.json": "ignored",
    "unipile_message_received_2.json": "processed",
    "unipile_message_received_outbound_1.json": "processed",
}


@pytest.mark.parametrize("name", sorted(SAMPLE_CHANNEL))
async def test_every_real_sample_is_accepted(workspace: Workspace, name: str) -> None:
    response = await post(workspace, SAMPLE_CHANNEL[name], sample_bytes(name))
    assert response.status_code == 200, response.text
    answer = response.json()["data"]
    # The answer only says it is recorded (or, from the body alone, that it carries no message).
    assert answer["status"] == ("ignored" if EXPECTED_STATUS[name] == "ignored" else "accepted")
    assert set(answer) == {"status", "webhook_event_id"}
    assert (await settle(workspace, response))["status"] == EXPECTED_STATUS[name]


async def test_samples_land_as_the_contract_says(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    replied = await delivered(workspace, "email", sample_bytes("emailbison_lead_replied_1.json"))
    detail = (await client.get(f"/api/leads/{replied['lead_id']}", headers=workspace.auth)).json()["data"]
    assert detail["lead"]["email"] == "lead.person@example.com"
    [message] = detail["messages"]
    assert (message["channel"], message["direction"], message["sent_by"]) == ("email", "inbound", "lead")
    assert message["subject"] == "testing dashboard" and message["body"] == "hey"
    assert message["to"] == ["sender.mailbox@example.net"]

    interested = await delivered(workspace, "email", sample_bytes("emailbison_lead_interested_1.json"))
    lead = (await client.get(f"/api/leads/{interested['lead_id']}", headers=workspace.auth)).json()["data"]
    assert lead["lead"]["phone"] == "(555) 555-0100"
    assert lead["messages"][0]["subject"] in (None, "") and lead["messages"][0]["body"] == ""

    sent = await delivered(workspace, "email", sample_bytes("emailbison_email_sent_1.json"))
    sent_lead = (await client.get(f"/api/leads/{sent['lead_id']}", headers=workspace.auth)).json()["data"]
    assert sent_lead["messages"][0]["direction"] == "outbound"
    assert sent_lead["messages"][0]["html"] == "<p>test</p>"

    sms = await delivered(workspace, "sms", sample_bytes("ghl_inbound_message_sms_1.json"))
    sms_lead = (await client.get(f"/api/leads/{sms['lead_id']}", headers=workspace.auth)).json()["data"]
    assert sms_lead["lead"]["phone"] == "+15551234567"

    echo = await delivered(workspace, "linkedin", sample_bytes("unipile_message_received_outbound_1.json"))
    echo_lead = (await client.get(f"/api/leads/{echo['lead_id']}", headers=workspace.auth)).json()["data"]
    assert echo_lead["lead"]["linkedin_url"] == "https://www.linkedin.com/in/ACoAA-prospect-0002"
    assert echo_lead["messages"][0]["direction"] == "outbound"


async def test_one_person_across_channels_is_one_lead(workspace: Workspace) -> None:
    email = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    email["data"]["lead"]["custom_variables"] = [{"name": "PHONE", "value": "+1 (555) 123-4567"}]
    first = await delivered(workspace, "email", email)
    sms = await delivered(workspace, "sms", sample_bytes("ghl_inbound_message_sms_1.json"))
    assert first["lead_id"] == sms["lead_id"]


async def test_retry_of_same_message_is_duplicate(workspace: Workspace) -> None:
    body = sample_bytes("unipile_message_received_2.json")
    first = await delivered(workspace, "linkedin", body)
    again = await delivered(workspace, "linkedin", body)
    assert again["status"] == "duplicate"
    assert again["message_id"] == first["message_id"]


async def test_twenty_concurrent_deliveries_store_one_message(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    body = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    body["data"]["reply"]["id"] = 777_000 + uuid.uuid4().int % 1000
    body["data"]["lead"]["email"] = f"race-{uuid.uuid4().hex[:8]}@example.com"
    body["data"]["reply"]["from_email_address"] = body["data"]["lead"]["email"]
    answers = await asyncio.gather(*(post(workspace, "email", body) for _ in range(20)))
    assert {a.json()["data"]["status"] for a in answers} == {"accepted"}
    # Twenty workers at once, one per delivery.
    await asyncio.gather(*(process_event(uuid.UUID(a.json()["data"]["webhook_event_id"])) for a in answers))
    results = [await settle(workspace, a) for a in answers]
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("processed") == 1 and statuses.count("duplicate") == 19
    assert len({r["lead_id"] for r in results}) == 1
    leads = (await client.get("/api/leads", params={"q": "race-"}, headers=workspace.auth)).json()["data"][
        "items"
    ]
    assert len(leads) == 1
    detail = (await client.get(f"/api/leads/{leads[0]['id']}", headers=workspace.auth)).json()["data"]
    assert len(detail["messages"]) == 1


NULL = "\u0000"


async def test_null_bytes_in_every_string_field_are_stripped(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    body = copy.deepcopy(sample("emailbison_lead_replied_1.json"))
    reply = body["data"]["reply"]
    for key in ("email_subject", "text_body", "html_body", "from_name", "from_email_address", "uuid"):
        reply[key] = f"{NULL}{reply[key]}{NULL}"
    reply["to"] = [{"address": f"sender.mailbox@example.net{NULL}", "name": f"N{NULL}"}]
    reply["cc"] = [f"cc{NULL}@example.net"]
    body["data"]["lead"]["first_name"] = f"Le{NULL}ad"
    body["data"]["lead"]["email"] = f"lead.person@example.com{NULL}"
    stored = await delivered(workspace, "email", body)
    detail = (await client.get(f"/api/leads/{stored['lead_id']}", headers=workspace.auth)).json()
    text = json.dumps(detail)
    assert "\\u0000" not in text
    message = detail["data"]["messages"][0]
    assert message["subject"] == "testing dashboard" and message["body"] == "hey"
    assert detail["data"]["lead"]["first_name"] == "Lead"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"event": "message_received", "message_id": "m\\ud800x", "message": "hi \\udfff", '
        b'"sender": {"attendee_provider_id": "p\\ud83d", "attendee_name": "A\\u0000"}, "is_sender": false}',
        b'{"event": "message_received", "message_id": "m-\xff\xfe", "message": "bad \xc3\x28 utf8",'
        b' "sender": {"attendee_provider_id": "prov-\xff"}}',
    ],
)
async def test_lone_surrogates_and_invalid_utf8_never_500(workspace: Workspace, raw: bytes) -> None:
    response = await post(workspace, "linkedin", raw)
    assert response.status_code == 200, response.text
    assert (await settle(workspace, response))["status"] == "processed"


@pytest.mark.parametrize(
    ("channel", "raw", "code"),
    [
        ("email", b"not json at all", "invalid_json"),
        ("sms", b"[1, 2, 3]", "invalid_payload"),
        ("linkedin", b'"just a string"', "invalid_payload"),
        ("email", b'{"event": {"type": "LEAD_REPLIED"}, "data": {"reply": {"id": 5}}}', "invalid_payload"),
        ("linkedin", b'{"event": "message_received", "message": "hi"}', "invalid_payload"),
        ("sms", b'{"type": "InboundMessage", "messageType": "SMS", "body": "hi"}', "invalid_payload"),
        ("email", b"", "invalid_json"),
    ],
)
async def test_malformed_bodies_are_400_and_still_recorded(
    client: AsyncTestClient[Any], workspace: Workspace, channel: str, raw: bytes, code: str
) -> None:
    response = await post(workspace, channel, raw)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    log = await client.get("/api/webhook-events", params={"status": "failed"}, headers=workspace.auth)
    [recorded] = [
        e for e in log.json()["data"]["items"] if e["id"] == response.json().get("webhook_event_id")
    ] or [log.json()["data"]["items"][0]]
    assert recorded["status"] == "failed" and recorded["size"] == len(raw) and recorded["error"]
    raw_back = await client.get(f"/api/webhook-events/{recorded['id']}", headers=workspace.auth)
    import base64

    assert base64.b64decode(raw_back.json()["data"]["body_base64"]) == raw


async def test_auth_errors(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    body = sample_bytes("ghl_inbound_message_sms_1.json")
    missing = await client.post(workspace.webhook_url("sms"), content=body)
    wrong = await client.post(
        workspace.webhook_url("sms"), content=body, headers={"X-Webhook-Secret": "nope"}
    )
    unknown = await client.post(
        f"/api/webhooks/sms?workspace={uuid.uuid4()}", content=body, headers={"X-Webhook-Secret": "x"}
    )
    via_query = await client.post(f"{workspace.webhook_url('sms')}&secret={workspace.secret}", content=body)
    assert (missing.status_code, wrong.status_code, unknown.status_code) == (401, 401, 404)
    assert via_query.status_code == 200
    # Unauthenticated bodies are not recorded.
    log = (await client.get("/api/webhook-events", headers=workspace.auth)).json()["data"]["items"]
    assert len(log) == 1


async def test_form_content_type_is_read_as_json(workspace: Workspace) -> None:
    stored = await delivered(
        workspace,
        "linkedin",
        sample_bytes("unipile_message_received_2.json"),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert stored["status"] == "processed"


async def test_body_over_the_limit_is_413(workspace: Workspace) -> None:
    huge = json.dumps({"event": "message_received", "message": "x" * 2_000_000}).encode()
    response = await post(workspace, "linkedin", huge)
    assert response.status_code == 413
    assert response.json()["success"] is False


async def test_huge_string_under_the_limit_is_stored(workspace: Workspace) -> None:
    body = copy.deepcopy(sample("unipile_message_received_2.json"))
    body["message"] = "long " * 150_000
    body["message_id"] = f"huge-{uuid.uuid4()}"
    assert (await delivered(workspace, "linkedin", body))["status"] == "processed"


async def test_ignored_events_are_recorded_as_ignored(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    body = copy.deepcopy(sample("unipile_message_received_2.json"))
    body["event"] = "message_reaction"
    assert (await delivered(workspace, "linkedin", body))["status"] == "ignored"
    email = {"event": {"type": "EMAIL_OPENED"}, "data": {}}
    assert (await delivered(workspace, "email", email))["status"] == "ignored"
    items = (await client.get("/api/webhook-events?status=ignored", headers=workspace.auth)).json()["data"][
        "items"
    ]
    assert len(items) == 2


async def test_replay_is_idempotent(client: AsyncTestClient[Any], workspace: Workspace) -> None:
    first = await delivered(workspace, "sms", sample_bytes("ghl_inbound_message_sms_1.json"))
    event_id = first["webhook_event_id"]
    replay = await client.post(f"/api/webhook-events/{event_id}/replay", headers=workspace.auth)
    assert replay.status_code == 202
    assert replay.json()["data"] == {"status": "accepted", "webhook_event_id": event_id}
    again = await settle(workspace, replay)
    assert (again["status"], again["message_id"]) == ("duplicate", first["message_id"])
    detail = (await client.get(f"/api/leads/{first['lead_id']}", headers=workspace.auth)).json()
    assert len(detail["data"]["messages"]) == 1


async def test_unsubscribe_blacklists_and_rejects_pending_drafts(
    client: AsyncTestClient[Any], workspace: Workspace
) -> None:
    created = await client.post(
        "/api/leads", json={"email": "optout@example.com", "first_name": "Opt"}, headers=workspace.auth
    )
    lead_id = created.json()["data"]["id"]
    body = {
        "event": {"type": "LEAD_UNSUBSCRIBED"},
        "data": {"lead": {"id": 9, "email": "OptOut@example.com"}},
    }
    stored = await delivered(workspace, "email", body)
    assert stored == {
        "status": "processed",
        "lead_id": lead_id,
        "message_id": None,
        "webhook_event_id": stored["webhook_event_id"],
    }
    lead = (await client.get(f"/api/leads/{lead_id}", headers=workspace.auth)).json()["data"]["lead"]
    assert (lead["sentiment_tag"], lead["status"]) == ("Blacklist", "blacklisted")


async def test_ghl_without_message_id_dedupes_on_its_own_time(workspace: Workspace) -> None:
    body = {
        "contact_id": f"ghl_{uuid.uuid4().hex[:6]}",
        "phone": "+1 (415) 555-0100",
        "message": {"type": 2, "body": "Yes let's talk"},
        "customData": {"Date": "2026-02-05", "Time": "10:05"},
        "triggerData": {},
        "contact": {"attributionSource": {"medium": "null"}},
        "tags": "",
    }
    first = await delivered(workspace, "sms", body)
    second = await delivered(workspace, "sms", body)
    assert (first["status"], second["status"]) == ("processed", "duplicate")
    later = copy.deepcopy(body)
    later["customData"]["Time"] = "11:30"
    assert (await delivered(workspace, "sms", later))["status"] == "processed"
    timeless = copy.deepcopy(body)
    timeless["customData"] = {}
    timeless["message"]["body"] = "A timeless body"
    assert (await delivered(workspace, "sms", timeless))["status"] == "processed"
    assert (await delivered(workspace, "sms", timeless))["status"] == "duplicate"


async def test_absurdly_long_identifiers_never_500(workspace: Workspace) -> None:
    body = copy.deepcopy(sample("unipile_message_received_2.json"))
    body["message_id"] = "m" * 300_000
    body["sender"]["attendee_provider_id"] = "p" * 300_000
    body["sender"]["attendee_profile_url"] = "https://linkedin.com/in/" + "q" * 300_000
    for _ in range(2):
        response = await post(workspace, "linkedin", body)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200:  # and its processing in the worker never fails either
            assert (await settle(workspace, response))["status"] in ("processed", "duplicate")
