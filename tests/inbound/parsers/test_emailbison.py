"""EmailBison bodies land as API.md "Webhooks → Email (EmailBison / Inboxxia)" says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from server.inbound.parsers.emailbison import parse_emailbison
from server.inbound.parsers.fields import address_list, parse_timestamp
from server.inbound.parsers.normalized import InvalidPayload, LeadIdentity, ParsedMessage
from tests.inbound.parsers.fuzzing import assert_parses_or_rejects, json_values, mutated

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "webhooks"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def replied() -> dict[str, Any]:
    return load("emailbison_lead_replied_1.json")


# --- the real samples -------------------------------------------------------------------------


def test_lead_replied_sample_is_an_inbound_email_from_the_lead() -> None:
    parsed = parse_emailbison(replied())

    assert parsed.kind == "message"
    message, lead = parsed.message, parsed.lead
    assert message is not None and lead is not None
    assert (message.channel, message.direction, message.sent_by) == ("email", "inbound", "lead")
    assert message.provider_message_id == "emailbison:reply:999"
    assert message.provider_time == "2025-12-06T16:13:10.000Z"
    assert message.sent_at == datetime(2025, 12, 6, 16, 13, 10, tzinfo=UTC)
    assert message.subject == "testing dashboard"
    assert message.body == "hey"
    assert message.html == "<p>hey</p>"
    assert message.from_address == "lead.person@example.com"
    assert message.to == ["sender.mailbox@example.net"]
    assert (message.cc, message.bcc) == ([], [])
    assert not message.is_bounce and not message.is_automated
    assert message.sentiment_hint is None
    assert lead.email == "lead.person@example.com"
    assert lead.emailbison_lead_id == "100"
    assert (lead.first_name, lead.last_name) == ("Lead", "Person")


def test_lead_interested_sample_without_subject_or_body() -> None:
    parsed = parse_emailbison(load("emailbison_lead_interested_1.json"))

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert message.direction == "inbound"
    assert message.provider_message_id == "emailbison:reply:4383184"
    assert not message.subject
    assert message.body == ""
    assert message.html is None
    assert message.sentiment_hint == "Interested"
    assert message.sent_at == datetime(2025, 10, 9, 15, 30, tzinfo=UTC)
    assert lead.email == "prospect.person@example.com"
    assert lead.emailbison_lead_id == "632586"
    assert lead.phone == "(555) 555-0100"
    assert lead.company is None and lead.title is None


def test_email_sent_sample_is_an_outbound_campaign_email() -> None:
    parsed = parse_emailbison(load("emailbison_email_sent_1.json"))

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert (message.channel, message.direction, message.sent_by) == ("email", "outbound", "provider")
    assert message.provider_message_id == "emailbison:scheduled:4"
    assert message.subject == "test subject"
    assert message.html == "<p>test</p>"
    assert message.body == "test"
    assert message.from_address == "from@example.com"
    assert message.to == ["lead@example.com"]
    assert message.sent_at == datetime(2024, 8, 2, 6, 8, 38, tzinfo=UTC)
    assert (lead.email, lead.emailbison_lead_id) == ("lead@example.com", "1")


# --- variations -------------------------------------------------------------------------------


def test_event_sent_as_a_plain_string() -> None:
    body = replied()
    body["event"] = "lead_replied"
    assert parse_emailbison(body).kind == "message"


@pytest.mark.parametrize("event", [{"type": "LEAD_OPENED"}, {"type": None}, {}, None, 7, ["LEAD_REPLIED"]])
def test_other_or_missing_event_types_are_ignored(event: object) -> None:
    body = replied()
    body["event"] = event
    parsed = parse_emailbison(body)
    assert parsed.kind == "ignored"
    assert parsed.reason


def test_unsubscribe_carries_the_lead() -> None:
    body = {"event": {"type": "LEAD_UNSUBSCRIBED"}, "data": {"lead": {"id": 42, "email": "dana@prospect.io"}}}
    parsed = parse_emailbison(body)
    assert parsed.kind == "unsubscribe"
    assert parsed.lead is not None
    assert (parsed.lead.email, parsed.lead.emailbison_lead_id) == ("dana@prospect.io", "42")


def test_reply_uuid_is_the_fallback_id() -> None:
    body = replied()
    body["data"]["reply"]["id"] = None
    message = parse_emailbison(body).message
    assert message is not None
    assert message.provider_message_id == "emailbison:reply-uuid:test-uuid-123"


def test_integral_float_id_reads_as_an_integer() -> None:
    body = replied()
    body["data"]["reply"]["id"] = 999.0
    message = parse_emailbison(body).message
    assert message is not None and message.provider_message_id == "emailbison:reply:999"


@pytest.mark.parametrize("reply", [{}, {"id": "", "uuid": "null"}, {"id": [], "uuid": {}}])
def test_reply_without_id_or_uuid_is_invalid(reply: dict[str, Any]) -> None:
    body = replied()
    body["data"]["reply"] = reply
    with pytest.raises(InvalidPayload, match=r"reply\.id"):
        parse_emailbison(body)


def test_reply_that_does_not_identify_the_lead_is_invalid() -> None:
    body = replied()
    body["data"]["lead"] = "null"
    del body["data"]["reply"]["from_email_address"]
    with pytest.raises(InvalidPayload, match="lead"):
        parse_emailbison(body)


def test_email_sent_without_scheduled_id_is_invalid() -> None:
    body = load("emailbison_email_sent_1.json")
    del body["data"]["scheduled_email"]["id"]
    with pytest.raises(InvalidPayload, match="scheduled_email"):
        parse_emailbison(body)


def test_email_sent_with_sender_email_only_an_id() -> None:
    body = load("emailbison_email_sent_1.json")
    body["data"]["sender_email"] = {"id": 3}
    message = parse_emailbison(body).message
    assert message is not None and message.from_address is None


def test_lead_without_email_uses_the_reply_sender_and_its_name() -> None:
    body = replied()
    body["data"]["lead"] = {"id": 100}
    body["data"]["reply"]["from_name"] = "Dana  van Lee"
    lead = parse_emailbison(body).lead
    assert lead is not None
    assert lead.email == "lead.person@example.com"
    assert (lead.first_name, lead.last_name) == ("Dana", "van Lee")


def test_from_address_falls_back_to_the_lead_email() -> None:
    body = replied()
    del body["data"]["reply"]["from_email_address"]
    message = parse_emailbison(body).message
    assert message is not None and message.from_address == "lead.person@example.com"


def test_created_at_stands_in_for_a_missing_date_received() -> None:
    body = replied()
    body["data"]["reply"]["date_received"] = "not a date"
    body["data"]["reply"]["created_at"] = "2025-12-06T16:13:10+00:00"
    message = parse_emailbison(body).message
    assert message is not None
    assert message.provider_time == "not a date"
    assert message.sent_at == datetime(2025, 12, 6, 16, 13, 10, tzinfo=UTC)


def test_html_only_reply_gets_a_text_body_and_keeps_raw_html() -> None:
    body = replied()
    body["data"]["reply"]["text_body"] = None
    body["data"]["reply"]["html_body"] = "<p>Sounds <b>good</b></p><script>x()</script>"
    message = parse_emailbison(body).message
    assert message is not None
    assert message.body.startswith("Sounds good")
    assert message.html == "<p>Sounds <b>good</b></p><script>x()</script>"


@pytest.mark.parametrize(
    ("reply_type", "sender"),
    [("Bounced", "lead.person@example.com"), ("BOUNCED", None), ("reply", "mailer-daemon@mx.example.com")],
)
def test_bounces(reply_type: str, sender: str | None) -> None:
    body = replied()
    body["data"]["reply"]["type"] = reply_type
    body["data"]["reply"]["from_email_address"] = sender
    message = parse_emailbison(body).message
    assert message is not None and message.is_bounce


def test_bounce_sender_never_becomes_the_lead_address() -> None:
    body = replied()
    body["data"]["lead"] = {"id": 100}
    body["data"]["reply"]["from_email_address"] = "MAILER-DAEMON@mx.example.com"
    body["data"]["reply"]["from_name"] = "Mail Delivery System"
    parsed = parse_emailbison(body)
    assert parsed.lead is not None and parsed.message is not None
    assert parsed.lead.email is None and parsed.lead.emailbison_lead_id == "100"
    assert parsed.lead.first_name is None
    assert parsed.message.is_bounce


@pytest.mark.parametrize(
    ("flag", "expected"), [(True, True), ("true", True), (1, True), (0, False), ("no", False)]
)
def test_automated_reply_flag(flag: object, expected: bool) -> None:
    body = replied()
    body["data"]["reply"]["automated_reply"] = flag
    message = parse_emailbison(body).message
    assert message is not None and message.is_automated is expected


def test_phone_from_lead_or_custom_variables_in_any_case() -> None:
    body = replied()
    body["data"]["lead"]["custom_variables"] = [
        {"name": "state", "value": "AL"},
        {"name": "PHONE", "value": 4155550100},
    ]
    lead = parse_emailbison(body).lead
    assert lead is not None and lead.phone == "4155550100"
    body["data"]["lead"]["phone"] = "+1 415 555 0199"
    lead = parse_emailbison(body).lead
    assert lead is not None and lead.phone == "+1 415 555 0199"


def test_wrong_types_in_unused_fields_are_ignored() -> None:
    body = replied()
    body["data"]["campaign"] = ["not", "an", "object"]
    body["data"]["sender_email"] = 5
    body["data"]["lead"]["custom_variables"] = "Phone=123"
    body["data"]["lead"]["title"] = {"x": 1}
    body["data"]["lead"]["company"] = 12
    body["data"]["reply"]["to"] = 17
    body["data"]["reply"]["cc"] = [None, 3, {"name": "no address"}, "cc@example.com"]
    body["data"]["reply"]["date_received"] = ["2025"]
    body["data"]["reply"]["created_at"] = 3.5e300
    body["data"]["reply"]["email_subject"] = {"nested": True}
    parsed = parse_emailbison(body)
    assert parsed.message is not None and parsed.lead is not None
    assert parsed.message.to == [] and parsed.message.cc == ["cc@example.com"]
    assert parsed.message.sent_at is None and parsed.message.subject is None
    assert parsed.lead.phone is None and parsed.lead.title is None and parsed.lead.company == "12"


@pytest.mark.parametrize("body", [[], "text", None, 3, True])
def test_body_that_is_not_an_object_is_invalid(body: object) -> None:
    with pytest.raises(InvalidPayload, match="JSON object"):
        parse_emailbison(body)


# --- the field helpers the parsers lean on ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-08-02T06:08:38.000000Z", datetime(2024, 8, 2, 6, 8, 38, tzinfo=UTC)),
        ("2025-10-09T15:30:00Z", datetime(2025, 10, 9, 15, 30, tzinfo=UTC)),
        ("2026-02-05T12:00:00+02:00", datetime(2026, 2, 5, 10, 0, tzinfo=UTC)),
        ("2026-02-05 10:05", datetime(2026, 2, 5, 10, 5, tzinfo=UTC)),
        (1_770_285_600, datetime(2026, 2, 5, 10, 0, tzinfo=UTC)),
        (1_770_285_600_000, datetime(2026, 2, 5, 10, 0, tzinfo=UTC)),
        ("10:05 AM", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (10**400, None),
        ("9999-12-31T23:59:59-05:00", None),
    ],
)
def test_parse_timestamp(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ([], []),
        ("a@x.io", ["a@x.io"]),
        (["a@x.io", "b@x.io"], ["a@x.io", "b@x.io"]),
        ([{"address": "a@x.io", "name": None}, {"email": "b@x.io"}], ["a@x.io", "b@x.io"]),
        ({"address": "a@x.io"}, ["a@x.io"]),
        ([["a@x.io"], 5, "", "null"], []),
    ],
)
def test_address_list(value: object, expected: list[str]) -> None:
    assert address_list(value) == expected


# --- nothing but WebhookParse or InvalidPayload, whatever arrives -----------------------------

JSON = json_values(
    ["event", "type", "data", "reply", "lead", "id", "uuid", "email", "scheduled_email", "custom_variables"]
)
SAMPLES = [load(name) for name in sorted(p.name for p in FIXTURES.glob("emailbison_*.json"))]


def check_message(message: ParsedMessage, lead: LeadIdentity) -> None:
    assert message.provider_message_id and message.provider_message_id.startswith("emailbison:")


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_arbitrary_json_never_escapes_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_emailbison, body, check_message)


@settings(max_examples=200, deadline=None)
@given(mutated(SAMPLES, JSON))
def test_mutated_samples_never_escape_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_emailbison, body, check_message)
