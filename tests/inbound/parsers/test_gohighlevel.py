"""GoHighLevel bodies land as API.md "Webhooks → SMS (GoHighLevel)" says, in both shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from server.inbound.parsers.gohighlevel import parse_gohighlevel
from server.inbound.parsers.normalized import InvalidPayload, LeadIdentity, ParsedMessage
from tests.inbound.parsers.fuzzing import assert_parses_or_rejects, json_values, mutated

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "webhooks"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def inbound_event() -> dict[str, Any]:
    return load("ghl_inbound_message_sms_1.json")


def workflow() -> dict[str, Any]:
    """The workflow "Webhook" action body quoted in API.md."""
    return {
        "contact_id": "ghl_abc",
        "first_name": "Dana",
        "last_name": "Lee",
        "full_name": "Dana Lee",
        "email": "dana@prospect.io",
        "phone": "+1 (415) 555-0100",
        "tags": "lead,q1",
        "date_created": "2025-01-06T16:51:42Z",
        "location": {"id": "loc_1", "name": "Acme"},
        "workflow": {"id": "wf1", "name": "Inbound SMS"},
        "message": {"type": 2, "body": "Yes let's talk"},
        "customData": {"Date": "2026-02-05", "Time": "10:05"},
        "triggerData": {},
        "contact": {"attributionSource": {"medium": "null"}},
    }


# --- the flat InboundMessage / OutboundMessage event -----------------------------------------


def test_inbound_sms_sample() -> None:
    parsed = parse_gohighlevel(inbound_event())

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert (message.channel, message.direction, message.sent_by) == ("sms", "inbound", "lead")
    assert message.provider_message_id is None  # the sample has no messageId
    assert message.provider_time == "2021-04-21T11:31:45.750Z"
    assert message.sent_at == datetime(2021, 4, 21, 11, 31, 45, 750000, tzinfo=UTC)
    assert message.body == "This is a test message"
    assert message.from_address == "+15551234567"
    assert message.to == ["+15559876543"]
    assert lead.phone == "+15551234567"
    assert lead.ghl_contact_id == "cI08i1Bls3iTB9bKgFJh"


def test_message_id_when_present() -> None:
    body = inbound_event()
    body["messageId"] = "m_1"
    message = parse_gohighlevel(body).message
    assert message is not None and message.provider_message_id == "ghl:m_1"


def test_outbound_event_lead_phone_is_the_recipient() -> None:
    body = inbound_event()
    body.update(
        {"type": "OutboundMessage", "direction": "outbound", "from": "+15550000001", "to": "+15550000002"}
    )
    parsed = parse_gohighlevel(body)
    assert parsed.message is not None and parsed.lead is not None
    assert (parsed.message.direction, parsed.message.sent_by) == ("outbound", "provider")
    assert parsed.lead.phone == "+15550000002"


@pytest.mark.parametrize(
    "message_type",
    [
        {"messageType": "sms"},
        {"messageTypeId": 2},
        {"messageTypeId": "2"},
        {"messageTypeString": "TYPE_SMS"},
    ],
)
def test_sms_is_recognised_by_any_of_its_names(message_type: dict[str, Any]) -> None:
    body = inbound_event()
    for key in ("messageType", "messageTypeId", "messageTypeString"):
        del body[key]
    body.update(message_type)
    assert parse_gohighlevel(body).kind == "message"


@pytest.mark.parametrize(
    "message_type",
    [
        {"messageType": "CALL", "messageTypeId": 1, "messageTypeString": "TYPE_CALL"},
        {"messageType": "Email", "messageTypeId": 3, "messageTypeString": "TYPE_EMAIL"},
        {"messageType": "VOICEMAIL"},
        {"messageType": None, "messageTypeId": None, "messageTypeString": None},
    ],
)
def test_other_message_types_are_ignored(message_type: dict[str, Any]) -> None:
    body = inbound_event()
    body.update(message_type)
    parsed = parse_gohighlevel(body)
    assert parsed.kind == "ignored" and parsed.reason


@pytest.mark.parametrize("event_type", ["ContactCreate", "NoteCreate", "", None, 5])
def test_other_events_are_ignored(event_type: object) -> None:
    body = inbound_event()
    body["type"] = event_type
    assert parse_gohighlevel(body).kind == "ignored"


def test_event_without_contact_or_phone_is_invalid() -> None:
    body = inbound_event()
    body["contactId"] = ""
    body["from"] = None
    with pytest.raises(InvalidPayload, match="contact id"):
        parse_gohighlevel(body)


def test_mms_without_text_keeps_its_attachments() -> None:
    body = inbound_event()
    body["body"] = ""
    body["attachments"] = ["https://files.example.com/a.jpg"]
    message = parse_gohighlevel(body).message
    assert message is not None and message.body == "https://files.example.com/a.jpg"


def test_event_with_empty_body_is_ignored() -> None:
    body = inbound_event()
    body["body"] = "   "
    assert parse_gohighlevel(body).kind == "ignored"


# --- the workflow "Webhook" action -------------------------------------------------------------


def test_workflow_body_from_api_md() -> None:
    parsed = parse_gohighlevel(workflow())

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert (message.channel, message.direction, message.sent_by) == ("sms", "inbound", "lead")
    assert message.body == "Yes let's talk"
    assert message.provider_message_id is None
    assert message.provider_time == "2026-02-05 10:05"
    assert message.sent_at == datetime(2026, 2, 5, 10, 5, tzinfo=UTC)
    assert lead.ghl_contact_id == "ghl_abc"
    assert lead.phone == "+1 (415) 555-0100"
    assert lead.email == "dana@prospect.io"
    assert (lead.first_name, lead.last_name) == ("Dana", "Lee")


def test_workflow_with_empty_values_as_empty_string_object_and_null() -> None:
    body = workflow()
    body.update({"first_name": "", "last_name": "null", "email": {}, "location": "", "customData": "null"})
    parsed = parse_gohighlevel(body)
    assert parsed.lead is not None and parsed.message is not None
    assert (parsed.lead.first_name, parsed.lead.last_name) == ("Dana", "Lee")  # from full_name
    assert parsed.lead.email is None
    assert parsed.message.provider_time is None and parsed.message.sent_at is None


@pytest.mark.parametrize("message_type", [2, "2", "SMS", "sms", "TYPE_SMS"])
def test_workflow_sms_types(message_type: object) -> None:
    body = workflow()
    body["message"]["type"] = message_type
    assert parse_gohighlevel(body).kind == "message"


@pytest.mark.parametrize("message_type", [1, 3, "Email", "CALL", "TYPE_CALL"])
def test_workflow_non_sms_types_are_ignored(message_type: object) -> None:
    body = workflow()
    body["message"]["type"] = message_type
    assert parse_gohighlevel(body).kind == "ignored"


@pytest.mark.parametrize(
    "message", [None, "", {}, "null", {"type": 2, "body": ""}, {"type": 2, "body": "null"}]
)
def test_workflow_without_a_message_or_with_empty_body_is_ignored(message: object) -> None:
    body = workflow()
    if message is None:
        del body["message"]
    else:
        body["message"] = message
    parsed = parse_gohighlevel(body)
    assert parsed.kind == "ignored" and parsed.reason


def test_workflow_message_id_direction_and_date_added() -> None:
    body = workflow()
    body["message"].update({"id": "m_9", "direction": "outbound", "dateAdded": "2026-02-05T10:06:00Z"})
    message = parse_gohighlevel(body).message
    assert message is not None
    assert message.provider_message_id == "ghl:m_9"
    assert (message.direction, message.sent_by) == ("outbound", "provider")
    assert message.to == ["+1 (415) 555-0100"]
    assert message.provider_time == "2026-02-05T10:06:00Z"


def test_workflow_top_level_date_added_wins_over_custom_data() -> None:
    body = workflow()
    body["date_added"] = "2026-02-05T10:07:00.000Z"
    message = parse_gohighlevel(body).message
    assert message is not None and message.provider_time == "2026-02-05T10:07:00.000Z"


def test_workflow_unparseable_time_keeps_provider_time_but_no_sent_at() -> None:
    body = workflow()
    body["customData"] = {"Date": "Feb 5th", "Time": "10:05 AM"}
    message = parse_gohighlevel(body).message
    assert message is not None
    assert message.provider_time == "Feb 5th 10:05 AM"
    assert message.sent_at is None


def test_workflow_without_contact_id_or_phone_is_invalid() -> None:
    body = workflow()
    body.update({"contact_id": "null", "phone": ""})
    with pytest.raises(InvalidPayload, match="contact id"):
        parse_gohighlevel(body)


def test_wrong_types_in_unused_fields_are_ignored() -> None:
    body = workflow()
    body.update({"tags": ["a", "b"], "location": [1], "workflow": 3, "triggerData": "x", "contact": None})
    body["first_name"] = 7
    body["full_name"] = ["Dana"]
    parsed = parse_gohighlevel(body)
    assert parsed.kind == "message" and parsed.lead is not None
    assert parsed.lead.first_name == "7"


@pytest.mark.parametrize("body", [[], "text", None, 3, False])
def test_body_that_is_not_an_object_is_invalid(body: object) -> None:
    with pytest.raises(InvalidPayload, match="JSON object"):
        parse_gohighlevel(body)


# --- nothing but WebhookParse or InvalidPayload, whatever arrives -----------------------------

JSON = json_values(
    [
        "type",
        "messageType",
        "messageTypeId",
        "body",
        "from",
        "to",
        "contactId",
        "contact_id",
        "message",
        "phone",
    ]
)
SAMPLES = [inbound_event(), workflow()]


def check_message(message: ParsedMessage, lead: LeadIdentity) -> None:
    assert message.channel == "sms" and message.body
    assert lead.ghl_contact_id or lead.phone


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_arbitrary_json_never_escapes_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_gohighlevel, body, check_message)


@settings(max_examples=200, deadline=None)
@given(mutated(SAMPLES, JSON))
def test_mutated_samples_never_escape_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_gohighlevel, body, check_message)
