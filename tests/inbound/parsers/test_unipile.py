"""Unipile bodies land as API.md "Webhooks → LinkedIn (Unipile)" says."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from server.inbound.parsers.normalized import InvalidPayload, LeadIdentity, ParsedMessage
from server.inbound.parsers.unipile import parse_unipile
from tests.inbound.parsers.fuzzing import assert_parses_or_rejects, json_values, mutated

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "webhooks"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def inbound() -> dict[str, Any]:
    return load("unipile_message_received_2.json")


def outbound() -> dict[str, Any]:
    return load("unipile_message_received_outbound_1.json")


# --- the real samples -------------------------------------------------------------------------


def test_inbound_sample_comes_from_the_sender() -> None:
    parsed = parse_unipile(inbound())

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert (message.channel, message.direction, message.sent_by) == ("linkedin", "inbound", "lead")
    assert message.provider_message_id == "unipile:msg_inbound_0001"
    assert message.body == "hi, thanks for connecting"
    assert message.subject is None
    assert message.provider_time == "2026-07-06T09:43:27.002Z"
    assert message.sent_at == datetime(2026, 7, 6, 9, 43, 27, 2000, tzinfo=UTC)
    assert lead.linkedin_provider_id == "ACoAA-prospect-0001"
    assert lead.linkedin_url == "https://www.linkedin.com/in/ACoAA-prospect-0001"
    assert (lead.first_name, lead.last_name) == ("Prospect", "One")


def test_outbound_sample_lead_is_the_other_attendee() -> None:
    parsed = parse_unipile(outbound())

    message, lead = parsed.message, parsed.lead
    assert parsed.kind == "message" and message is not None and lead is not None
    assert (message.direction, message.sent_by) == ("outbound", "provider")
    assert message.provider_message_id == "unipile:msg_outbound_0002"
    assert message.body == "great to connect — quick question for you"
    assert lead.linkedin_provider_id == "ACoAA-prospect-0002"
    assert lead.linkedin_url == "https://www.linkedin.com/in/ACoAA-prospect-0002"
    assert (lead.first_name, lead.last_name) == ("Prospect", "Two")


def test_account_status_sample_is_ignored() -> None:
    parsed = parse_unipile(load("unipile_account_status_1.json"))
    assert parsed.kind == "ignored" and parsed.reason


# --- variations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event", ["message_reaction", "message_read", "message_edited", "message_deleted", "", None, {}]
)
def test_other_events_are_ignored(event: object) -> None:
    body = inbound()
    body["event"] = event
    assert parse_unipile(body).kind == "ignored"


def test_own_sender_id_means_outbound_even_when_is_sender_is_false() -> None:
    body = outbound()
    body["is_sender"] = False
    parsed = parse_unipile(body)
    assert parsed.message is not None and parsed.lead is not None
    assert parsed.message.direction == "outbound"
    assert parsed.lead.linkedin_provider_id == "ACoAA-prospect-0002"


@pytest.mark.parametrize("flag", ["true", 1])
def test_is_sender_as_text_or_number(flag: object) -> None:
    body = outbound()
    body["account_info"] = {}
    body["is_sender"] = flag
    parsed = parse_unipile(body)
    assert parsed.message is not None and parsed.message.direction == "outbound"
    assert parsed.lead is not None and parsed.lead.linkedin_provider_id == "ACoAA-prospect-0002"


def test_outbound_skips_our_own_attendee_entry() -> None:
    body = outbound()
    body["attendees"].insert(0, copy.deepcopy(body["sender"]))
    lead = parse_unipile(body).lead
    assert lead is not None and lead.linkedin_provider_id == "ACoAA-prospect-0002"


def test_outbound_with_only_us_in_attendees_is_invalid() -> None:
    body = outbound()
    body["attendees"] = [copy.deepcopy(body["sender"])]
    with pytest.raises(InvalidPayload, match="lead"):
        parse_unipile(body)


def test_null_text_is_an_empty_body() -> None:
    body = inbound()
    body["message"] = None
    message = parse_unipile(body).message
    assert message is not None and message.body == ""


def test_subject_when_present() -> None:
    body = inbound()
    body["subject"] = "InMail: quick question"
    message = parse_unipile(body).message
    assert message is not None and message.subject == "InMail: quick question"


@pytest.mark.parametrize("message_id", [None, "", "null", [], {}])
def test_missing_message_id_is_invalid(message_id: object) -> None:
    body = inbound()
    body["message_id"] = message_id
    with pytest.raises(InvalidPayload, match="message_id"):
        parse_unipile(body)


def test_sender_with_only_a_profile_url_is_enough() -> None:
    body = inbound()
    body["sender"] = {"attendee_profile_url": "https://www.linkedin.com/in/dana"}
    lead = parse_unipile(body).lead
    assert lead is not None
    assert (lead.linkedin_provider_id, lead.linkedin_url) == (None, "https://www.linkedin.com/in/dana")


@pytest.mark.parametrize("sender", [None, {}, "ACoAA-x", {"attendee_name": "Dana Lee"}])
def test_sender_without_identity_is_invalid(sender: object) -> None:
    body = inbound()
    body["sender"] = sender
    with pytest.raises(InvalidPayload, match="attendee_provider_id"):
        parse_unipile(body)


def test_wrong_types_in_unused_fields_are_ignored() -> None:
    body = inbound()
    body.update(
        {"account_info": [], "attachments": "x", "folder": 3, "quoted": {"a": [1]}, "timestamp": 12.5}
    )
    body["sender"]["attendee_specifics"] = "none"
    body["sender"]["attendee_name"] = 42
    body["attendees"] = {"not": "a list"}
    parsed = parse_unipile(body)
    assert parsed.lead is not None and parsed.message is not None
    assert parsed.lead.first_name == "42" and parsed.lead.title is None


@pytest.mark.parametrize("body", [[], "text", None, 3, 1.5])
def test_body_that_is_not_an_object_is_invalid(body: object) -> None:
    with pytest.raises(InvalidPayload, match="JSON object"):
        parse_unipile(body)


# --- nothing but WebhookParse or InvalidPayload, whatever arrives -----------------------------

JSON = json_values(
    [
        "event",
        "message_id",
        "sender",
        "attendees",
        "attendee_provider_id",
        "is_sender",
        "account_info",
        "user_id",
    ]
)
SAMPLES = [load(name) for name in sorted(p.name for p in FIXTURES.glob("unipile_*.json"))]


def check_message(message: ParsedMessage, lead: LeadIdentity) -> None:
    assert lead.linkedin_provider_id or lead.linkedin_url


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_arbitrary_json_never_escapes_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_unipile, body, check_message)


@settings(max_examples=200, deadline=None)
@given(mutated(SAMPLES, JSON))
def test_mutated_samples_never_escape_as_another_error(body: Any) -> None:
    assert_parses_or_rejects(parse_unipile, body, check_message)
