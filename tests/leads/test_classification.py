"""classify_sentiment: rule fast paths without any model call, then the model through the runner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.ai import tasks
from server.ai.providers.base import PermanentModelError
from server.ai.runner import PromptFailed
from server.ai.transcript import LeadContext, TranscriptMessage
from server.core.text_cleaning import own_words
from server.inbound.parsers.normalized import Channel
from server.leads.classification import classify_sentiment
from tests.fakes.scripted_provider import NoModelCalls, ScriptedProvider

LEAD = LeadContext(first_name="Dana", company="Acme Roofing", sentiment_tag="New")


def inbound(body: str, *, channel: Channel = "email", subject: str | None = None) -> TranscriptMessage:
    return TranscriptMessage(
        channel=channel,
        direction="inbound",
        sent_by="lead",
        sent_at=datetime(2026, 2, 5, 10, tzinfo=UTC),
        subject=subject,
        body=body,
    )


@pytest.mark.parametrize(
    ("body", "subject", "channel", "tag"),
    [
        (
            "Your message couldn't be delivered.",
            "Delivery Status Notification (Failure)",
            "email",
            "Blacklist",
        ),
        ("This message was undeliverable.", None, "email", "Blacklist"),
        ("Mail delivery failed: returning message to sender", None, "email", "Blacklist"),
        ("Please unsubscribe me from this list.", None, "email", "Blacklist"),
        ("Remove me from your list", None, "email", "Blacklist"),
        ("Stop emailing me.", None, "email", "Blacklist"),
        ("STOP", None, "sms", "Blacklist"),
        ("stop.", None, "sms", "Blacklist"),
        ("Not interested, thanks.", None, "email", "Not Interested"),
        ("No thanks", None, "linkedin", "Not Interested"),
        ("Honestly this is not a fit for us.", None, "email", "Not Interested"),
        ("I am out of the office until March 3.", None, "email", "Out of Office"),
        ("On vacation, back next week.", None, "email", "Out of Office"),
        ("Away until Monday with limited access.", None, "email", "Out of Office"),
        ("OOO until the 12th", None, "email", "Out of Office"),
        ("I'm away, no email access.", "Automatic reply: Quick question", "email", "Out of Office"),
    ],
)
async def test_fast_paths_make_no_model_call(
    body: str, subject: str | None, channel: Channel, tag: str
) -> None:
    latest = inbound(body, channel=channel, subject=subject)

    result = await classify_sentiment([latest], LEAD, latest, provider=NoModelCalls())

    assert (result.tag, result.source) == (tag, "rule")
    assert result.reason


@pytest.mark.parametrize("sender", ["mailer-daemon@googlemail.com", "postmaster@example.com"])
async def test_bounce_senders_are_blacklisted(sender: str) -> None:
    latest = inbound("Hello there")

    result = await classify_sentiment([latest], LEAD, latest, sender_email=sender, provider=NoModelCalls())

    assert (result.tag, result.source) == ("Blacklist", "rule")


async def test_a_provider_flagged_bounce_is_blacklisted() -> None:
    latest = inbound("")

    result = await classify_sentiment([latest], LEAD, latest, is_bounce=True, provider=NoModelCalls())

    assert result.tag == "Blacklist"


@pytest.mark.parametrize(
    "body",
    [
        "Yes, let's talk Thursday.\n\nOn Tue, Feb 3, 2026 Sam <sam@x.io> wrote:\n> Reply to unsubscribe.",
        "Sounds good!\n\n> Not interested? Just let me know.",
        "Ooo, that sounds interesting. Tell me more.",
        "Please stop by our booth, happy to chat.",
        "No, thanks for asking, Thursday is fine.",
    ],
    ids=["quoted-footer", "quoted-question", "ooo-as-word", "stop-in-sentence", "no-thanks-for"],
)
async def test_look_alikes_go_to_the_model(body: str) -> None:
    latest = inbound(body, channel="sms" if "booth" in body else "email")
    provider = ScriptedProvider(
        {tasks.SENTIMENT_CLASSIFICATION: {"sentiment_tag": "Interested", "reason": "Keen."}}
    )

    result = await classify_sentiment([latest], LEAD, latest, provider=provider)

    assert (result.tag, result.source) == ("Interested", "model")
    assert provider.tasks_called() == [tasks.SENTIMENT_CLASSIFICATION]


async def test_the_model_sees_the_transcript_and_the_latest_message() -> None:
    earlier = inbound("Who is this?")
    latest = inbound("OK, can you call me tomorrow?", subject="Re: Quick question")
    provider = ScriptedProvider()

    result = await classify_sentiment([earlier, latest], LEAD, latest, provider=provider)

    assert (result.tag, result.source) == ("Call Requested", "model")
    [call] = provider.calls
    assert "Who is this?" in call.input
    assert "(subject: Re: Quick question)\nOK, can you call me tomorrow?" in call.input
    assert call.json_schema["properties"]["sentiment_tag"]["enum"][0] == "New"


async def test_model_failure_is_raised_for_the_caller_to_decide() -> None:
    latest = inbound("Can you tell me more?")
    provider = ScriptedProvider(
        {tasks.SENTIMENT_CLASSIFICATION: PermanentModelError("auth", status_code=401)}
    )

    with pytest.raises(PromptFailed) as failed:
        await classify_sentiment([latest], LEAD, latest, provider=provider)

    assert failed.value.category == "auth"


def test_own_words_drops_the_quoted_thread() -> None:
    text = "Thursday works.\n\nOn Mon, Feb 2 Sam wrote:\n> earlier text"

    assert own_words(text) == "Thursday works.\n\n"
    assert own_words("> only a quote") == ""
    assert own_words("No quote here") == "No quote here"
