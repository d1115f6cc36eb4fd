"""The offline provider: deterministic, schema-conforming, and its drafts read like real replies."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from server.ai.providers.base import ModelRequest
from server.ai.providers.offline import OFFLINE_MODEL, OfflineProvider, classify
from server.ai.runner import run_prompt
from server.ai.schema_check import conforms
from server.sentiment.rules import SENTIMENT_TAGS
from tests.ai.prompt_samples import all_specs

PROVIDER = OfflineProvider()


async def answer(name: str, **context: Any) -> dict[str, Any]:
    spec = all_specs()[name]
    request = ModelRequest(
        task=spec.task,
        model=spec.model,
        instructions=spec.instructions,
        input=spec.input,
        schema_name=spec.schema_name,
        json_schema=spec.json_schema,
        max_output_tokens=spec.max_output_tokens,
        context=spec.context | context,
    )
    response = await PROVIDER.respond(request)
    assert (response.status, response.model, response.provider) == ("completed", OFFLINE_MODEL, "offline")
    data: dict[str, Any] = json.loads(response.output_text)
    assert conforms(data, spec.json_schema)
    return data


@pytest.mark.parametrize("name", ["sentiment", "strategy", "email", "verify", "sms", "linkedin", "overseer"])
async def test_every_task_conforms_and_is_deterministic(name: str) -> None:
    first = await answer(name)

    assert await answer(name) == first


@pytest.mark.parametrize("name", ["sentiment", "strategy", "email", "verify", "sms", "linkedin", "overseer"])
async def test_every_task_runs_through_the_runner(name: str) -> None:
    result = await run_prompt(all_specs()[name], provider=PROVIDER)

    assert (result.provider, result.model, result.attempts) == ("offline", OFFLINE_MODEL, 1)


async def test_an_unknown_task_gets_a_minimal_valid_answer() -> None:
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "score": {"type": "integer", "minimum": 0}},
        "required": ["summary", "score"],
        "additionalProperties": False,
    }
    request = ModelRequest(
        task="conversation_insight",
        model="m",
        instructions="",
        input="",
        schema_name="x",
        json_schema=schema,
        max_output_tokens=10,
    )

    data = json.loads((await PROVIDER.respond(request)).output_text)

    assert conforms(data, schema)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Please unsubscribe me.", "Blacklist"),
        ("No thanks, we're good.", "Not Interested"),
        ("I am out of the office until Monday.", "Out of Office"),
        ("Confirmed, see you Thursday at 2pm.", "Meeting Booked"),
        ("Can you give me a call tomorrow?", "Call Requested"),
        ("Let's schedule a demo next week.", "Meeting Requested"),
        ("How much does it cost?", "Information Requested"),
        ("Too expensive for us right now.", "Objection"),
        ("Not right now, maybe next quarter.", "Follow Up"),
        ("Sounds great, tell me more!", "Interested"),
        ("Who is this?", "Neutral"),
        ("", "Neutral"),
    ],
)
def test_keyword_classification(text: str, tag: str) -> None:
    found, reason = classify(text)

    assert (found, bool(reason)) == (tag, True)
    assert found in SENTIMENT_TAGS


async def test_the_sentiment_task_reads_the_latest_inbound_from_its_context() -> None:
    data = await answer("sentiment", latest_inbound="Call me on Friday")

    assert data["sentiment_tag"] == "Call Requested"


async def test_email_draft_has_greeting_body_sign_off_and_reply_subject() -> None:
    data = await answer("email", latest_inbound="How much does it cost? Could we talk Thursday?")

    body = data["body"]
    assert data["subject"] == "Re: Quick question"
    assert body.startswith("Hi Dana,\n\n")
    assert body.endswith("\n\nBest regards,")
    assert "pricing" in body.lower()
    assert "Thursday" in body
    assert not re.search(r"\[|\{|lorem", body, re.I)


async def test_email_without_a_thread_subject_gets_a_plain_re_subject() -> None:
    data = await answer("email", latest_subject=None, latest_inbound="Can you send me more information?")

    assert data["subject"] == "Re: More information"
    assert "Acme Roofing" in data["body"]


async def test_a_lead_without_a_name_gets_a_neutral_greeting() -> None:
    data = await answer("email", first_name=None, latest_inbound="Interested.")

    assert data["body"].startswith("Hi,\n\n")


@pytest.mark.parametrize(
    "text", ["", "Call me", "How much? Send me details, can we meet Tuesday?", "Booked, see you then"]
)
async def test_short_channels_stay_within_their_limits(text: str) -> None:
    long_name = {
        "first_name": "Bartholomew-Maximilian " * 5,
        "company": "Enormous Holdings International " * 5,
    }

    sms = await answer("sms", latest_inbound=text, **long_name)
    linkedin = await answer("linkedin", latest_inbound=text, **long_name)

    assert len(sms["body"]) <= 300
    assert len(linkedin["body"]) <= 600
    assert sms["body"].startswith("Hi Bartholomew")


async def test_verifier_and_overseer_keep_the_draft() -> None:
    draft = "Hi Dana,\n\nThursday works.\n\nBest regards,"

    assert await answer("verify", draft_body=draft) == {"verdict": "ok", "body": draft}
    assert await answer("overseer", draft_body=draft) == {"decision": "keep", "body": draft}


async def test_a_booked_meeting_is_confirmed_not_rebooked() -> None:
    data = await answer("sms", latest_inbound="Booked for Thursday, see you then")

    assert "confirming" in data["body"]
    assert "What day" not in data["body"]
    assert (await answer("strategy", latest_inbound="Booked, see you then"))["goal"] == "confirm_meeting"
