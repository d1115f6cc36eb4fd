"""The fake OpenAI server speaks the real wire format: the official SDK parses it, strictly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai.types.responses import Response

from server.ai.prompts.classification import SENTIMENT_SCHEMA
from server.ai.prompts.drafts import EMAIL_SCHEMA, SHORT_MESSAGE_SCHEMA, STRATEGY_SCHEMA, VERIFY_SCHEMA
from server.ai.prompts.overseer import OVERSEER_SCHEMA
from server.ai.providers.base import ModelRequest
from server.ai.providers.openai_provider import OpenAIProvider
from server.ai.schema_check import conforms
from tests.fakes.fake_openai import DRAFTING, FakeOpenAIServer, FakeReply

ROOT = Path(__file__).resolve().parents[2]
ALL_SCHEMAS = {
    "sentiment": SENTIMENT_SCHEMA,
    "strategy": STRATEGY_SCHEMA,
    "email": EMAIL_SCHEMA,
    "verify": VERIFY_SCHEMA,
    "short": SHORT_MESSAGE_SCHEMA,
    "overseer": OVERSEER_SCHEMA,
}


def request_for(schema: dict[str, Any], name: str = "test_schema") -> ModelRequest:
    return ModelRequest(
        task="test",
        model="gpt-test",
        instructions="Be brief.",
        input="Hello",
        schema_name=name,
        json_schema=schema,
        max_output_tokens=500,
        context={"latest_inbound": "never sent"},
    )


def post(fake: FakeOpenAIServer, schema: dict[str, Any]) -> httpx.Response:
    text_format = {"type": "json_schema", "name": "test_schema", "schema": schema, "strict": True}
    payload = {"model": "gpt-test", "input": "Hi", "text": {"format": text_format}}
    return httpx.post(f"{fake.base_url}/responses", json=payload, timeout=5)


@pytest.mark.parametrize(
    "reply", [FakeReply.completed(), FakeReply.incomplete(), FakeReply.incomplete(text="")]
)
def test_bodies_validate_strictly_against_the_sdk_response_model(
    reply: FakeReply, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(reply)

    parsed = Response.model_validate(post(fake_openai, EMAIL_SCHEMA).json())

    assert parsed.status == reply.kind
    if reply.kind == "incomplete":
        assert parsed.incomplete_details is not None
        assert parsed.incomplete_details.reason == "max_output_tokens"
    if reply.text == "":
        assert parsed.output_text == ""


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
async def test_default_answer_conforms_to_every_prompt_schema(
    name: str, fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    response = await openai_provider.respond(request_for(ALL_SCHEMAS[name]))

    assert response.status == "completed"
    assert conforms(json.loads(response.output_text), ALL_SCHEMAS[name])


async def test_it_records_what_the_sdk_sent_and_never_the_offline_context(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    await openai_provider.respond(request_for(EMAIL_SCHEMA, "email_draft"))

    [sent] = fake_openai.requests
    assert (sent.model, sent.max_output_tokens, sent.format_name) == ("gpt-test", 500, "email_draft")
    assert (sent.instructions, sent.input) == ("Be brief.", "Hello")
    assert "never sent" not in json.dumps(sent.body)
    assert set(sent.body) == {"model", "instructions", "input", "max_output_tokens", "text"}


async def test_a_callable_in_the_script_sees_the_request(
    fake_openai: FakeOpenAIServer, openai_provider: OpenAIProvider
) -> None:
    seen: list[int | None] = []

    def answer(request: Any) -> FakeReply:
        seen.append(request.max_output_tokens)
        return FakeReply.completed({"body": f"budget {request.max_output_tokens}"})

    fake_openai.script(answer)
    response = await openai_provider.respond(request_for(SHORT_MESSAGE_SCHEMA))

    assert seen == [500]
    assert json.loads(response.output_text) == {"body": "budget 500"}


def test_reset_clears_script_and_requests(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply.error(500))
    post(fake_openai, SHORT_MESSAGE_SCHEMA)
    fake_openai.script(FakeReply.error(500))

    fake_openai.reset()

    assert fake_openai.requests == []
    assert post(fake_openai, SHORT_MESSAGE_SCHEMA).status_code == 200


def test_the_benchmarks_mode_prefers_drafting_answers_and_only_counts() -> None:
    with FakeOpenAIServer(prefer=DRAFTING, keep_requests=False) as fake:
        sentiment = post(fake, SENTIMENT_SCHEMA).json()["output"][0]["content"][0]["text"]
        verdict = post(fake, VERIFY_SCHEMA).json()["output"][0]["content"][0]["text"]

        assert json.loads(sentiment)["sentiment_tag"] == "Interested"
        assert json.loads(verdict)["verdict"] == "ok"
        assert (fake.requests, fake.request_count) == ([], 2)
        fake.reset()
        assert fake.request_count == 0


def test_a_separate_process_reaches_it_through_openai_base_url(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply.completed({"body": "from another process"}))
    script = textwrap.dedent(
        """
        from openai import OpenAI
        client = OpenAI(max_retries=0)
        response = client.responses.create(model="gpt-test", input="Hi")
        print(response.output_text)
        """
    )
    env = os.environ | {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "test-key"}

    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert json.loads(done.stdout) == {"body": "from another process"}
    assert fake_openai.requests[0].authorization == "Bearer test-key"
